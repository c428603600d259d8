"""`qconv-kit roofline`: a network's convolutions in the twin, per layer modelled time vs the minimal-traffic
bound (qconv.roofline).

    qconv-kit roofline --soc ascend910b --model resnet50 --batch 1 [--plot resnet50_910b.png]
"""
from __future__ import annotations

import argparse
import sys

from qconv import roofline
from qconv._generated.socs import DEFAULT as DEFAULT_SOC
from qconv._generated.socs import SOCS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--soc", default=DEFAULT_SOC, help=f"SoC of the twin (default {DEFAULT_SOC}; "
                                                           f"allowed: {', '.join(SOCS)})")
    parser.add_argument("--model", default="resnet50", help=f"network (allowed: {', '.join(roofline.MODELS)})")
    parser.add_argument("--batch", default="1", help="images per launch (default 1)")
    parser.add_argument("--weight-format", default="FRACTAL_Z",
                        help="FRACTAL_Z (packed once, as QuantConv2d deploys it; default) or NCHW (laid out per launch)")
    parser.add_argument("--layers", metavar="NAMES", help="comma-separated layer names (default: every layer)")
    parser.add_argument("--plot", metavar="FILE.png", help="also draw modelled time vs bound per layer")


def main(args: argparse.Namespace) -> int:
    try:
        if args.soc not in SOCS:
            raise ValueError(f"--soc = {args.soc!r} is not supported; allowed: {', '.join(SOCS)}")
        try:
            batch = int(args.batch)
        except ValueError:
            raise ValueError(f"--batch = {args.batch!r} is not supported; allowed: an integer >= 1") from None
        names = args.layers.split(",") if args.layers else None
        roofline.layers(args.model, batch, names)     # refuses a bad model, batch or layer name up front
        if args.weight_format not in roofline.WEIGHT_FORMATS:
            raise ValueError(f"--weight-format = {args.weight_format!r} is not supported; allowed: "
                             f"{', '.join(roofline.WEIGHT_FORMATS)}")
    except ValueError as e:
        print(f"qconv-kit roofline: {e}", file=sys.stderr)
        return 2
    from tqdm import tqdm

    progress = lambda items: tqdm(items, desc=f"{args.model} b{batch} {args.soc}", unit="layer",  # noqa: E731
                                  leave=False, file=sys.stderr)
    rows = roofline.run(args.model, args.soc, batch, args.weight_format, progress, names)
    print(f"{args.model}, batch {batch}, {args.soc}, weights {args.weight_format}; model: twin counts x "
          "configs/socs.yaml rates (qconv.cycle_model); bound: x, weight, y moved once at the chip's HBM "
          "bandwidth, or the cube's peak")
    print(roofline.format_table(rows, args.soc))
    if args.plot:
        roofline.plot(rows, args.soc, args.plot)
        print(f"plot: {args.plot}")
    return 0
