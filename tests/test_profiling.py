"""qconv.profiling and `qconv-kit profile`: msprof op CSVs (fixtures in tests/msprof_fixtures.py, written
with the column lists of Ascend/msopprof's metric_csv_header.h) and the twin's counters, summarised in
one format. Expected numbers are worked out by hand in the comments."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from qconv import profiling
from qconv.cli import main as cli_main

ROOT = pathlib.Path(__file__).resolve().parent.parent

from msprof_fixtures import (A2_RATIOS, BASIC_310P, PIPE_310P, SUFFIX, a2_launch,  # noqa: E402
                             mix_ratio, write_csv)


def test_a2_mix_launch_ratios_are_pipe_time_over_core_time(tmp_path):
    a2_launch(tmp_path)
    s = profiling.summarise_launch(tmp_path)
    assert (s.shape, s.time_us, s.block_dim, s.mix_block_dim) == ("QuantConv2dCustom_1a2b_1", 41.5, 2, 4)
    assert (s.current_freq, s.rated_freq) == (1650, 1800)
    # cube (1.5 + 2.5) / (2 + 4); msopprof's own aic_cube_ratio cells are fractions of int(41.5) us instead
    assert s.ratios == pytest.approx(A2_RATIOS)
    assert s.ratios["cube"] > 10 * mix_ratio(2.5, 41.5)
    assert s.bound == "cube"


def test_310p_launch_reads_the_coupled_columns(tmp_path):
    write_csv(tmp_path / f"OpBasicInfo{SUFFIX}.csv", BASIC_310P, [
        {"Op Name": "QuantConv2dCustom_9c_2", "Op Type": "aicore", "Task Duration(us)": "10.2", "Block Dim": 8,
         "Device Id": 0, "Pid": 5, "Current Freq": 1060, "Rated Freq": 1060}])
    write_csv(tmp_path / f"PipeUtilization{SUFFIX}.csv", PIPE_310P, [
        {"aic_time(us)": 9.0, "aic_total_cycles": 9540, "aic_cube_time(us)": 3.0, "aic_mte2_time(us)": 6.0,
         "aic_mte3_time(us)": 1.0, "aic_vec_time(us)": 2.0, "aic_mte1_time(us)": 0.5},
        {"aic_time(us)": 3.0, "aic_total_cycles": 3180, "aic_cube_time(us)": 0.6, "aic_mte2_time(us)": 1.2,
         "aic_mte3_time(us)": 0.2, "aic_vec_time(us)": 1.0, "aic_mte1_time(us)": 0.1},
    ])
    s = profiling.summarise_launch(tmp_path, "r50")
    assert s.mix_block_dim is None and s.block_dim == 8
    assert s.ratios["cube"] == pytest.approx(3.6 / 12) and s.ratios["mte2"] == pytest.approx(7.2 / 12)
    assert s.ratios["vector"] == pytest.approx(3.0 / 12) and s.ratios["vec_mte3"] == pytest.approx(1.2 / 12)
    assert s.ratios["fixpipe"] is None and s.ratios["vec_mte2"] is None
    assert s.bound == "mte2"


def test_twelve_launches_in_numeric_order_with_their_labels(tmp_path):
    # msopprof: OPPROF_<time>_<id>/<kernel name>/<n>/ with n = 0, 1, ..., 11 (not zero-padded)
    kernel_dir = tmp_path / "OPPROF_20261127120000_XYZABC" / "QuantConv2dCustom_1a2b_1"
    for n in range(12):
        a2_launch(kernel_dir / str(n), duration=str(n + 1))
    summaries = profiling.summarise_msprof_output(tmp_path)
    assert [s.time_us for s in summaries] == [float(n + 1) for n in range(12)]     # 10, 11 after 9, not after 1
    labels = [f"case{n}" for n in range(12)]
    (tmp_path / profiling.LAUNCHES_FILE).write_text("\n".join(labels) + "\n")
    summaries = profiling.summarise_msprof_output(tmp_path)
    assert [(s.shape, s.time_us) for s in summaries] == [(label, n + 1.0) for n, label in enumerate(labels)]
    (tmp_path / profiling.LAUNCHES_FILE).write_text("only one label\n")          # count mismatch: paths instead
    assert profiling.summarise_msprof_output(tmp_path)[11].shape.endswith("QuantConv2dCustom_1a2b_1/11")


def test_launch_labels_are_not_applied_across_kernel_or_device_directories(tmp_path):
    a2_launch(tmp_path / "OPPROF_1" / "device0" / "QuantConv2dCustom_1a2b_1" / "0", "10")
    a2_launch(tmp_path / "OPPROF_1" / "device1" / "QuantConv2dCustom_1a2b_1" / "0", "20")
    (tmp_path / profiling.LAUNCHES_FILE).write_text("a\nb\n")
    assert [s.shape for s in profiling.summarise_msprof_output(tmp_path)] == [
        "OPPROF_1/device0/QuantConv2dCustom_1a2b_1/0", "OPPROF_1/device1/QuantConv2dCustom_1a2b_1/0"]


def test_partial_launches_print_as_dashes(tmp_path, capsys):
    kernel_dir = tmp_path / "OPPROF_1" / "QuantConv2dCustom_1a2b_1"
    a2_launch(kernel_dir / "0")
    a2_launch(kernel_dir / "1", duration="NA")               # no duration
    a2_launch(kernel_dir / "2", pipe=False)                   # no PipeUtilization data
    summaries = profiling.summarise_msprof_output(tmp_path)
    assert summaries[1].time_us is None and summaries[1].ratios["cube"] == pytest.approx(A2_RATIOS["cube"])
    assert summaries[2].time_us == 41.5 and all(v is None for v in summaries[2].ratios.values())
    assert cli_main(["profile", "--backend", "npu", "--dir", str(tmp_path)]) == 0
    rows = capsys.readouterr().out.splitlines()
    header = rows[1].split()
    assert header[-2:] == ["freq_mhz", "bound"]
    second, third = rows[3].split(), rows[4].split()
    assert second[1] == "-" and second[-2] == "1650/1800" and second[-1] == "cube"
    assert third[1] == "41.50" and third[4:11] == ["-"] * 7 and third[-1] == "-"


def test_bad_profile_data_is_reported_with_the_file_and_column(tmp_path):
    with pytest.raises(profiling.ProfileDataError, match="no OpBasicInfo.csv under"):
        profiling.summarise_msprof_output(tmp_path)
    write_csv(tmp_path / "OpBasicInfo.csv", ["Op Name", "Block Dim"], [{"Op Name": "x", "Block Dim": 2}])
    with pytest.raises(profiling.ProfileDataError, match=r"lacks the column\(s\) Task Duration\(us\)"):
        profiling.summarise_launch(tmp_path)


class FakeCounters:
    """SimCounters as qconv.sim.run returns them: per core one phase of pipes, no DMA instructions (so the
    cycle model's fixed DMA costs stay out of these hand computations; tests/test_cycle_model.py has them)."""
    def __init__(self, cores, gm_buffer_bytes=None):
        self.cores = cores
        self.tiling = {"gm_buffer_bytes": gm_buffer_bytes or {}}


def core(name, **pipes):
    full = {p: {"instructions": 0, "bytes": 0, "elements": 0, "gm": {}, "local": {}} for p in
            ("SCALAR", "VECTOR", "CUBE", "MTE1", "MTE2", "MTE3", "FIXPIPE")}
    for pipe, (unit, value) in pipes.items():
        full[pipe][unit] = value
        if pipe == "MTE2" and unit == "bytes":      # read from GM buffer x
            full[pipe]["gm"] = {"x": {"read": value, "written": 0}}
        if pipe in ("MTE3", "FIXPIPE") and unit == "bytes":
            full[pipe]["gm"] = {"y": {"read": 0, "written": value}}
        if pipe == "MTE1" and unit == "bytes":
            full[pipe]["local"] = {"L0B": value}
    return {"name": name, "block": 0, "sub": 0, "pipes": full, "phases": [full]}


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
    a2_launch(tmp_path / "OPPROF_1" / "QuantConv2dCustom_1a2b_1" / "0")
    (tmp_path / profiling.LAUNCHES_FILE).write_text("small_3x3 1x16x16x16->32 k3x3 s1\n")
    assert cli_main(["profile", "--backend", "npu", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[:4] == ["shape", "time_us", "blocks", "mix"]
    assert out[2].startswith("small_3x3 1x16x16x16->32 k3x3 s1") and "41.50" in out[2] and out[2].endswith("cube")
    assert "1650/1800" in out[2]


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
    row = lines[2].split()       # label (4 words), time_us, blocks, mix, 7 ratios, freq_mhz ("-"), bound
    assert row[0] == "small_3x3" and float(row[4]) > 0 and int(row[5]) >= 1
    ratios = dict(zip(profiling.RATIO_KEYS, (float(v) for v in row[7:14])))
    assert all(0 <= v <= 1 + 1e-9 for v in ratios.values()) and ratios["cube"] > 0
    # the bound column is the largest ratio; a busiest pipe sets each core's cycles, so it is near 1
    assert row[14] == "-"
    assert ratios[row[15]] == max(ratios.values()) and 0.5 < ratios[row[15]] <= 1 + 1e-9


FAKE_PROFILER = r'''#!/usr/bin/env bash
# Stands in for msprof op: records its arguments, writes one launch of fixture CSVs, runs no application.
printf '%s\n' "$@" > "$FAKE_LOG"
for a in "$@"; do case "$a" in --output=*) out=${a#--output=};; esac; done
mkdir -p "$out/OPPROF_1/QuantConv2dCustom_1a2b_1/0"
cp "$FAKE_FIXTURE"/*.csv "$out/OPPROF_1/QuantConv2dCustom_1a2b_1/0/"
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
    assert args[:4] == ["--kernel-name=QuantConv2dCustom*", "--launch-count=4", "--warm-up=3",
                        f"--output={tmp_path / 'out'}"]
    assert args[4:6] == [sys.executable, str(ROOT / "bench" / "profile_cases.py")]
    assert args[6:] == ["--output", str(tmp_path / "out"), "--repeats", "2", "--cases", "small_3x3,r50_l1_3x3"]
    rows = proc.stdout.splitlines()
    assert rows[-1].startswith("OPPROF_1/QuantConv2dCustom_1a2b_1/0") and "41.50" in rows[-1] and rows[-1].endswith("cube")


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
