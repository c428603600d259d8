"""msprof op / msopprof output written with the real column lists of Ascend/msopprof
csrc/op_profiling/profiling/device/data_parse/metric_csv_header.h (OpBasicHeaderFor910B / 310P,
pipeFor910B_, pipeFor310P_): "NA" cells, a trailing comma on every line, 17-digit file suffixes."""
from __future__ import annotations

import pathlib

BASIC_910B = ["Op Name", "Op Type", "Task Duration(us)", "Block Dim", "Mix Block Dim", "Device Id", "Pid",
              "Current Freq", "Rated Freq"]
BASIC_310P = ["Op Name", "Op Type", "Task Duration(us)", "Block Dim", "Device Id", "Pid", "Current Freq", "Rated Freq"]
PIPE_910B = [
    "block_id", "sub_block_id", "aic_time(us)", "aic_total_cycles", "aic_cube_time(us)", "aic_cube_ratio",
    "aic_mte1_time(us)", "aic_mte1_ratio", "aic_mte2_time(us)", "aic_mte2_ratio", "aic_mte3_time(us)",
    "aic_mte3_ratio", "aic_mte3_active_bw(GB/s)", "aic_fixpipe_time(us)", "aic_fixpipe_ratio",
    "aic_fixpipe_active_bw(GB/s)", "aic_icache_miss_rate", "aic_scalar_time(us)", "aic_scalar_ratio",
    "aic_scalar_single_time(us)", "aic_scalar_dual_time(us)", "aic_scalar_mte1_stall_time(us)",
    "aic_scalar_mte2_stall_time(us)", "aic_scalar_mte3_stall_time(us)", "aic_scalar_cube_stall_time(us)",
    "aic_scalar_wait_ib_time(us)", "aic_scalar_wait_time(us)", "aiv_time(us)", "aiv_total_cycles",
    "aiv_vec_time(us)", "aiv_vec_ratio", "aiv_mte2_time(us)", "aiv_mte2_ratio", "aiv_mte2_active_bw(GB/s)",
    "aiv_mte3_time(us)", "aiv_mte3_ratio", "aiv_mte3_active_bw(GB/s)", "aiv_icache_miss_rate", "aiv_scalar_time(us)",
    "aiv_scalar_ratio", "aiv_scalar_single_time(us)", "aiv_scalar_dual_time(us)", "aiv_scalar_mte2_stall_time(us)",
    "aiv_scalar_mte3_stall_time(us)", "aiv_scalar_stall_by_ub_time(us)", "aiv_scalar_vector_stall_time(us)",
    "aiv_scalar_wait_ib_time(us)", "aiv_scalar_wait_time(us)"]
PIPE_310P = ["aic_time(us)", "aic_total_cycles", "aic_cube_time(us)", "aic_cube_ratio", "aic_scalar_time(us)",
             "aic_scalar_ratio", "aic_mte1_time(us)", "aic_mte1_ratio", "aic_mte2_time(us)", "aic_mte2_ratio",
             "aic_mte3_time(us)", "aic_mte3_ratio", "aic_icache_miss_rate", "aic_vec_time(us)", "aic_vec_ratio"]
SUFFIX = "_20261127120000123"          # msopprof's 17-digit time stamp


def write_csv(path: pathlib.Path, header: list[str], rows: list[dict]) -> None:
    """Rows as dicts by column name; absent cells are "NA"; every line ends with a comma."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(header) + ","] + [",".join(str(r.get(c, "NA")) for c in header) + "," for r in rows]
    path.write_text("\n".join(lines) + "\n")


def mix_ratio(time_us: float, duration_us: float) -> float:
    """msopprof's *_ratio of a MIX kernel: pipe cycles over whole microseconds of Task Duration x frequency
    (pmu_calculate.cpp CalRatio), i.e. pipe time over int(duration)."""
    return time_us / int(duration_us)


def a2_launch(directory: pathlib.Path, duration="41.5", basic=True, pipe=True, name="QuantConv2dCustom_1a2b_1"):
    """A MIX_AIC_1_2 launch: 2 cube cores (aic_time 2 and 4 us), 4 vector cores (3 us each)."""
    d = float(duration) if duration != "NA" else 41.0
    if basic:
        write_csv(directory / f"OpBasicInfo{SUFFIX}.csv", BASIC_910B, [
            {"Op Name": name, "Op Type": "mix", "Task Duration(us)": duration, "Block Dim": 2,
             "Mix Block Dim": 4, "Device Id": 0, "Pid": 4711, "Current Freq": 1650, "Rated Freq": 1800}])
    if not pipe:
        return
    rows = []
    for block, (aic, cube, mte1, mte2, fix) in enumerate([(2.0, 1.5, 0.5, 1.0, 0.2), (4.0, 2.5, 1.5, 1.0, 0.6)]):
        rows.append({"block_id": block, "sub_block_id": "cube0", "aic_time(us)": aic, "aic_total_cycles": int(aic * 1650),
                     "aic_cube_time(us)": cube, "aic_cube_ratio": mix_ratio(cube, d),
                     "aic_mte1_time(us)": mte1, "aic_mte1_ratio": mix_ratio(mte1, d),
                     "aic_mte2_time(us)": mte2, "aic_mte2_ratio": mix_ratio(mte2, d),
                     "aic_fixpipe_time(us)": fix, "aic_fixpipe_ratio": mix_ratio(fix, d)})
    for block, sub, vec, mte2, mte3 in [(0, "vector0", 1.0, 0.3, 0.6), (0, "vector1", 2.0, 0.3, 0.6),
                                        (1, "vector0", 0.5, 0.6, 0.3), (1, "vector1", 0.5, 0.6, 0.3)]:
        rows.append({"block_id": block, "sub_block_id": sub, "aiv_time(us)": 3.0, "aiv_total_cycles": 4950,
                     "aiv_vec_time(us)": vec, "aiv_vec_ratio": mix_ratio(vec, d),
                     "aiv_mte2_time(us)": mte2, "aiv_mte2_ratio": mix_ratio(mte2, d),
                     "aiv_mte3_time(us)": mte3, "aiv_mte3_ratio": mix_ratio(mte3, d)})
    write_csv(directory / f"PipeUtilization{SUFFIX}.csv", PIPE_910B, rows)


# Expected summary ratios of a2_launch: summed pipe time / summed core time.
A2_RATIOS = {"cube": 4.0 / 6.0, "mte1": 2.0 / 6.0, "mte2": 2.0 / 6.0, "fixpipe": 0.8 / 6.0,
             "vector": 4.0 / 12.0, "vec_mte2": 1.8 / 12.0, "vec_mte3": 1.8 / 12.0}
