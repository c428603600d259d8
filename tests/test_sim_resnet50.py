"""All 53 convolutions of ResNet-50 (batch 1, 224 x 224) through the kernel in the CPU twin, bit-exact with
the golden, on A2 and A3 (split cores, ws.acc hand-off) and on 310P (coupled core, L0C -> UB). Layers alternate
int64 and float32 scales and use a nonzero offset_x so padding is exercised."""
from __future__ import annotations

import numpy as np
import pytest

from qconv import _native, reference, resnet50

try:
    _native.load("_sim")
except _native.NativeModuleMissing as e:  # pragma: no cover - reported, not hidden
    pytest.fail(str(e), pytrace=False)

from qconv import sim  # noqa: E402


@pytest.mark.parametrize("soc", ("ascend910b", "ascend910_93", "ascend310p"))
@pytest.mark.parametrize("index", range(len(resnet50.LAYERS)), ids=[layer.name for layer in resnet50.LAYERS])
def test_resnet50_layer_bit_exact(soc, index):
    layer = resnet50.LAYERS[index]
    d = resnet50.make_inputs(layer, seed=index, float_scale=index % 2 == 1, offset_x=-5 if index % 3 else 0)
    y, counters = sim.run(d["x"], d["weight"], d["scale"], d["bias"], stride=d["stride"], padding=d["padding"],
                          offset_x=d["offset_x"], soc=soc)
    golden = reference.quant_conv2d(d["x"].numpy(), d["weight"].numpy(), d["scale"].numpy(), d["bias"].numpy(),
                                    d["stride"], d["padding"], 1, d["offset_x"])
    assert tuple(y.shape) == (1, layer.cout, layer.out_hw, layer.out_hw)
    differ = np.count_nonzero(y.numpy().view(np.uint16) != golden.view(np.uint16))
    assert differ == 0, f"{layer.name} on {soc}: {differ} of {golden.size} outputs differ from the golden"
    # Every multiply-accumulate of the layer went through the cube (whole fractals, so at least the MACs).
    assert counters.total("CUBE", "elements") >= layer.macs
