"""qconv.quantize_model on small hand-built networks: the quantize step against AscendQuantV2's golden, BatchNorm
folding, what is converted and what is left float (and why), bad input, exactness of a converted layer,
torch.compile(fullgraph=True) and the state_dict round trip."""
from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from torch import nn

import qconv
from qconv import calibration, reference
from qconv.quantize import InputQuantize, QuantizedConv2d, quantized_layers


def small_net(groups_conv: bool = False) -> nn.Sequential:
    torch.manual_seed(0)
    layers = [nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
              nn.Conv2d(8, 8, 3, stride=2, padding=(0, 1), dilation=(2, 1), bias=False), nn.BatchNorm2d(8), nn.ReLU(),
              nn.Conv2d(8, 8, 3, padding=1, groups=2 if groups_conv else 1), nn.ReLU(),
              nn.Conv2d(8, 8, 3, padding=1, padding_mode="reflect"),
              nn.Conv2d(8, 4, 1, padding="same"),
              nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)]
    net = nn.Sequential(*layers)
    for m in net.modules():       # non-trivial running statistics, so folding is visible
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    return net.eval()


def batches(n=2, seed=0, shape=(4, 3, 12, 10)):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(shape, generator=g) for _ in range(n)]


def ascend_quant_v2_golden(x: np.ndarray, scale: float, offset: float) -> np.ndarray:
    """hicann/ops-nn quant/ascend_quant_v2/tests/assets/golden.py, round_mode 'round', int8 output: float32
    x * scale + offset, np.round (half to even), clip to [-128, 127]."""
    y = x.astype(np.float32) * np.float32(scale) + np.float32(offset)
    return np.clip(np.round(y), -128, 127).astype(np.int8)


@pytest.mark.parametrize("offset", [0, -128, 7, 127])
def test_quantize_step_is_ascend_quant_v2(offset):
    g = torch.Generator().manual_seed(offset & 0xFF)
    x = torch.randn(4096, generator=g) * 3
    ties = (torch.arange(-300, 300) + 0.5) / 10.0          # x * 10 lands on .5: half-to-even decides
    x = torch.cat([x, ties, torch.tensor([1e30, -1e30, 0.0, -0.0])])
    q = InputQuantize(10.0, offset)(x)
    assert q.dtype == torch.int8
    assert np.array_equal(q.numpy(), ascend_quant_v2_golden(x.numpy(), 10.0, offset))


def fma_sensitive_inputs(scale: float, offset: float) -> np.ndarray:
    """float32 x where round(float32(x * scale) + offset) (AscendQuantV2: two roundings) and the fused
    x * scale + offset (one rounding, what an FMA would give) round to different integers: x within a few
    ulps of (k + 0.5 - offset) / scale."""
    k = np.arange(-300, 300) + 0.5 - offset
    base = (k / scale).astype(np.float32).view(np.int32)
    x = np.concatenate([base + step for step in range(-3, 4)]).view(np.float32)
    separate = x * np.float32(scale) + np.float32(offset)
    fused = (x.astype(np.float64) * np.float64(np.float32(scale)) + offset).astype(np.float32)
    return x[np.round(separate) != np.round(fused)]


@pytest.mark.parametrize("scale, offset", [(3.0, -17), (0.7, 100)])
def test_quantize_step_rounds_twice_eager_and_compiled(scale, offset):
    """Two roundings, as the NPU's Mul then Add: neither eager nor torch.compile may fuse them into an FMA."""
    x = fma_sensitive_inputs(scale, offset)
    assert len(x) >= 20
    golden = ascend_quant_v2_golden(x, scale, offset)
    step = InputQuantize(scale, offset)
    compiled = torch.compile(step, fullgraph=True, dynamic=False)
    assert np.array_equal(step(torch.from_numpy(x)).numpy(), golden)
    assert np.array_equal(compiled(torch.from_numpy(x)).numpy(), golden)


def test_converts_what_the_op_supports_and_lists_the_rest():
    net = small_net(groups_conv=True)
    qmodel, report = qconv.quantize_model(net, batches())
    assert report.converted == ["0", "3"]
    assert set(report.left_float) == {"6", "8", "9"}
    assert "groups = 2" in report.left_float["6"]
    assert "padding_mode" in report.left_float["8"] and "'same'" in report.left_float["9"]
    assert report.float_compute == ["12 (Linear)"]
    assert report.folded_batchnorms == {"1": "0", "4": "3"}
    assert isinstance(qmodel[0], QuantizedConv2d) and isinstance(qmodel[1], nn.Identity)
    for name in report.left_float:
        assert type(qmodel.get_submodule(name)) is nn.Conv2d
    assert "convolutions left float: 3" in str(report) and "6: groups = 2" in str(report)
    assert type(net[0]) is nn.Conv2d and isinstance(net[1], nn.BatchNorm2d)   # the input model is untouched


def test_out_of_range_and_unreached_convolutions_stay_float():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.wide = nn.Conv2d(3, 4, 3, stride=64)            # stride 64 > 63
            self.unused = nn.Conv2d(3, 4, 1)
            self.ok = nn.Conv2d(3, 4, 1)
            self.own = Scaled(3, 4, 1)

        def forward(self, x):
            return self.wide(x).sum() + self.ok(x).sum() + self.own(x).sum()

    class Scaled(nn.Conv2d):
        def forward(self, x):
            return 2 * super().forward(x)

    _, report = qconv.quantize_model(Net().eval(), torch.randn(1, 3, 70, 70))
    assert report.converted == ["ok"]
    assert "stride" in report.left_float["wide"] and "[1, 63]" in report.left_float["wide"]
    assert report.left_float["unused"] == "not reached by the calibration data"
    assert report.left_float["own"] == "Scaled is a subclass of nn.Conv2d; only nn.Conv2d itself is converted"


def test_batchnorm_folding_keeps_the_float_function():
    from qconv.fold_bn import fold_batchnorms
    net = small_net()
    x = batches(1)[0]
    with torch.no_grad():
        before = net(x)
    folded = fold_batchnorms(net, x)
    assert folded == {"1": "0", "4": "3"}
    assert net[3].bias is not None                     # a bias-free conv gains the BatchNorm's shift
    with torch.no_grad():
        torch.testing.assert_close(net(x), before, rtol=1e-5, atol=1e-5)


def test_folding_refuses_a_convolution_whose_output_has_another_consumer():
    class Shared(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.bn = nn.Conv2d(3, 3, 1), nn.BatchNorm2d(3)
            self.bn.running_mean.fill_(1.0)

        def forward(self, x):
            y = self.conv(x)
            return self.bn(y) + y

    with pytest.raises(RuntimeError, match=r"folding BatchNorm into \['conv'\] changed the model's output"):
        qconv.quantize_model(Shared().eval(), torch.randn(1, 3, 4, 4))
    _, report = qconv.quantize_model(Shared().eval(), torch.randn(1, 3, 4, 4), fold_bn=False)
    assert report.converted == ["conv"] and report.folded_batchnorms == {}


@pytest.mark.parametrize("symmetric", [True, False])
def test_converted_layer_is_the_golden_of_its_quantized_input(symmetric):
    net = small_net()
    qmodel, report = qconv.quantize_model(net, batches(), symmetric=symmetric, method="percentile",
                                          percentile=99.9)
    x = batches(1, seed=5)[0]
    layer = qmodel[0]
    q = layer.quantize(x)
    if symmetric:
        assert int(layer.quantize.offset) == 0 and layer.conv.offset_x == 0
    else:
        assert layer.conv.offset_x == int(layer.quantize.offset) != 0 or int(q.min()) > -128
    expected = reference.quant_conv2d(q.numpy(), layer.conv.weight.numpy(), layer.conv.scale.numpy(),
                                      layer.conv.bias.numpy(), layer.conv.stride, layer.conv.padding,
                                      layer.conv.dilation, layer.conv.offset_x, soc=report.soc)
    with torch.no_grad():
        y = layer(x)
    assert y.dtype == torch.float32
    assert np.array_equal(y.numpy(), expected.astype(np.float32))


def test_int8_model_follows_the_float_model():
    net = small_net()
    x = batches(1, seed=3)[0]
    with torch.no_grad():
        ref = net(x)
    for method in calibration.METHODS:
        qmodel, _ = qconv.quantize_model(net, batches(4), method=method)
        with torch.no_grad():
            out = qmodel(x)
        from qconv.model_run import sqnr_db
        assert sqnr_db(ref, out) > 25, method


def test_state_dict_round_trip():
    net = small_net()
    qmodel, _ = qconv.quantize_model(net, batches(2, seed=0), symmetric=False)
    other, _ = qconv.quantize_model(net, batches(1, seed=9), symmetric=False)   # other scales and offsets
    buffer = io.BytesIO()
    torch.save(qmodel.state_dict(), buffer)
    buffer.seek(0)
    other.load_state_dict(torch.load(buffer))
    x = batches(1, seed=4)[0]
    with torch.no_grad():
        assert torch.equal(other(x), qmodel(x))
    for name, layer in quantized_layers(other).items():
        assert layer.conv.scale.dtype == torch.int64 and layer.conv.bias.dtype == torch.int32, name


def test_compiles_fullgraph_on_cpu():
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 4, 3, stride=2)).eval()
    qmodel, _ = qconv.quantize_model(net, batches(), symmetric=False)
    x = batches(1, seed=6)[0]
    compiled = torch.compile(qmodel, fullgraph=True, dynamic=False)
    with torch.no_grad():
        assert torch.equal(compiled(x), qmodel(x))


# --- bad input -----------------------------------------------------------------------------------------

def test_model_not_in_eval_mode():
    net = small_net()
    net[3].train()
    with pytest.raises(ValueError, match=r"model must be in eval mode .* in training mode: 3"):
        qconv.quantize_model(net, batches())
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        qconv.quantize_model(lambda x: x, batches())


@pytest.mark.parametrize("calib, error, message", [
    ([], ValueError, r"calibration is empty"),
    (torch.zeros(0, 3, 8, 8), ValueError, r"calibration\[0\] is empty \(shape \(0, 3, 8, 8\)\)"),
    ([torch.randn(2, 3, 8, 8), torch.randint(0, 9, (2, 3, 8, 8))], ValueError,
     r"calibration\[1\] must have dtype torch.float32, got torch.int64"),
    ([torch.randn(2, 3, 8, 8).half()], ValueError, r"calibration\[0\] must have dtype torch.float32"),
    ([torch.randn(3, 8, 8)], ValueError, r"calibration\[0\] must be a 4-D tensor \(N, C, H, W\), got shape \(3, 8, 8\)"),
    ([torch.randn(2, 5, 8, 8)], ValueError, r"calibration\[0\] of shape \(2, 5, 8, 8\) does not fit the model"),
    ([torch.full((1, 3, 8, 8), float("nan"))], ValueError, r"calibration\[0\] must be finite"),
    (["not a tensor"], TypeError, r"calibration\[0\] must be a torch.Tensor, got str"),
    (3, TypeError, r"calibration must be a tensor \(N, C, H, W\) or an iterable"),
])
def test_bad_calibration(calib, error, message):
    with pytest.raises(error, match=message):
        qconv.quantize_model(small_net(), calib)


def test_bad_options():
    with pytest.raises(ValueError, match=r"method = 'kl' is not supported; allowed: 'minmax', 'percentile'"):
        qconv.quantize_model(small_net(), batches(), method="kl")
    with pytest.raises(ValueError, match=r"percentile = 30 is out of the allowed range \(50, 100\]"):
        qconv.quantize_model(small_net(), batches(), method="percentile", percentile=30)
    with pytest.raises(ValueError, match=r"soc = 'ascend999' is not supported"):
        qconv.quantize_model(small_net(), batches(), soc="ascend999")


def test_calibration_accepts_loader_pairs():
    data = batches(2)
    _, report = qconv.quantize_model(small_net(), [(x, torch.zeros(len(x))) for x in data])
    _, same = qconv.quantize_model(small_net(), data)
    assert report.input_quant == same.input_quant
