"""Whole networks through the kit (qconv.model_eval): digits-cnn float vs int8 top-1 on its 449 held-out digits,
ResNet-50 (torchvision, random init, 224 x 224) SQNR of the int8 logits against the float logits, for each
calibration setting on the CPU op; then both networks through the twin (qconv.sim) of each SoC asked for,
with the outputs differing from the CPU op and the wall time. Prints; asserts nothing.

    python bench/bench_model.py [--socs ascend910b,ascend310p] [--batch 4] [--quick] [--compile]

--compile also compiles the converted ResNet-50 with torch.compile(fullgraph=True) on the CPU and compares
it with eager (minutes: inductor compiles 53 quantize steps and the float layers).
"""
from __future__ import annotations

import argparse

import time

import torch

import qconv
from qconv import model_eval, models

SETTINGS = [("minmax", True), ("percentile", True), ("minmax", False), ("percentile", False)]


def _setting(method: str, symmetric: bool) -> str:
    return f"{method}, {'symmetric' if symmetric else 'asymmetric'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socs", default="ascend910b,ascend310p", help="SoCs whose twin runs both networks")
    parser.add_argument("--batch", type=int, default=4, help="ResNet-50 images for the SQNR (default 4)")
    parser.add_argument("--quick", action="store_true", help="ResNet-50 at 64 x 64 instead of 224 x 224")
    parser.add_argument("--compile", action="store_true", help="also torch.compile(fullgraph=True) the int8 ResNet-50")
    args = parser.parse_args()
    size = 64 if args.quick else 224

    print("qconv-kit whole-model benchmark")
    print(f"\n{'network':<11} {'calibration':<24} {'backend':<17} {'float':>8} {'int8':>8} {'SQNR dB':>8} "
          f"{'differ':>7} {'run (s)':>8}")

    def row(result, setting):
        m = result.metrics
        backend = result.backend + (f" {result.soc}" if result.backend == "sim" else "")
        if result.arch == "digits-cnn":
            acc = f"{m['float_top1']:>7.2f}% {m['int8_top1']:>7.2f}%"
        else:
            acc = f"{'-':>8} {'-':>8}"
        differ = str(result.mismatches) if result.backend == "sim" else "-"
        print(f"{result.arch:<11} {setting:<24} {backend:<17} {acc} {m['sqnr_db']:>8.1f} {differ:>7} "
              f"{result.seconds['run']:>8.1f}", flush=True)

    for method, symmetric in SETTINGS:
        row(model_eval.evaluate_digits("cpu", method=method, symmetric=symmetric), _setting(method, symmetric))
    for method, symmetric in SETTINGS:
        row(model_eval.evaluate_resnet50("cpu", method=method, symmetric=symmetric, size=size, batch=args.batch,
                                         calibration=args.batch), _setting(method, symmetric))
    for soc in args.socs.split(","):
        result = model_eval.evaluate_digits("sim", soc=soc)
        row(result, _setting("minmax", True))
        print(f"{'':<11} predictions differing from the CPU op: {result.metrics['predictions_differing_from_cpu_op']}")
        row(model_eval.evaluate_resnet50("sim", soc=soc, size=size, batch=1, calibration=args.batch),
            _setting("minmax", True))
    if args.compile:
        qmodel, _ = qconv.quantize_model(models.resnet50(seed=0), models.random_images(2, size=size, seed=1))
        x = models.random_images(1, size=size, seed=2)
        start = time.perf_counter()
        with torch.no_grad():
            compiled = torch.compile(qmodel, fullgraph=True, dynamic=False)(x)
            eager = qmodel(x)
        print(f"\ntorch.compile(fullgraph=True) of the int8 ResNet-50 ({size} x {size}): compile + first run "
              f"{time.perf_counter() - start:.0f} s, bit-identical to eager: {'yes' if torch.equal(compiled, eager) else 'NO'}")
    print(f"\nResNet-50: {size} x {size}, {args.batch} random images (N(0, 1)) calibrate and {args.batch} others are "
          "measured on the CPU op; one image through the twin. digits-cnn: trained here, calibrated on 256 "
          "training images.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
