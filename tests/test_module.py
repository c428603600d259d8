"""QuantConv2d: torch_npu's signature and parameters, range checks, forward, from_float, state_dict."""
import inspect
import io
import re

import pytest
import torch
from torch import nn

from qconv import QuantConv2d, reference
from qconv.scale import trans_quant_param

TORCH_NPU_SIGNATURE = ("in_channels, out_channels, kernel_size, output_dtype, stride=1, padding=0, dilation=1, "
                       "groups=1, bias=True, offset=False, offset_x=0, round_mode='rint', device=None, dtype=None")


def filled(m: QuantConv2d, seed=0, float_scale=False):
    g = torch.Generator().manual_seed(seed)
    m.weight.data = torch.randint(-128, 128, m.weight.shape, generator=g, dtype=torch.int8)
    scale = torch.rand(m.out_channels, generator=g) * 2.0**-10
    m.scale.data = scale if float_scale else trans_quant_param(scale)
    if m.bias is not None:
        m.bias.data = torch.randint(-2**20, 2**20, (m.out_channels,), generator=g, dtype=torch.int32)
    return m


def test_signature_matches_torch_npu():
    sig = str(inspect.signature(QuantConv2d.__init__)).replace("self, ", "")
    assert sig == f"({TORCH_NPU_SIGNATURE})"
    assert list(inspect.signature(QuantConv2d.forward).parameters) == ["self", "quant_conv2d_input"]


def test_parameters_shapes_and_dtypes():
    m = QuantConv2d(3, 8, (3, 5), torch.float16, stride=2, padding=(1, 2))
    params = dict(m.named_parameters())
    assert params["weight"].shape == (8, 3, 3, 5) and params["weight"].dtype == torch.int8
    assert params["scale"].shape == (8,) and params["scale"].dtype == torch.int64
    assert params["bias"].shape == (8,) and params["bias"].dtype == torch.int32
    assert m.offset is None and not any(p.requires_grad for p in m.parameters())
    assert (m.kernel_size, m.stride, m.padding, m.dilation) == ((3, 5), (2, 2), (1, 2), (1, 1))
    assert QuantConv2d(3, 8, 1, torch.float16, bias=False).bias is None


@pytest.mark.parametrize("kwargs,text", [
    (dict(kernel_size=0), "kernel_size[0] = 0 is out of the allowed range [1, 255]"),
    (dict(kernel_size=(3, 256)), "kernel_size[1] = 256 is out of the allowed range [1, 255]"),
    (dict(stride=64), "stride[0] = 64 is out of the allowed range [1, 63]"),
    (dict(stride=(1, 0)), "stride[1] = 0 is out of the allowed range [1, 63]"),
    (dict(padding=-1), "padding[0] = -1 is out of the allowed range [0, 255]"),
    (dict(padding=(0, 256)), "padding[1] = 256 is out of the allowed range [0, 255]"),
    (dict(dilation=0), "dilation[0] = 0 is out of the allowed range [1, 255]"),
    (dict(groups=2), "groups = 2 is out of the allowed range [1, 1]"),
    (dict(offset_x=128), "offset_x = 128 is out of the allowed range [-128, 127]"),
    (dict(offset_x=-129), "offset_x = -129 is out of the allowed range [-128, 127]"),
    (dict(output_dtype=torch.float32), "output_dtype = torch.float32 is not supported; allowed: torch.float16"),
    (dict(offset=True), "offset = True is not supported; allowed: False (reserved)"),
    (dict(round_mode="round"), "round_mode = 'round' is not supported; allowed: 'rint'"),
    (dict(in_channels=0), "in_channels = 0 is out of the allowed range"),
    (dict(stride=(1, 2, 3)), "stride must have 2 elements, got 3"),
])
def test_construction_range_checks(kwargs, text):
    args = dict(in_channels=4, out_channels=4, kernel_size=3, output_dtype=torch.float16)
    args.update(kwargs)
    with pytest.raises(ValueError, match=re.escape(text)):
        QuantConv2d(**args)


@pytest.mark.parametrize("float_scale", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_forward_equals_golden(float_scale, bias):
    m = filled(QuantConv2d(16, 8, 3, torch.float16, stride=(1, 2), padding=(2, 1), dilation=(2, 1), bias=bias,
                           offset_x=-11), float_scale=float_scale)
    x = torch.randint(-128, 128, (2, 16, 13, 15), dtype=torch.int8)
    out = m(x)
    expected = reference.quant_conv2d(x, m.weight, m.scale, m.bias, m.stride, m.padding, m.dilation, m.offset_x)
    assert torch.equal(out.view(torch.int16), expected.view(torch.int16))


@pytest.mark.parametrize("mutate,exc,text", [
    (lambda m, x: (m, x.float()), TypeError, "input must have dtype torch.int8, got torch.float32"),
    (lambda m, x: (m, x[0]), ValueError, "input must be a 4-D tensor, got a 3-D tensor"),
    (lambda m, x: (m, x[:, :3]), ValueError, "input.shape[1] = 3 must equal in_channels = 4"),
    (lambda m, x: (setattr(m.weight, "data", m.weight.data.int()) or m, x), TypeError,
     "weight must have dtype torch.int8, got torch.int32"),
    (lambda m, x: (setattr(m.weight, "data", m.weight.data[:, :, :2]) or m, x), ValueError,
     "weight.shape = (2, 4, 2, 3) must equal (out_channels, in_channels, *kernel_size) = (2, 4, 3, 3)"),
    (lambda m, x: (setattr(m.scale, "data", m.scale.data.half()) or m, x), TypeError,
     "scale must have dtype torch.int64 or torch.float32, got torch.float16"),
    (lambda m, x: (setattr(m.scale, "data", m.scale.data[:1]) or m, x), ValueError,
     "scale.shape = (1,) must equal (out_channels,) = (2,)"),
    (lambda m, x: (setattr(m.bias, "data", m.bias.data.long()) or m, x), TypeError,
     "bias must have dtype torch.int32, got torch.int64"),
    (lambda m, x: (m, torch.zeros(1, 4, 1, 1, dtype=torch.int8)), ValueError, "output size (Ho, Wo) = (-1, -1)"),
])
def test_forward_validation(mutate, exc, text):
    m = filled(QuantConv2d(4, 2, 3, torch.float16))
    m, x = mutate(m, torch.zeros(1, 4, 5, 5, dtype=torch.int8))
    with pytest.raises(exc, match=re.escape(text)):
        m(x)


def test_extra_repr():
    r = repr(QuantConv2d(3, 8, 3, torch.float16, padding=1, bias=False, offset_x=-4))
    assert r == ("QuantConv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=1, "
                 "bias=False, offset_x=-4, output_dtype=torch.float16)")


@pytest.mark.parametrize("float_scale", [False, True])
def test_state_dict_round_trip(float_scale):
    m = filled(QuantConv2d(8, 4, 3, torch.float16, padding=1, offset_x=2), seed=5, float_scale=float_scale)
    buf = io.BytesIO()
    torch.save(m.state_dict(), buf)
    buf.seek(0)
    fresh = QuantConv2d(8, 4, 3, torch.float16, padding=1, offset_x=2)
    fresh.load_state_dict(torch.load(buf))
    for name in ("weight", "scale", "bias"):
        a, b = getattr(m, name), getattr(fresh, name)
        assert a.dtype == b.dtype and torch.equal(a, b), name
    x = torch.randint(-128, 128, (1, 8, 6, 6), dtype=torch.int8)
    assert torch.equal(m(x).view(torch.int16), fresh(x).view(torch.int16))
    assert set(m.state_dict()) == {"weight", "scale", "bias"}


def test_from_float_tracks_the_float_layer():
    torch.manual_seed(0)
    conv = nn.Conv2d(16, 12, 3, stride=1, padding=1).double()
    x = torch.randn(2, 16, 10, 10, dtype=torch.float64)
    input_scale, offset_x = 4.0 / 127, 7
    q = QuantConv2d.from_float(conv, input_scale, offset_x)
    xq = QuantConv2d.quantize_input(x, input_scale, offset_x)
    x_seen = (xq.double() - offset_x) * input_scale           # what the int8 layer sees, dequantized
    out = q(xq).double()
    ref = conv(x_seen).detach()
    # Bound per output: weight rounding (s_w/2 * sum|x|), bias rounding, fp19 scale (2^-11 relative)
    # and the float16 rounding (2^-11 relative), with a little slack for the float64 reference itself.
    w_scale = conv.weight.detach().abs().amax(dim=(1, 2, 3)) / 127
    abs_x = torch.nn.functional.conv2d(x_seen.abs(), torch.ones_like(conv.weight), padding=1)
    bound = (w_scale.view(1, -1, 1, 1) / 2 * abs_x + input_scale * w_scale.view(1, -1, 1, 1)
             + 2.0**-10 * ref.abs() + 1e-6)
    err = (out - ref).abs()
    assert (err <= bound).all(), float((err - bound).max())
    # and it is a real approximation, not a trivially loose one
    assert err.mean() < 0.02 * ref.abs().mean()
    assert q.weight.dtype == torch.int8 and q.scale.dtype == torch.int64 and q.bias.dtype == torch.int32
    assert q.weight.abs().max() <= 127


def test_from_float_rejects_what_it_cannot_represent():
    with pytest.raises(ValueError, match="groups = 2 is not supported"):
        QuantConv2d.from_float(nn.Conv2d(4, 4, 3, groups=2), 0.1)
    with pytest.raises(ValueError, match="padding"):
        QuantConv2d.from_float(nn.Conv2d(4, 4, 3, padding="same"), 0.1)


def test_import_needs_no_torch_npu_and_no_compiled_module():
    import subprocess
    import sys
    code = ("import sys, qconv, torch; "
            "assert hasattr(torch.ops.qconv, 'quant_conv2d'); "
            "loaded = [m for m in sys.modules if m.startswith(('torch_npu', 'torchair')) "
            "or (m.startswith('qconv._') and m not in ('qconv._generated', 'qconv._native', 'qconv._after_import') "
            "and not m.startswith('qconv._generated.'))]; "
            "assert not loaded, loaded")
    done = subprocess.run([sys.executable, "-W", "error::UserWarning", "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
