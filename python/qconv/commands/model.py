"""`qconv-kit model`: convert a whole network to int8 QuantConv2d layers, run it, and measure it.

    qconv-kit model --arch digits-cnn --backend cpu
    qconv-kit model --arch resnet50 --backend sim --soc ascend910b

Prints one line per converted layer (output shape, CPU-op time, twin time and outputs differing from the
CPU op with --backend sim), then the summary: top-1 (digits-cnn) or SQNR of the logits (resnet50) against
the float network. Exit status 1 if any twin output differs from the CPU op's.
"""
from __future__ import annotations

import argparse
import sys

from qconv import calibration, model_eval, model_run, models
from qconv._generated.socs import DEFAULT as DEFAULT_SOC, NAMES as SOC_NAMES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--arch", choices=models.ARCHS, required=True,
                        help="digits-cnn (trained here on scikit-learn's digits) or resnet50 (torchvision, random init)")
    parser.add_argument("--backend", choices=model_run.BACKENDS, default="cpu",
                        help="cpu: the CPU op; sim: also the Ascend C kernel in the twin, compared with the CPU op")
    parser.add_argument("--soc", choices=SOC_NAMES, default=DEFAULT_SOC, help=f"SoC (default {DEFAULT_SOC})")
    parser.add_argument("--method", choices=calibration.METHODS, default="minmax", help="calibration (default minmax)")
    parser.add_argument("--asymmetric", action="store_true",
                        help="per-tensor zero points (offset_x != 0; the model is then built for --soc)")
    parser.add_argument("--size", type=int, default=224, help="resnet50 input height = width (default 224)")
    parser.add_argument("--batch", type=int, default=1, help="resnet50 images to run (default 1)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def main(args: argparse.Namespace) -> int:
    if args.size < 32 or args.batch < 1:
        print("qconv-kit model: error: --size must be >= 32 and --batch >= 1", file=sys.stderr)
        return 2
    result = model_eval.evaluate(args.arch, backend=args.backend, soc=args.soc, method=args.method,
                                 symmetric=not args.asymmetric, size=args.size, batch=args.batch,
                                 progress=not args.no_progress)
    sim = args.backend == "sim"
    print(f"{args.arch}: {len(result.report.converted)} convolutions int8 on {args.backend}"
          + (f" (twin of {result.soc})" if sim else "") + f", calibration {args.method}, "
          + ("asymmetric" if args.asymmetric else "symmetric"))
    header = f"{'layer':<24} {'output shape':<20} {'cpu op (ms)':>11}"
    if sim:
        header += f" {'twin (ms)':>10} {'differ':>7}"
    print(header)
    for r in result.layers:
        line = f"{r.name:<24} {'x'.join(map(str, r.output_shape)):<20} {r.cpu_seconds * 1e3:>11.2f}"
        if sim:
            line += f" {r.sim_seconds * 1e3:>10.1f} {r.mismatches:>7}"
        print(line)
    print(result.report)
    m = result.metrics
    if args.arch == "digits-cnn":
        print(f"top-1 on the {m['test_images']} held-out digits: float {m['float_top1']:.2f} %, int8 {m['int8_top1']:.2f} % "
              f"({m['int8_top1'] - m['float_top1']:+.2f} points); logits SQNR {m['sqnr_db']:.1f} dB")
        if sim:
            print(f"predictions differing between the twin and the CPU op: {m['predictions_differing_from_cpu_op']}")
    else:
        print(f"logits SQNR int8 vs float: {m['sqnr_db']:.1f} dB on {args.batch} random "
              f"{args.size}x{args.size} image(s); top-1 agreement {m['top1_agreement']:.0f} %")
    if sim:
        print(f"twin vs CPU op: {result.mismatches} differing outputs over {len(result.layers)} layers")
    times = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
    print(f"time: {times}")
    return 1 if result.mismatches else 0
