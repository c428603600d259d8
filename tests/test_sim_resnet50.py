"""All 53 convolutions of ResNet-50 (batch 1, 224 x 224) through the kernel in the CPU twin, bit-exact with
the golden, on A2 and A3 (split cores, ws.acc hand-off) and on 310P (coupled core, L0C -> UB). Layers alternate
int64 and float32 scales, plain and pre-packed (FRACTAL_Z) filters, and use a nonzero offset_x so padding is
exercised (on 310P with its zero-point semantics)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from qconv import _native, cases, reference
from qconv.weight_format import pack_fractal_z

try:
    _native.load("_sim")
except _native.NativeModuleMissing as e:  # pragma: no cover - reported, not hidden
    pytest.fail(str(e), pytrace=False)

from qconv import sim  # noqa: E402


@pytest.mark.parametrize("soc", ("ascend910b", "ascend910_93", "ascend310p"))
@pytest.mark.parametrize("index", range(len(cases.RESNET50)), ids=[layer.name for layer in cases.RESNET50])
def test_resnet50_layer_bit_exact(soc, index):
    layer = dataclasses.replace(cases.RESNET50[index], scale_dtype="float32" if index % 2 else "int64",
                                offset_x=-5 if index % 3 else 0)
    x, w, scale, bias = cases.make_inputs(layer, seed=index)
    # Layers alternate the filter's format too: plain (laid out by the kernel) and pre-packed FRACTAL_Z.
    weight = pack_fractal_z(w) if index % 2 == 0 else w
    y, counters = sim.run(x, weight, scale, bias, **layer.attrs, soc=soc)
    golden = reference.quant_conv2d(x.numpy(), w.numpy(), scale.numpy(), bias.numpy(), **layer.attrs, soc=soc)
    assert tuple(y.shape) == (1, layer.cout, *layer.out_hw)
    differ = np.count_nonzero(y.numpy().view(np.uint16) != golden.view(np.uint16))
    assert differ == 0, f"{layer.name} on {soc}: {differ} of {golden.size} outputs differ from the golden"
    # Every multiply-accumulate of the layer went through the cube (whole fractals, so at least the MACs).
    assert counters.total("CUBE", "elements") >= layer.macs
