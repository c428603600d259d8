"""The kernel against the hardware's limit: ResNet-50's convolutions in the twin, per layer the modelled time
(qconv.cycle_model: the twin's exact counts x the cited rates of configs/socs.yaml) beside the minimal-traffic
roofline (x, weight, y moved once at the chip's HBM bandwidth, or the cube's peak), on every SoC. Prints;
asserts nothing. Targets (issue: kernel performance): summed over the 53 layers at batch 1, model / bound
<= 1.5 on ascend910b and ascend910_93, <= 2.0 on ascend310p, no layer above 3x; batch 16 on 910b <= 1.25.

    python bench/bench_roofline.py [--socs ascend910b,ascend310p] [--batch 1] [--weight-format FRACTAL_Z|NCHW]
                                   [--layers] [--plot-dir DIR]
"""
from __future__ import annotations

import argparse
import pathlib
import sys

from tqdm import tqdm

from qconv import roofline
from qconv._generated.socs import SOCS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socs", default=",".join(SOCS), help="comma-separated SoCs (default: all)")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--weight-format", default="FRACTAL_Z", choices=roofline.WEIGHT_FORMATS)
    parser.add_argument("--layers", action="store_true", help="print every layer, not only the totals")
    parser.add_argument("--plot-dir", help="write <soc>_b<batch>.png per SoC")
    args = parser.parse_args()
    socs = args.socs.split(",")
    unknown = [s for s in socs if s not in SOCS]
    if unknown:
        parser.error(f"--socs = {','.join(unknown)} is not supported; allowed: {', '.join(SOCS)}")
    totals = []
    for soc in socs:
        rows = roofline.run("resnet50", soc, args.batch, args.weight_format,
                            lambda items: tqdm(items, desc=soc, unit="layer", leave=False, file=sys.stderr))
        if args.layers:
            print(roofline.format_table(rows, soc))
        if args.plot_dir:
            path = pathlib.Path(args.plot_dir) / f"{soc}_b{args.batch}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            roofline.plot(rows, soc, str(path))
        model, bound = sum(r.model_us for r in rows), sum(r.bound_us for r in rows)
        worst = max(rows, key=lambda r: r.ratio)
        floor = sum(r.floor_us for r in rows)
        totals.append((soc, model, bound, worst, sum(r.ratio > 3 for r in rows), floor))
    print(f"ResNet-50 convolutions, batch {args.batch}, weights {args.weight_format}")
    print(f"{'soc':<14} {'model_us':>9} {'bound_us':>9} {'ratio':>6} {'worst layer':<24} {'>3x':>4} "
          f"{'floor_us':>9} {'floor/bound':>11}")
    for soc, model, bound, worst, above, floor in totals:
        print(f"{soc:<14} {model:>9.1f} {bound:>9.1f} {model / bound:>6.2f} "
              f"{worst.name + f' {worst.ratio:.2f}x':<24} {above:>4} {floor:>9.1f} {floor / bound:>11.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
