"""Bad input never crashes: clear ValueError/TypeError, callers' tensors untouched, garbage high bits of
an int64 scale ignored exactly as the hardware ignores them."""
import contextlib
import io
import re
import resource

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, event, given, settings, strategies as st
from torch import nn

import qconv
from qconv import QuantConv2d, host, reference
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


# --- issue 14 section 5: each input found accepted silently or refused unclearly, one test each ---------


def _small():
    g = torch.Generator().manual_seed(3)
    return (torch.randint(-128, 128, (1, 2, 6, 6), generator=g, dtype=torch.int8),
            torch.randint(-128, 128, (3, 2, 3, 3), generator=g, dtype=torch.int8), torch.rand(3, generator=g))


def _golden(x, w, s, stride=1, padding=0):
    return reference.quant_conv2d(x, w, s, None, stride, padding, 1, 0).view(torch.int16)


@pytest.mark.parametrize("bad", [(1.0, 1.0), (True, 1), ("1", 1), (np.float32(1), 1)])
def test_a_refused_call_does_not_poison_the_valid_one_after_it(bad):
    """The geometry cache is keyed on exact ints: a refused float/bool/str stride leaves nothing behind."""
    sim = pytest.importorskip("qconv.sim")
    x, w, s = _small()
    for _ in range(2):       # both orders: refused then valid, valid then refused
        with pytest.raises(TypeError, match=r"stride(\[0\])? = .* is not an integer; allowed: an integer in \[1, 63\]"):
            sim.run(x, w, s, stride=bad, padding=(0, 0), dilation=(1, 1))
        with pytest.raises(TypeError, match=r"strides(\[0\])? = .* is not an integer"):
            qconv.quant_conv2d(x, w, s, bad, (0, 0), (1, 1))
        assert torch.equal(sim.run(x, w, s, stride=(1, 1), padding=(0, 0), dilation=(1, 1))[0].view(torch.int16),
                           _golden(x, w, s))
        assert torch.equal(qconv.quant_conv2d(x, w, s, (1, 1), (0, 0), (1, 1)).view(torch.int16), _golden(x, w, s))
        m = QuantConv2d(2, 3, 3, torch.float16)
        m.weight.data, m.scale.data = w, s
        assert torch.equal(m(x).view(torch.int16), _golden(x, w, s))


@pytest.mark.parametrize("value", [1.5, torch.tensor(1.5), np.float32(1.0), True, "1", None])
def test_offset_x_must_be_an_exact_integer(value):
    x, w, s = _small()
    shown = re.escape(repr(value))
    with pytest.raises(TypeError, match=rf"offset_x = {shown} is not an integer; allowed: an integer in \[-128, 127\]"):
        qconv.quant_conv2d(x, w, s, offset_x=value)
    with pytest.raises(TypeError, match=rf"offset_x = {shown} is not an integer"):
        QuantConv2d(2, 3, 3, torch.float16, offset_x=value)
    sim = pytest.importorskip("qconv.sim")
    with pytest.raises(TypeError, match=rf"offset_x = {shown} is not an integer"):
        sim.run(x, w, s, offset_x=value)


def test_integer_spellings_that_are_exact_are_accepted():
    x, w, s = _small()
    want = reference.quant_conv2d(x, w, s, None, 1, 1, 1, 5).view(torch.int16)
    for offset_x in (5, np.int64(5), torch.tensor(5)):
        for pads in (1, (1, 1), np.array([1, 1]), torch.tensor([1, 1]), np.int32(1)):
            assert torch.equal(qconv.quant_conv2d(x, w, s, 1, pads, 1, 1, offset_x).view(torch.int16), want)


@pytest.mark.parametrize("kwargs,exc,text", [
    (dict(stride=1.0), TypeError, "stride = 1.0 is not an integer; allowed: an integer in [1, 63] or a pair of them"),
    (dict(kernel_size=3.0), TypeError, "kernel_size = 3.0 is not an integer"),
    (dict(padding=None), TypeError, "padding = None is not an integer"),
    (dict(dilation=(1, "1")), TypeError, "dilation[1] = '1' is not an integer; allowed: an integer in [1, 255]"),
    (dict(offset=torch.zeros(1)), ValueError, "offset = tensor([0.]) is not supported; allowed: False (reserved)"),
    (dict(in_channels=2**62), ValueError, "in_channels = 4611686018427387904 is out of the allowed range [1, 2147483647]"),
    (dict(in_channels=4.0), TypeError, "in_channels = 4.0 is not an integer"),
    (dict(out_channels=60000, in_channels=60000), ValueError, "weight.numel() = 32400000000 is out of the allowed range"),
    (dict(output_dtype=None), ValueError, "output_dtype = None is not supported; allowed: torch.float16"),
    (dict(round_mode=None), ValueError, "round_mode = None is not supported; allowed: 'rint'"),
])
def test_module_construction_refuses_by_name(kwargs, exc, text):
    args = dict(in_channels=4, out_channels=4, kernel_size=3, output_dtype=torch.float16)
    args.update(kwargs)
    with pytest.raises(exc, match=re.escape(text)):
        QuantConv2d(**args)


@pytest.mark.parametrize("input_scale,text", [
    (0.0, "input_scale = 0.0 is not supported; allowed: a finite number > 0"),
    (-0.1, "input_scale = -0.1 is not supported"),
    (float("nan"), "input_scale = nan is not supported"),
    (float("inf"), "input_scale = inf is not supported"),
    ("0.1", "input_scale = '0.1' is not supported"),
    (1e-45, "input_scale = 1e-45 is not supported; allowed: a value whose dequant scale"),
])
def test_from_float_refuses_a_scale_that_would_zero_or_break_the_layer(input_scale, text):
    conv = nn.Conv2d(2, 3, 3, bias=False)
    with pytest.raises(ValueError, match=re.escape(text)):
        QuantConv2d.from_float(conv, input_scale)


def test_from_float_refuses_non_finite_weights_and_bias_and_an_unrepresentable_bias():
    conv = nn.Conv2d(2, 3, 3)
    with torch.no_grad():
        conv.weight[1, 0, 2, 1] = float("nan")
    with pytest.raises(ValueError, match=re.escape("conv.weight must be finite, but conv.weight[1, 0, 2, 1] = nan")):
        QuantConv2d.from_float(conv, 0.1)
    conv = nn.Conv2d(2, 3, 3)
    with torch.no_grad():
        conv.bias[2] = float("inf")
    with pytest.raises(ValueError, match=re.escape("conv.bias must be finite, but conv.bias[2] = inf")):
        QuantConv2d.from_float(conv, 0.1)
    with pytest.raises(ValueError, match=r"int32 bias of output channel 0.*input_scale = 1e-30 is too small"):
        QuantConv2d.from_float(nn.Conv2d(2, 3, 3), 1e-30)


@pytest.mark.parametrize("name,value,text", [
    ("weight", torch.rand(3, 2, 3, 3), "weight must have dtype torch.int8, got torch.float32"),
    ("bias", torch.rand(3) * 100, "bias must have dtype torch.int32, got torch.float32"),
    ("scale", torch.rand(3, dtype=torch.float64), "scale must have dtype torch.int64 or torch.float32, got torch.float64"),
])
def test_load_state_dict_refuses_what_it_would_truncate(name, value, text):
    m = QuantConv2d(2, 3, 3, torch.float16)
    before = {k: v.clone() for k, v in m.state_dict().items()}
    state = dict(before, **{name: value})
    with pytest.raises(TypeError, match=re.escape(text)):
        m.load_state_dict(state)
    for k, v in m.state_dict().items():
        assert v.dtype == before[k].dtype and torch.equal(v, before[k])


@pytest.mark.parametrize("args,exc,text", [
    ((None,), TypeError, "scale = None is not supported; allowed: a tensor or array of floating or integer numbers"),
    ((torch.tensor([1 + 2j]),), TypeError, "scale must have dtype floating or integer, got torch.complex64"),
    ((np.array([True]),), TypeError, "scale must have dtype floating or integer, got bool"),
    (("0.5",), TypeError, "scale = '0.5' is not supported"),
    ((torch.rand(2), torch.rand(5)), ValueError, "offset must have 1 or scale's 2 elements, got 5"),
    ((torch.rand(2), None, 1.0), TypeError, "round_mode = 1.0 is not an integer; allowed: 0 or 1"),
    ((torch.rand(2), None, 2), ValueError, "round_mode = 2 is not supported; allowed: 0 or 1"),
])
def test_trans_quant_param_refuses_by_name(args, exc, text):
    with pytest.raises(exc, match=re.escape(text)):
        trans_quant_param(*args)


@pytest.mark.parametrize("kwargs,exc,text", [
    (dict(strides=(1.5, 1.5)), TypeError, "strides[0] = 1.5 is not an integer"),
    (dict(groups="1"), TypeError, "groups = '1' is not an integer"),
    (dict(input=(1, 2, 8.5, 8)), TypeError, "input.shape[2] = 8.5 is not an integer"),
    (dict(input=(1, 2, 2**63, 8)), ValueError, "input.shape[2] = 9223372036854775808 is out of the allowed range"),
    (dict(offset_x=np.float32(1)), TypeError, "offset_x = np.float32(1.0) is not an integer"),
    (dict(round_mode=0), TypeError, "round_mode = 0 is not supported; allowed: a str"),
    (dict(soc=5), TypeError, "soc = 5 is not supported; allowed: a str"),
])
def test_host_wrappers_neither_truncate_nor_parse(kwargs, exc, text):
    args = dict(input=(1, 2, 8, 8), weight=(3, 2, 3, 3))
    args.update(kwargs)
    with pytest.raises(exc, match=re.escape(text)):
        host.check_params(args.pop("input"), args.pop("weight"), **args)


def test_host_native_module_is_strict_too():
    """qconv._host itself (below qconv.host): pybind11's converting casters are not used for integers."""
    native = pytest.importorskip("qconv._host")
    params = host.params((1, 2, 8, 8), (3, 2, 3, 3))
    for key, value, text in (("groups", 1.0, "groups = 1.0 is not an integer"),
                             ("strides", [1, np.float32(1)], "strides[1] = np.float32(1.0) is not an integer"),
                             ("offset_x", "0", "offset_x = '0' is not an integer"),
                             ("pads", "11", "pads = '11' is not supported; allowed: a list of integers"),
                             ("round_mode", 1, "round_mode = 1 is not supported; allowed: a str")):
        with pytest.raises(TypeError, match=re.escape(text)):
            native.check_params(dict(params, **{key: value}), None)
    with pytest.raises(TypeError, match=re.escape("batch = 1.5 is not an integer")):
        native.tiling(dict(host.conv_shape((1, 2, 8, 8), (3, 2, 3, 3)), batch=1.5), "ascend910b")


def _cli(argv):
    from qconv import cli
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("argv,text", [
    (["1x64x56", "64x3x3"], "argument input: input = 1x64x56 must have 4 dims"),
    (["1x64x56x56", "64x3"], "argument weight: weight = 64x3 must have 3 or 4 dims"),
    (["1x64xax56", "64x3x3"], "argument input: '1x64xax56' must be integers separated by 'x'"),
    (["1x64x56x56", "64x3x3", "--stride", "9" * 20], "argument --stride: stride[0] = " + "9" * 20),
    (["1x64x56x56", "64x3x3", "--pad", "1,2,3"], "argument --pad: pad must have 2 elements, got 3"),
    (["1x64x56x56", "64x3x3", "--offset-x", "1.5"], "argument --offset-x: '1.5' is not an integer"),
    (["1x64x56x56", "64x3x3", "--offset-x=-300"], "offset_x = -300 is out of the allowed range [-128, 127]"),
    (["1x64x99999999999999999999x56", "64x3x3"], "input[2] = 99999999999999999999 is out of the allowed range"),
    (["0x64x56x56", "64x3x3"], "input.shape[0] = 0: a batch of 0 has no tiling"),
])
def test_tiling_cli_malformed_arguments_are_usage_errors(argv, text):
    pytest.importorskip("qconv._host")
    code, output = _cli(["tiling", *argv])
    assert code == 2 and text in output, output


@pytest.mark.parametrize("cell", ["inf", "1.5", "-2", "abc", "1e400"])
def test_profile_cli_with_a_malformed_block_dim_is_a_usage_error(tmp_path, cell):
    (tmp_path / "OpBasicInfo.csv").write_text("Op Name,Task Duration(us),Block Dim,Mix Block Dim\n"
                                              f"QuantConv2dCustom,12.5,{cell},40\n")
    (tmp_path / "PipeUtilization.csv").write_text("aic_total_cycles\n100\n")
    code, output = _cli(["profile", "--backend", "npu", "--dir", str(tmp_path)])
    assert code == 2 and f"OpBasicInfo.csv: Block Dim = '{cell}' is not a block count" in output, output


def test_sim_checks_shapes_before_copying_an_expanded_input():
    """N = 2^33 from one real byte: refused by op_host's limit without the 8 GiB copy."""
    sim = pytest.importorskip("qconv.sim")
    x = torch.zeros(1, 1, 1, 1, dtype=torch.int8).expand(2**33, 1, 1, 1)
    w, s = torch.zeros(1, 1, 1, 1, dtype=torch.int8), torch.ones(1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss       # KiB on Linux
    with pytest.raises(ValueError, match=re.escape("input.shape[0] = 8589934592 is out of the allowed range "
                                                   "[0, 2147483647]")):
        sim.run(x, w, s, padding=0)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 512 * 1024


@pytest.mark.parametrize("soc", ["ascend910b", "ascend310p"])
def test_batch_zero_is_an_empty_result_everywhere(soc):
    x = torch.zeros(0, 2, 6, 6, dtype=torch.int8)
    _, w, s = _small()
    cpu = qconv.quant_conv2d(x, w, s, 1, 1)
    assert cpu.shape == (0, 3, 6, 6) and cpu.dtype == torch.float16
    meta = qconv.quant_conv2d(x.to("meta"), w.to("meta"), s.to("meta"), 1, 1)
    assert meta.shape == cpu.shape
    from qconv import npu      # the NPU kernel returns before it needs the adapter, the tiling or a launch
    assert npu.npu_kernel(x, w, s, [1, 1], [1, 1]).shape == cpu.shape
    assert host.check_params(x, w, s, pads=1, soc=soc) == {"ok": True, "message": None}
    assert host.infer_shape(x, w, pads=1)["shape"] == (0, 3, 6, 6)
    sim = pytest.importorskip("qconv.sim")
    y, counters = sim.run(x, w, s, padding=1, soc=soc)       # no tiling, no launch
    assert y.shape == cpu.shape and y.dtype == torch.float16 and counters.cores == []
    with pytest.raises(ValueError, match=re.escape("input.shape[0] = 0 is not supported; allowed: a batch of at "
                                                   "least 1 for a tiling")):
        host.tiling(x, w, s, pads=1, soc=soc)


@pytest.mark.parametrize("value,text", [
    (None, "soc = None is not supported"),
    ("ascend910", "soc = 'ascend910' is not supported"),
])
def test_sim_refuses_a_bad_soc_and_meta_tensors_by_name(value, text):
    sim = pytest.importorskip("qconv.sim")
    x, w, s = _small()
    with pytest.raises(ValueError, match=re.escape(text)):
        sim.run(x, w, s, soc=value)
    with pytest.raises(ValueError, match=re.escape("weight = a tensor on device meta is not supported")):
        sim.run(x, w.to("meta"), s)


def test_quantized_and_sparse_tensors_are_refused_by_parameter():
    x, w, s = _small()
    q = torch.quantize_per_tensor(x.float(), 1.0, 0, torch.qint8)
    with pytest.raises(TypeError, match=re.escape("input must have dtype torch.int8, got torch.qint8")):
        qconv.quant_conv2d(q, w, s)
    with pytest.raises(ValueError, match=re.escape("weight = a torch.sparse_coo tensor is not supported")):
        qconv.quant_conv2d(x, w.to_sparse(), s)


@pytest.mark.parametrize("value,text", [("0", "R = 0 is out of the allowed range [1, 1000]"),
                                        ("9" * 20, "R = " + "9" * 20 + " is out of the allowed range"),
                                        ("1.5", "'1.5' is not an integer")])
def test_run_cli_repeat_is_a_bounded_whole_number(value, text):
    code, output = _cli(["run", "--backend", "cpu", "--cases", "k1152", "--repeat", value])
    assert code == 2 and f"argument --repeat: {text}" in output, output


def test_functional_round_mode_must_be_a_str():
    """The dispatcher would read bytes as a str; the functional form refuses them first."""
    x, w, s = _small()
    with pytest.raises(ValueError, match=re.escape("round_mode = b'rint' is not supported; allowed: 'rint'")):
        qconv.quant_conv2d(x, w, s, round_mode=b"rint")


def test_host_scalar_tensors_are_scalars():
    assert host.check_params((1, 2, 8, 8), (3, 2, 3, 3), strides=torch.tensor(2))["ok"]
    with pytest.raises(TypeError, match=re.escape("strides = tensor(1.) is not an integer")):
        host.check_params((1, 2, 8, 8), (3, 2, 3, 3), strides=torch.tensor(1.0))
