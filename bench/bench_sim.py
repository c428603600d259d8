"""How fast the CPU twin runs the kernel: the 53 ResNet-50 convolutions (batch 1) through qconv.sim.run,
per-layer and total wall time, and simulated multiply-accumulates per second. Prints; asserts nothing
(target on a 2-core machine: the whole set in under 60 s).

    python bench/bench_sim.py [--soc ascend910b] [--check]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from qconv import cases, reference, sim, target
from qconv._generated.socs import DEFAULT as DEFAULT_SOC


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soc", default=DEFAULT_SOC, help=f"SoC to simulate (default {DEFAULT_SOC})")
    parser.add_argument("--check", action="store_true", help="also compare every layer with the golden (untimed)")
    args = parser.parse_args()

    print(f"qconv-kit twin benchmark: ResNet-50 convolutions, batch 1, {target.describe(args.soc)}")
    print(f"{'layer':<22} {'MACs (M)':>9} {'blocks':>6} {'time (s)':>9} {'MAC/s (M)':>10} {'cube instr':>10}"
          + ("  exact" if args.check else ""))
    total_time = 0.0
    total_macs = 0
    for index, layer in enumerate(cases.RESNET50):
        x, w, scale, bias = cases.make_inputs(layer, seed=index)
        start = time.perf_counter()
        y, counters = sim.run(x, w, scale, bias, **layer.attrs, soc=args.soc)
        elapsed = time.perf_counter() - start
        total_time += elapsed
        total_macs += layer.macs
        line = (f"{layer.name:<22} {layer.macs / 1e6:>9.1f} {counters.tiling['block_dim']:>6} {elapsed:>9.3f} "
                f"{layer.macs / elapsed / 1e6:>10.1f} {counters.total('CUBE'):>10}")
        if args.check:
            golden = reference.quant_conv2d(x.numpy(), w.numpy(), scale.numpy(), bias.numpy(), **layer.attrs,
                                            soc=args.soc)
            line += "  yes" if np.array_equal(y.numpy().view(np.uint16), golden.view(np.uint16)) else "  NO"
        print(line)
    print(f"total: {len(cases.RESNET50)} layers, {total_macs / 1e9:.2f} GMACs in {total_time:.1f} s "
          f"(target < 60 s), simulated {total_macs / total_time / 1e6:.0f} MMAC/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
