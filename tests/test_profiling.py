"""qconv.profiling and `qconv-kit profile`: msprof op CSVs (fixtures written from the column names of
Ascend msopprof docs/en/user_guide/msopprof_performance_data.md) and the twin's counters, summarised in
one format. Expected numbers are worked out by hand in the comments."""
from __future__ import annotations

import csv
import os
import pathlib
import subprocess
import sys

import pytest

from qconv import profiling
from qconv.cli import main as cli_main

ROOT = pathlib.Path(__file__).resolve().parent.parent

BASIC_HEADER = ["Op Name", "Op Type", "Task Duration(us)", "Block Dim", "Mix Block Dim", "Device ID", "PID",
                "Current Freq", "Rated Freq"]
# Atlas A2/A3 PipeUtilization.csv: one row per core; cube rows leave the aiv_* cells N/A and vice versa.
A2_PIPE_HEADER = ["block_id", "sub_block_id", "aic_time(us)", "aic_total_cycles", "aiv_time(us)", "aiv_total_cycles",
                  "aiv_vec_time(us)", "aiv_vec_ratio", "aic_cube_time(us)", "aic_cube_ratio", "aic_scalar_ratio",
                  "aiv_scalar_ratio", "aic_fixpipe_time(us)", "aic_fixpipe_ratio", "aic_mte1_ratio",
                  "aic_mte2_ratio", "aiv_mte2_ratio", "aic_mte3_ratio", "aiv_mte3_ratio", "aic_icache_miss_rate"]
# Atlas inference (310P): coupled AI cores, aic_* columns only, vector ratio as aic_vec_ratio, no fixpipe.
P310_PIPE_HEADER = ["aic_time(us)", "aic_total_cycles", "aic_cube_time(us)", "aic_cube_ratio", "aic_scalar_ratio",
                    "aic_mte1_ratio", "aic_mte2_ratio", "aic_mte3_ratio", "aic_vec_time(us)", "aic_vec_ratio"]


def write_csv(path: pathlib.Path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def a2_launch(directory: pathlib.Path, duration="41.5", suffix=""):
    write_csv(directory / f"OpBasicInfo{suffix}.csv", BASIC_HEADER,
              [["quant_conv2d_custom_1", "QuantConv2dCustom", duration, "2", "4", "0", "77", "1800", "1800"]])
    na = "N/A"
    rows = [
        # two cube cores: 1000 and 3000 cycles
        [0, "cube0", "0.56", "1000", na, na, na, na, "0.4", "0.8", "0.05", na, "0.1", "0.2", "0.3", "0.6", na, "0.0", na,
         "0.01"],
        [1, "cube1", "1.67", "3000", na, na, na, na, "1.4", "0.4", "0.05", na, "0.1", "0.1", "0.2", "0.2", na, "0.0", na,
         "0.01"],
        # four vector cores, 2000 cycles each
        [0, "vector0", na, na, "1.1", "2000", "0.5", "0.5", na, na, na, "0.1", na, na, na, na, "0.2", na, "0.1", "0.0"],
        [0, "vector1", na, na, "1.1", "2000", "0.5", "0.7", na, na, na, "0.1", na, na, na, na, "0.4", na, "0.3", "0.0"],
        [1, "vector0", na, na, "1.1", "2000", "0.5", "0.1", na, na, na, "0.1", na, na, na, na, "0.0", na, "0.1", "0.0"],
        [1, "vector1", na, na, "1.1", "2000", "0.5", "0.3", na, na, na, "0.1", na, na, na, na, "0.2", na, "0.1", "0.0"],
    ]
    write_csv(directory / f"PipeUtilization{suffix}.csv", A2_PIPE_HEADER, rows)


def test_a2_launch_weights_each_ratio_by_its_cores_cycles(tmp_path):
    a2_launch(tmp_path)
    s = profiling.summarise_launch(tmp_path)
    assert (s.shape, s.time_us, s.block_dim, s.mix_block_dim) == ("quant_conv2d_custom_1", 41.5, 2, 4)
    # cube: (0.8*1000 + 0.4*3000) / 4000 = 0.5; fixpipe: (0.2*1000 + 0.1*3000) / 4000 = 0.125
    # mte1: (0.3*1000 + 0.2*3000) / 4000 = 0.225; mte2: (0.6*1000 + 0.2*3000) / 4000 = 0.3
    # vector: mean of 0.5, 0.7, 0.1, 0.3 (equal cycles) = 0.4; vec_mte2 = 0.2; vec_mte3 = 0.15
    expected = {"cube": 0.5, "fixpipe": 0.125, "mte1": 0.225, "mte2": 0.3, "vector": 0.4, "vec_mte2": 0.2,
                "vec_mte3": 0.15}
    assert s.ratios == pytest.approx(expected)
    assert s.bound == "cube"


def test_310p_launch_reads_the_coupled_columns(tmp_path):
    write_csv(tmp_path / "OpBasicInfo.csv", BASIC_HEADER,
              [["quant_conv2d_custom_2", "QuantConv2dCustom", "10", "8", "N/A", "0", "5", "1060", "1060"]])
    write_csv(tmp_path / "PipeUtilization.csv", P310_PIPE_HEADER, [
        ["9.0", "100", "5", "0.5", "0.1", "0.2", "0.3", "0.1", "3", "0.9"],
        ["9.0", "300", "5", "0.1", "0.1", "0.2", "0.7", "0.3", "3", "0.1"],
    ])
    s = profiling.summarise_launch(tmp_path, "r50")
    assert s.mix_block_dim is None and s.block_dim == 8
    # cube (0.5*100 + 0.1*300)/400 = 0.2; mte2 (0.3*100 + 0.7*300)/400 = 0.6; vector (0.9*100 + 0.1*300)/400 = 0.3
    assert s.ratios["cube"] == pytest.approx(0.2)
    assert s.ratios["mte2"] == pytest.approx(0.6)
    assert s.ratios["vector"] == pytest.approx(0.3)
    assert s.ratios["vec_mte3"] == pytest.approx(0.25)            # aic_mte3_ratio: (0.1*100 + 0.3*300)/400
    assert s.ratios["fixpipe"] is None and s.ratios["vec_mte2"] is None
    assert s.bound == "mte2"


def test_msprof_tree_with_timestamped_files_and_launch_labels(tmp_path):
    # msprof op with several launches: device0/<Op>/<seq>/ and timestamp-suffixed CSV names
    a2_launch(tmp_path / "OPPROF_1" / "device0" / "QuantConv2dCustom" / "0", "10", "_20261127120000")
    a2_launch(tmp_path / "OPPROF_1" / "device0" / "QuantConv2dCustom" / "1", "20", "_20261127120001")
    summaries = profiling.summarise_msprof_output(tmp_path)
    assert [s.time_us for s in summaries] == [10.0, 20.0]
    assert summaries[0].shape == "OPPROF_1/device0/QuantConv2dCustom/0"
    (tmp_path / profiling.LAUNCHES_FILE).write_text("small_3x3 1x16x16x16\nr50_l1 1x64x56x56\n")
    assert [s.shape for s in profiling.summarise_msprof_output(tmp_path)] == ["small_3x3 1x16x16x16",
                                                                             "r50_l1 1x64x56x56"]
    (tmp_path / profiling.LAUNCHES_FILE).write_text("only one label\n")      # count mismatch: paths instead
    assert summaries[1].shape == profiling.summarise_msprof_output(tmp_path)[1].shape


def test_bad_profile_data_is_reported_with_the_file_and_column(tmp_path):
    with pytest.raises(profiling.ProfileDataError, match="no OpBasicInfo.csv under"):
        profiling.summarise_msprof_output(tmp_path)
    write_csv(tmp_path / "OpBasicInfo.csv", ["Op Name", "Block Dim"], [["x", "2"]])
    with pytest.raises(profiling.ProfileDataError, match=r"lacks the column\(s\) Task Duration\(us\)"):
        profiling.summarise_launch(tmp_path)


class FakeCounters:
    def __init__(self, cores):
        self.cores = cores


def core(name, **pipes):
    full = {p: {"instructions": 0, "bytes": 0, "elements": 0} for p in
            ("SCALAR", "VECTOR", "CUBE", "MTE1", "MTE2", "MTE3", "FIXPIPE")}
    for pipe, (unit, value) in pipes.items():
        full[pipe][unit] = value
    return {"name": name, "block": 0, "sub": 0, "pipes": full}


def test_twin_counters_through_the_cycle_model_split_soc():
    # ascend910b: 8192 MACs, 128 B L1->L0B, 32 B GM per cycle; vector 256 B per cycle; 1800 MHz
    counters = FakeCounters([
        core("aic0", CUBE=("elements", 8192 * 1000), MTE1=("bytes", 128 * 200), MTE2=("bytes", 32 * 500),
             FIXPIPE=("bytes", 32 * 100), SCALAR=("instructions", 50)),
        core("aiv0", VECTOR=("bytes", 256 * 300), MTE2=("bytes", 32 * 100), MTE3=("bytes", 32 * 60)),
        core("aiv1", VECTOR=("bytes", 256 * 100), MTE2=("bytes", 32 * 200), MTE3=("bytes", 32 * 60)),
    ])
    s = profiling.summarise_sim(counters, "ascend910b", "case")
    # aic0 is bound by CUBE (1000 cycles); aiv0 by VECTOR (300); aiv1 by MTE2 (200)
    assert s.time_us == pytest.approx(1000 / 1800)
    assert (s.block_dim, s.mix_block_dim) == (1, 2)
    assert s.ratios == pytest.approx({"cube": 1.0, "fixpipe": 0.1, "mte1": 0.2, "mte2": 0.5,
                                      "vector": 400 / 500, "vec_mte2": 300 / 500, "vec_mte3": 120 / 500})
    assert s.bound == "cube"


def test_twin_counters_coupled_soc():
    # ascend310p: GM 17 B per cycle, 1060 MHz; one kind of core does cube and vector work
    counters = FakeCounters([core("core0", CUBE=("elements", 8192 * 100), VECTOR=("bytes", 256 * 400),
                                  MTE2=("bytes", 17 * 50))])
    s = profiling.summarise_sim(counters, "ascend310p")
    assert s.time_us == pytest.approx(400 / 1060)
    assert (s.block_dim, s.mix_block_dim) == (1, None)
    assert s.ratios["cube"] == pytest.approx(0.25) and s.ratios["vector"] == pytest.approx(1.0)
    assert s.ratios["mte2"] == pytest.approx(50 / 400) and s.ratios["vec_mte2"] is None
    assert s.bound == "vector"


def test_profile_command_on_npu_data(tmp_path, capsys):
    a2_launch(tmp_path / "OPPROF_1")
    (tmp_path / profiling.LAUNCHES_FILE).write_text("small_3x3 1x16x16x16->32 k3x3 s1\n")
    assert cli_main(["profile", "--backend", "npu", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[:4] == ["shape", "time_us", "blocks", "mix"]
    assert out[2].startswith("small_3x3 1x16x16x16->32 k3x3 s1") and "41.50" in out[2] and out[2].endswith("cube")


def test_profile_command_errors(tmp_path, capsys):
    assert cli_main(["profile", "--backend", "npu"]) == 2
    assert "--dir is required" in capsys.readouterr().err
    assert cli_main(["profile", "--backend", "sim", "--cases", "nope"]) == 2
    assert "--cases = nope is not supported; allowed: small_3x3" in capsys.readouterr().err
    assert cli_main(["profile", "--backend", "sim", "--soc", "ascend999"]) == 2
    assert "--soc = ascend999 is not supported" in capsys.readouterr().err


def test_profile_command_on_the_twin(capsys):
    from qconv import _native
    try:
        _native.load("_sim")
    except ImportError as exc:
        pytest.skip(f"the CPU twin is not built: {exc}")
    assert cli_main(["profile", "--backend", "sim", "--cases", "small_3x3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("# CPU twin of ascend910b")
    row = lines[2].split()       # label (4 words), time_us, blocks, mix, 7 ratios, bound
    assert row[0] == "small_3x3" and float(row[4]) > 0 and int(row[5]) >= 1
    ratios = dict(zip(profiling.RATIO_KEYS, (float(v) for v in row[7:14])))
    assert all(0 <= v <= 1 + 1e-9 for v in ratios.values()) and ratios["cube"] > 0
    # the bound column is the largest ratio; a busiest pipe sets each core's cycles, so it is near 1
    assert ratios[row[14]] == max(ratios.values()) and 0.5 < ratios[row[14]] <= 1 + 1e-9


FAKE_PROFILER = r'''#!/usr/bin/env bash
# Stands in for msprof op: records its arguments, writes one launch of fixture CSVs, runs no application.
printf '%s\n' "$@" > "$FAKE_LOG"
for a in "$@"; do case "$a" in --output=*) out=${a#--output=};; esac; done
mkdir -p "$out/OPPROF_1"
cp "$FAKE_FIXTURE"/*.csv "$out/OPPROF_1/"
'''


def run_profile_sh(tmp_path, *args, profiler=True):
    env = {k: v for k, v in os.environ.items() if k != "MSPROF"}
    env.update({"PYTHON": sys.executable, "QCONV_BUILD_DIR": str(tmp_path / "build"), "PATH": "/usr/bin:/bin"})
    if profiler:
        fake = tmp_path / "fake_msprof.sh"
        fake.write_text(FAKE_PROFILER)
        fake.chmod(0o755)
        a2_launch(tmp_path / "fixture")
        env.update({"MSPROF": str(fake), "FAKE_LOG": str(tmp_path / "args.txt"), "FAKE_FIXTURE": str(tmp_path / "fixture")})
    return subprocess.run([str(ROOT / "tools" / "profile.sh"), *args], env=env, capture_output=True, text=True)


def test_profile_sh_drives_the_profiler_and_summarises(tmp_path):
    proc = run_profile_sh(tmp_path, "--cases", "small_3x3,r50_l1_3x3", "--repeats", "2", "--warm-up", "3",
                          "--output", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    args = (tmp_path / "args.txt").read_text().splitlines()
    assert args[:4] == ["--kernel-name=quant_conv2d_custom*", "--launch-count=4", "--warm-up=3",
                        f"--output={tmp_path / 'out'}"]
    assert args[4:6] == [sys.executable, str(ROOT / "bench" / "profile_cases.py")]
    assert args[6:] == ["--output", str(tmp_path / "out"), "--repeats", "2", "--cases", "small_3x3,r50_l1_3x3"]
    rows = proc.stdout.splitlines()
    assert rows[-1].startswith("OPPROF_1") and "41.50" in rows[-1] and rows[-1].endswith("cube")


def test_profile_sh_errors(tmp_path):
    proc = run_profile_sh(tmp_path, profiler=False)
    assert proc.returncode == 1 and "neither msopprof nor msprof is on PATH" in proc.stderr
    assert "qconv-kit profile --backend sim" in proc.stderr
    proc = run_profile_sh(tmp_path, "--launch-count", "0")
    assert proc.returncode == 1 and "--launch-count = 0 is out of the allowed range [1, inf)" in proc.stderr


def test_profile_cases_without_an_npu_says_what_is_missing(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "profile_cases.py"), "--output", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "the NPU path is not usable here" in proc.stderr and "./build.sh pkg" in proc.stderr
