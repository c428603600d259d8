"""Bad input never crashes: clear ValueError/TypeError, callers' tensors untouched, garbage high bits of
an int64 scale ignored exactly as the hardware ignores them."""
import pytest
import torch
from hypothesis import HealthCheck, event, given, settings, strategies as st

import qconv
from qconv import QuantConv2d, reference
from qconv.scale import trans_quant_param
from qconv.shapes import pair

DTYPES = [torch.int8, torch.uint8, torch.int32, torch.int64, torch.float16, torch.float32, torch.bool]


def tensor(shape, dtype, g):
    if dtype == torch.bool:
        return torch.rand(shape, generator=g) < 0.5
    if dtype.is_floating_point:
        return torch.randn(shape, generator=g).to(dtype)
    lo, hi = (0, 256) if dtype == torch.uint8 else (-128, 128)
    return torch.randint(lo, hi, shape, generator=g, dtype=dtype)


shape_st = st.lists(st.integers(0, 6), min_size=0, max_size=5).map(tuple)
GARBAGE = {
    "x_shape": shape_st, "w_shape": shape_st, "s_shape": shape_st, "b_shape": st.none() | shape_st,
    "x_dtype": st.sampled_from(DTYPES), "w_dtype": st.sampled_from(DTYPES), "s_dtype": st.sampled_from(DTYPES),
    "b_dtype": st.sampled_from(DTYPES),
    "strides": st.integers(-2, 70) | st.lists(st.integers(-2, 70), max_size=3),
    "pads": st.integers(-2, 300) | st.lists(st.integers(-2, 300), max_size=3),
    "dilations": st.integers(-2, 300) | st.lists(st.integers(-2, 300), max_size=3),
    "groups": st.integers(-1, 3), "offset_x": st.integers(-300, 300),
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), broken=st.sets(st.sampled_from(sorted(GARBAGE)), max_size=2),
       n=st.integers(0, 2), cin=st.integers(1, 4), cout=st.integers(1, 4), k=st.integers(1, 3), hw=st.integers(3, 9),
       seed=st.integers(0, 1000))
def test_fuzzed_arguments_raise_clear_errors_or_run(data, broken, n, cin, cout, k, hw, seed):
    """A valid problem with up to two arguments replaced by garbage."""
    args = {"x_shape": (n, cin, hw, hw + 1), "w_shape": (cout, cin, k, k), "s_shape": (cout,),
            "b_shape": data.draw(st.sampled_from([None, (cout,)])), "x_dtype": torch.int8, "w_dtype": torch.int8,
            "s_dtype": data.draw(st.sampled_from([torch.int64, torch.float32])), "b_dtype": torch.int32,
            "strides": data.draw(st.lists(st.integers(1, 3), min_size=2, max_size=2)),
            "pads": data.draw(st.lists(st.integers(0, 2), min_size=2, max_size=2)),
            "dilations": data.draw(st.lists(st.integers(1, 2), min_size=2, max_size=2)),
            "groups": 1, "offset_x": data.draw(st.integers(-128, 127))}
    for name in broken:
        args[name] = data.draw(GARBAGE[name], label=name)
    g = torch.Generator().manual_seed(seed)
    x, w, s = (tensor(args[f"{t}_shape"], args[f"{t}_dtype"], g) for t in "xws")
    b = None if args["b_shape"] is None else tensor(args["b_shape"], args["b_dtype"], g)
    if args["s_dtype"] == torch.int64 and s.dim() == 1:
        s = trans_quant_param(torch.rand(s.shape, generator=g))
    strides, pads, dilations, offset_x = (args[k] for k in ("strides", "pads", "dilations", "offset_x"))
    originals = [t.clone() for t in (x, w, s, b) if t is not None]
    try:
        out = qconv.quant_conv2d(x, w, s, strides, pads, dilations, args["groups"], offset_x, bias=b)
    except (ValueError, TypeError) as e:
        event(f"rejected: {type(e).__name__}")
        assert str(e)
    else:
        event("ran" if out.numel() else "ran, empty output")
        assert out.dtype == torch.float16 and out.dim() == 4
        if out.numel():
            expected = reference.quant_conv2d(x, w, s, b, pair(strides), pair(pads), pair(dilations), offset_x)
            assert torch.equal(out.view(torch.int16), expected.view(torch.int16))
    for t, o in zip([t for t in (x, w, s, b) if t is not None], originals):
        assert torch.equal(t, o)


def test_nan_and_inf_float_scale_is_a_clear_error():
    m = QuantConv2d(2, 3, 1, torch.float16)
    m.scale.data = torch.tensor([1.0, float("nan"), 2.0])
    with pytest.raises(ValueError, match=r"scale must be finite, but scale\[1\] = nan"):
        m(torch.zeros(1, 2, 4, 4, dtype=torch.int8))
    m.scale.data = torch.tensor([1.0, 2.0, -float("inf")])
    with pytest.raises(ValueError, match=r"scale must be finite, but scale\[2\] = -inf"):
        m(torch.zeros(1, 2, 4, 4, dtype=torch.int8))


def test_int64_scale_garbage_high_and_low_bits_are_ignored():
    g = torch.Generator().manual_seed(7)
    x = torch.randint(-128, 128, (1, 8, 9, 9), generator=g, dtype=torch.int8)
    w = torch.randint(-128, 128, (6, 8, 3, 3), generator=g, dtype=torch.int8)
    clean = trans_quant_param(torch.rand(6, generator=g) * 2.0**-8)
    garbage_high = torch.randint(-(2**31), 2**31 - 1, (6,), generator=g, dtype=torch.int64) << 32
    garbage_low = torch.randint(0, 2**13, (6,), generator=g, dtype=torch.int64)
    dirty = (clean & 0xFFFFFFFF) | garbage_high | garbage_low
    assert not torch.equal(dirty, clean)
    a = qconv.quant_conv2d(x, w, clean, 1, 1, offset_x=4)
    b = qconv.quant_conv2d(x, w, dirty, 1, 1, offset_x=4)
    assert torch.equal(a.view(torch.int16), b.view(torch.int16))
    assert torch.equal(b.view(torch.int16), reference.quant_conv2d(x, w, dirty, None, 1, 1, 1, 4).view(torch.int16))


def test_output_size_not_positive():
    with pytest.raises(ValueError, match=r"output size \(Ho, Wo\) = \(0, 2\) must be positive"):
        qconv.quant_conv2d(torch.zeros(1, 1, 4, 4, dtype=torch.int8), torch.zeros(1, 1, 3, 3, dtype=torch.int8),
                           torch.ones(1), strides=[5, 1], pads=[0, 0], dilations=[3, 1])


def test_empty_batch_gives_empty_output_of_the_right_shape():
    m = QuantConv2d(3, 5, 3, torch.float16, stride=2, padding=1)
    out = m(torch.zeros(0, 3, 11, 7, dtype=torch.int8))
    assert out.shape == (0, 5, 6, 4) and out.dtype == torch.float16


def test_non_contiguous_and_channels_last_module_inputs():
    g = torch.Generator().manual_seed(8)
    m = QuantConv2d(4, 6, 3, torch.float16, padding=1, offset_x=-100)
    m.weight.data = torch.randint(-128, 128, m.weight.shape, generator=g, dtype=torch.int8)
    m.scale.data = torch.rand(6, generator=g)
    x = torch.randint(-128, 128, (2, 4, 10, 12), generator=g, dtype=torch.int8)
    expected = m(x)
    for variant in (x.contiguous(memory_format=torch.channels_last), x.transpose(2, 3).contiguous().transpose(2, 3)):
        assert torch.equal(m(variant).view(torch.int16), expected.view(torch.int16))
    wide = torch.randint(-128, 128, (2, 8, 10, 24), generator=g, dtype=torch.int8)[:, ::2, :, ::2]
    assert torch.equal(m(wide).view(torch.int16), m(wide.contiguous()).view(torch.int16))


def test_module_parameters_untouched_by_forward():
    m = QuantConv2d(4, 6, 3, torch.float16, padding=1)
    m.scale.data = torch.rand(6)
    state = {k: v.clone() for k, v in m.state_dict().items()}
    m(torch.ones(1, 4, 5, 5, dtype=torch.int8))
    for k, v in m.state_dict().items():
        assert v.dtype == state[k].dtype and torch.equal(v, state[k])
