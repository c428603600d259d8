"""What offset_x means per SoC (configs/socs.yaml offset_x_form, qconv.target): pad-only on ascend910b /
ascend910_93, zero point on ascend310p (CANN 8.1.RC1 TBE conv_compute.py, is_support_v200 / offset_d).
Hand-computed cases on both forms, the CPU op bit-exact with the golden on both forms on every CPU path
(random shapes, the int32 wrap of the folded bias), the module, and what `qconv-kit run` reports."""
from __future__ import annotations

import argparse

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

import qconv
from qconv import cpu_conv, reference, target
from qconv._generated import socs
from qconv.commands import run as run_command

FORMS = {"ascend910b": target.PAD_ONLY, "ascend910_93": target.PAD_ONLY, "ascend310p": target.ZERO_POINT}
native = cpu_conv.native_module()


def bits(t):
    return t.contiguous().view(torch.int16)


# ---- the target setting -----------------------------------------------------------------------------------

def test_default_is_the_configured_soc_and_forms_follow_the_table():
    assert target.get_soc() == socs.DEFAULT == "ascend910b"
    assert {name: target.offset_x_form(name) for name in socs.NAMES} == FORMS


def test_set_and_using_restore_and_refuse_unknown_socs():
    with target.using("ascend310p"):
        assert target.get_soc() == "ascend310p" and target.offset_x_form() == target.ZERO_POINT
        with target.using("ascend910_93"):
            assert target.offset_x_form() == target.PAD_ONLY
        assert target.get_soc() == "ascend310p"
    assert target.get_soc() == "ascend910b"
    with pytest.raises(ValueError, match=r"soc = 'ascend310' is not supported; allowed: ascend910b, ascend910_93, "
                                         r"ascend310p"):
        target.set_soc("ascend310")
    assert target.get_soc() == "ascend910b"
    assert "zero-point" in target.describe("ascend310p") and "pad-only" in target.describe("ascend910b")


# ---- hand-computed ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("soc,expected", [("ascend910b", 13), ("ascend910_93", 13), ("ascend310p", 4)])
def test_issue_example(soc, expected):
    """A 2x2 map of 2s, a 3x3 kernel of ones, padding 1, offset_x 1. Every output sees the 4 real pixels and
    5 padded ones: pad-only 4*2 + 5*1 = 13; zero point 4*(2-1) + 5*(1-1) = 4."""
    x = torch.full((1, 1, 2, 2), 2, dtype=torch.int8)
    w = torch.ones((1, 1, 3, 3), dtype=torch.int8)
    scale = torch.ones(1)
    assert (reference.accumulate(x, w, None, 1, 1, 1, 1, soc=soc) == expected).all()
    assert (reference.quant_conv2d(x, w, scale, None, 1, 1, 1, 1, soc=soc) == expected).all()
    with target.using(soc):
        assert (reference.quant_conv2d(x, w, scale, None, 1, 1, 1, 1) == expected).all()
        assert (qconv.quant_conv2d(x, w, scale, 1, 1, 1, 1, 1) == expected).all()


@pytest.mark.parametrize("soc", ["ascend910b", "ascend310p"])
def test_hand_computed_one_dimensional_case(soc):
    """Input row [5, -3], kernel [1, 2, -1], padding (0, 1), offset_x -2, bias 10 (two outputs):
    pad-only  xpad = [-2, 5, -3, -2]: [-2 + 10 + 3, 5 - 6 + 2] + 10 = [21, 11]
    zero point xpad + 2 = [0, 7, -1, 0]: [0 + 14 + 1, 7 - 2 + 0] + 10 = [25, 15]
    (= pad-only - offset_x * sum(w) = pad-only + 2 * 2)."""
    x = torch.tensor([[[[5, -3]]]], dtype=torch.int8)
    w = torch.tensor([[[[1, 2, -1]]]], dtype=torch.int8)
    bias = torch.tensor([10], dtype=torch.int32)
    expected = {"ascend910b": [21, 11], "ascend310p": [25, 15]}[soc]
    acc = reference.accumulate(x, w, bias, 1, (0, 1), 1, -2, soc=soc)
    assert acc.ravel().tolist() == expected
    with target.using(soc):
        out = qconv.quant_conv2d(x, w, torch.ones(1), 1, (0, 1), 1, 1, -2, bias=bias)
    assert out.ravel().tolist() == expected


def test_zero_point_form_is_the_pad_only_accumulator_minus_offset_times_weight_sum():
    g = torch.Generator().manual_seed(3)
    x = torch.randint(-128, 128, (2, 5, 6, 7), generator=g, dtype=torch.int8)
    w = torch.randint(-128, 128, (4, 5, 3, 2), generator=g, dtype=torch.int8)
    for offset_x in (-128, -1, 0, 9, 127):
        pad_only = reference.accumulate(x, w, None, (2, 1), (2, 1), (1, 2), offset_x, soc="ascend910b")
        zero_point = reference.accumulate(x, w, None, (2, 1), (2, 1), (1, 2), offset_x, soc="ascend310p")
        sums = w.to(torch.int64).sum((1, 2, 3)).numpy().reshape(1, -1, 1, 1)
        assert np.array_equal(zero_point.astype(np.int64), pad_only - offset_x * sums)


# ---- the CPU op, every path, against the golden on both forms ------------------------------------------------

# path -> (native module or None, set_int_kernel kind, vector bits)
PATHS = {"default": ("native", None, 512), "int_quads_scalar": ("native", 4, 0), "int_pairs_scalar": ("native", 2, 0),
         "float32_native": ("native", 0, 512), "float32_torch": (None, 0, 512)}


@pytest.fixture(params=list(PATHS))
def cpu_path(request):
    module, kind, vector_bits = PATHS[request.param]
    if module is not None and native is None:
        pytest.skip("qconv._cpu is not built")
    previous = cpu_conv.native_module()
    cpu_conv.set_native_module(native if module else None)
    cpu_conv.set_int_kernel(kind, vector_bits)
    yield request.param
    cpu_conv.set_native_module(previous)
    cpu_conv.set_int_kernel(None)


def assert_op_matches_golden(soc, x, w, scale, bias, stride, padding, dilation, offset_x):
    with target.using(soc):
        out = qconv.quant_conv2d(x, w, scale, stride, padding, dilation, 1, offset_x, bias=bias)
    expected = reference.quant_conv2d(x, w, scale, bias, stride, padding, dilation, offset_x, soc=soc)
    differ = int((bits(out) != bits(expected)).sum())
    assert differ == 0, f"{soc}: {differ} of {out.numel()} outputs differ from the golden"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31), soc=st.sampled_from(sorted(FORMS)), n=st.integers(1, 2),
       cin=st.integers(1, 40), cout=st.integers(1, 20), h=st.integers(1, 12), w=st.integers(1, 12),
       kh=st.integers(1, 4), kw=st.integers(1, 4), stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       padding=st.tuples(st.integers(0, 3), st.integers(0, 3)),
       dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
       offset_x=st.integers(-128, 127), with_bias=st.booleans(), float_scale=st.booleans())
def test_random_shapes_both_forms(cpu_path, seed, soc, n, cin, cout, h, w, kh, kw, stride, padding, dilation,
                                  offset_x, with_bias, float_scale):
    if min(reference.output_size(h, w, kh, kw, stride, padding, dilation)) <= 0:
        return
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(-128, 128, (n, cin, h, w), generator=g, dtype=torch.int8)
    weight = torch.randint(-128, 128, (cout, cin, kh, kw), generator=g, dtype=torch.int8)
    scale = (torch.rand(cout, generator=g) - 0.3) / (64.0 * (cin * kh * kw) ** 0.5)
    if not float_scale:
        scale = qconv.trans_quant_param(scale)
    bias = torch.randint(-2**24, 2**24, (cout,), generator=g, dtype=torch.int32) if with_bias else None
    assert_op_matches_golden(soc, x, weight, scale, bias, stride, padding, dilation, offset_x)


@pytest.mark.parametrize("soc", sorted(FORMS))
def test_folded_bias_wraps_like_the_golden(cpu_path, soc):
    """Saturated weights and offset_x -128 make -offset_x * sum(w[co]) ~ 2^24 * K / 128; with a bias near
    +-2^31 the folded int32 bias and the accumulator both wrap. Scales 2^-e make every bit of acc visible."""
    g = torch.Generator().manual_seed(5)
    cin, k = 300, 3
    x = torch.randint(-128, -126, (1, cin, 5, 6), generator=g, dtype=torch.int8)
    w = torch.randint(-128, -126, (16, cin, k, k), generator=g, dtype=torch.int8)
    w[8:] = 127
    bias = torch.tensor([2**31 - 1 - i * 2**27 for i in range(8)] + [-2**31 + i * 2**27 for i in range(8)],
                        dtype=torch.int32)
    scale = torch.tensor([2.0**-e for e in range(10, 26)], dtype=torch.float32)
    for offset_x in (-128, 127):
        assert_op_matches_golden(soc, x, w, scale, bias, 1, 1, 1, offset_x)
        assert_op_matches_golden(soc, x, w, scale, None, 1, 0, 1, offset_x)


def test_module_and_weight_changes_follow_the_target():
    """QuantConv2d reads the same target; the cached weight sum follows an in-place weight change."""
    g = torch.Generator().manual_seed(9)
    conv = qconv.QuantConv2d(8, 6, 3, torch.float16, padding=1, offset_x=-5)
    conv.weight.data = torch.randint(-128, 128, (6, 8, 3, 3), generator=g, dtype=torch.int8)
    conv.bias.data = torch.randint(-1000, 1000, (6,), generator=g, dtype=torch.int32)
    conv.scale.data = torch.rand(6, generator=g) * 1e-3
    x = torch.randint(-128, 128, (1, 8, 7, 7), generator=g, dtype=torch.int8)
    for step in range(2):
        outputs = {}
        for soc in ("ascend910b", "ascend310p"):
            with target.using(soc):
                outputs[soc] = conv(x)
            expected = reference.quant_conv2d(x, conv.weight, conv.scale, conv.bias, 1, 1, 1, -5, soc=soc)
            assert torch.equal(bits(outputs[soc]), bits(expected))
        assert not torch.equal(outputs["ascend910b"], outputs["ascend310p"])
        conv.weight.data[:, 0] += 1          # in place: the cached sum(w[co]) must not be reused


@pytest.mark.parametrize("soc", ["ascend910b", "ascend310p"])
def test_from_float_matches_the_float_layer_on_each_soc(soc):
    """from_float folds the zero point into the bias only where the op does not subtract it (pad-only)."""
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(16, 8, 3, padding=1)
    x = torch.rand(1, 16, 10, 10) * 2.0            # all positive: a real zero point (offset_x -100)
    q = qconv.QuantConv2d.from_float(conv, input_scale=0.02, offset_x=-100, soc=soc)
    with target.using(soc):
        y = q(q.quantize_input(x, 0.02, -100)).float()
    with torch.no_grad():
        ref = conv(x)
    assert (y - ref).abs().max() < 0.05 * ref.abs().max()


# ---- reports --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("soc,form", [("ascend910b", "pad-only"), ("ascend310p", "zero-point")])
def test_run_command_states_and_uses_the_semantics(capsys, soc, form):
    args = argparse.Namespace(backend="cpu", soc=soc, cases=["offset_pad_int64"], all=False, repeat=1, list=False)
    assert run_command.main(args) == 0
    out = capsys.readouterr().out
    assert f"soc {soc}, offset_x {form} form" in out and "OK: all 1 cases" in out
    assert target.get_soc() == "ascend910b"
