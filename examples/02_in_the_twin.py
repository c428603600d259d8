"""Example 2: the Ascend C kernel itself (op_kernel/), run in the CPU twin of each SoC (sim/).

    .venv/bin/python examples/02_in_the_twin.py

qconv.sim.run tiles the problem with op_host's tiling engine, runs the kernel source on every simulated
core (each out-of-bounds access, missing synchronisation or never-written output byte would raise
qconv.sim.SimError) and returns the output with what each core issued per pipe. The case comes from the
kit's catalogue (python/qconv/cases.py), which also makes its seeded inputs. offset_x is 0 here: what a
non-zero offset_x means depends on the SoC (README.md, "What it computes").
"""
import dataclasses

import numpy as np

import qconv
from qconv import cases, reference

case = dataclasses.replace(cases.by_name(cases.RUN_CASES, ["r50_l1_3x3"])[0], hw=(28, 28))  # 64 -> 64, 3x3, pad 1
x, weight, scale, bias = cases.make_inputs(case)
golden = reference.quant_conv2d(x.numpy(), weight.numpy(), scale.numpy(), bias.numpy(), **case.attrs)

for soc in ("ascend910b", "ascend310p"):
    y, counters = qconv.sim.run(x, weight, scale, bias, **case.attrs, soc=soc)
    differ = int(np.count_nonzero(y.numpy().view(np.uint16) != golden.view(np.uint16)))
    print(f"{soc}: {case.shape()} on {counters.tiling['block_dim']} blocks ({len(counters.cores)} simulated cores), "
          f"{differ} of {golden.size} outputs differ from the golden")
    print(counters.table())
    assert differ == 0
    # Every multiply-accumulate went through the cube unit (in whole fractals, so at least the MACs).
    assert counters.total("CUBE", "elements") >= case.macs
print("OK: bit-exact in the twin of every SoC tried")
