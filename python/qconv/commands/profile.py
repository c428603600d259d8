"""`qconv-kit profile`: per-shape pipe summaries in one format, from an NPU profile or from the twin.

    qconv-kit profile --backend npu --dir <msprof op --output dir>   (tools/profile.sh makes one)
    qconv-kit profile --backend sim [--soc ascend910b] [--cases small_3x3,r50_l1_3x3]

The twin's columns come from its per-pipe counters through the cycle model of qconv.profiling (rates
from configs/socs.yaml): an ideal-overlap bound to set beside the NPU's measured ratios.
"""
from __future__ import annotations

import argparse
import sys

from qconv import profiling
from qconv._generated.socs import DEFAULT as DEFAULT_SOC


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("npu", "sim"), required=True,
                        help="npu: summarise msprof op CSVs from --dir; sim: run the cases in the CPU twin")
    parser.add_argument("--dir", help="msprof op output directory (--backend npu)")
    parser.add_argument("--soc", default=DEFAULT_SOC, help=f"SoC of the twin (--backend sim; default {DEFAULT_SOC})")
    parser.add_argument("--cases", help="comma-separated case names (default: all of "
                                        + ", ".join(c.name for c in profiling.PROFILE_CASES) + ")")


def main(args: argparse.Namespace) -> int:
    try:
        if args.backend == "npu":
            if not args.dir:
                raise ValueError("--dir is required with --backend npu (the msprof op --output directory)")
            summaries = profiling.summarise_msprof_output(args.dir)
            source = f"msprof op data in {args.dir}"
        else:
            from qconv import target
            from qconv._generated.socs import SOCS
            if args.soc not in SOCS:
                raise ValueError(f"--soc = {args.soc} is not supported; allowed: {', '.join(SOCS)}")
            summaries = profiling.profile_sim(profiling.find_cases(args.cases), args.soc)
            source = (f"CPU twin of {args.soc}, cycle model of qconv.profiling (ideal overlap, not a measurement); "
                      f"{target.describe(args.soc)}")
    except (ValueError, profiling.ProfileDataError) as exc:
        print(f"qconv-kit profile: error: {exc}", file=sys.stderr)
        return 2
    print(f"# {source}")
    print(profiling.format_table(summaries))
    return 0
