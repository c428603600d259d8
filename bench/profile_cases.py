"""The application tools/profile.sh runs under `msprof op`: each shape of qconv.cases.PROFILE_CASES
launched `--repeats` times on the current NPU, in order. It writes <output>/launches.txt, one shape label
per launch, so that `qconv-kit profile --backend npu --dir <output>` labels each row with its shape.

    python bench/profile_cases.py --output <dir> [--repeats 1] [--cases small_3x3,r50_l1_3x3]

Needs torch_npu with a device and the installed op package (qconv.npu.status() says what is missing).
"""
from __future__ import annotations

import argparse
import pathlib
import sys

import torch

import qconv
from qconv import cases, npu, profiling


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", required=True, type=pathlib.Path, help="the msprof op --output directory")
    ap.add_argument("--repeats", type=int, default=1, help="launches per shape (msprof --launch-count = "
                                                           "repeats x number of shapes)")
    ap.add_argument("--cases", help="comma-separated case names (default: all)")
    args = ap.parse_args(argv)
    if args.repeats < 1:
        print(f"profile_cases: --repeats = {args.repeats} is out of the allowed range [1, inf)", file=sys.stderr)
        return 2
    try:
        cases = profiling.find_cases(args.cases)
    except ValueError as exc:
        print(f"profile_cases: {exc}", file=sys.stderr)
        return 2
    status = npu.status()
    if not (status["npu_device"] and status["op_package_installed"]):
        print(f"profile_cases: the NPU path is not usable here: {status}. {npu.BUILD_HINT}", file=sys.stderr)
        return 1
    device = torch.device("npu", torch.npu.current_device())
    labels = []
    for case in cases:
        x, w, scale, bias = (None if t is None else t.to(device) for t in cases.make_inputs(case))
        for _ in range(args.repeats):
            qconv.quant_conv2d(x, w, scale, case.stride, case.padding, case.dilation, 1, case.offset_x, "rint",
                               torch.float16, bias)
            labels.append(case.label)
        torch.npu.synchronize()
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / profiling.LAUNCHES_FILE).write_text("\n".join(labels) + "\n")
    print(f"profile_cases: {len(labels)} launches of {len(cases)} shapes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
