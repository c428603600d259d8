"""The CPU kernel of torch.ops.qconv.quant_conv2d: bit-identical to the golden on every input."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

import qconv
from qconv import cpu_float32, reference
from qconv.scale import trans_quant_param


def bits(t: torch.Tensor) -> torch.Tensor:
    return t.contiguous().view(torch.int16)


def assert_exact(out, x, w, scale, bias=None, stride=1, padding=0, dilation=1, offset_x=0):
    expected = reference.quant_conv2d(x, w, scale, bias, stride, padding, dilation, offset_x)
    assert out.dtype == torch.float16 and out.shape == expected.shape
    mismatches = int((bits(out) != bits(expected)).sum())
    assert mismatches == 0, f"{mismatches} of {out.numel()} outputs differ from the golden"


def run(x, w, scale, bias=None, stride=1, padding=0, dilation=1, offset_x=0):
    return qconv.quant_conv2d(x, w, scale, stride, padding, dilation, 1, offset_x, bias=bias)


def adversarial(kind: str, shape_x, shape_w, g):
    """Data that pushes float32 partial sums past 2^24 (float32 holds every integer exactly only up to 2^24)."""
    if kind == "saturated":      # {-128, -127} x {-128, -127}: every product positive, many odd sums
        return (torch.randint(-128, -126, shape_x, generator=g, dtype=torch.int8),
                torch.randint(-128, -126, shape_w, generator=g, dtype=torch.int8))
    if kind == "all_min":
        return torch.full(shape_x, -128, dtype=torch.int8), torch.full(shape_w, -128, dtype=torch.int8)
    if kind == "max127":
        return torch.full(shape_x, 127, dtype=torch.int8), torch.full(shape_w, 127, dtype=torch.int8)
    if kind == "relu_pos":
        return (torch.randint(0, 128, shape_x, generator=g, dtype=torch.int8),
                torch.randint(0, 128, shape_w, generator=g, dtype=torch.int8))
    raise ValueError(kind)


# K = Cin*kh*kw around and far beyond the float32-exact bound of 1024.
ADVERSARIAL_SHAPES = [(1024, 1), (1026, 1), (1040, 1), (2048, 1), (128, 3), (256, 3), (512, 3)]


@pytest.mark.parametrize("cin,k", ADVERSARIAL_SHAPES, ids=lambda v: str(v))
@pytest.mark.parametrize("kind", ["saturated", "all_min", "max127", "relu_pos"])
def test_adversarial_large_k_is_exact(cin, k, kind):
    g = torch.Generator().manual_seed(cin * 10 + k)
    x, w = adversarial(kind, (1, cin, 10, 10), (16, cin, k, k), g)
    # Scales that put outputs across the whole fp16 range, incl. the saturation edge and ties.
    scale = torch.tensor([2.0**-e for e in range(8, 24)], dtype=torch.float32)
    bias = torch.randint(-2**28, 2**28, (16,), generator=g, dtype=torch.int32)
    pad = k // 2
    for b in (None, bias):
        assert_exact(run(x, w, scale, b, padding=pad, offset_x=-128), x, w, scale, b, padding=pad, offset_x=-128)


def test_adversarial_data_defeats_plain_float32():
    # The K-split is needed: one float32 conv over K = 2304 loses accumulator bits on this data.
    x, w = adversarial("max127", (1, 256, 10, 10), (16, 256, 3, 3), None)
    exact = reference.accumulate(x, w, None, 1, 1, 1, 127)
    xf = F.pad(x.float(), (1, 1, 1, 1), value=127.0).contiguous(memory_format=torch.channels_last)
    packed = torch.ops.mkldnn._reorder_convolution_weight(w.float(), [0, 0], [1, 1], [1, 1], 1, list(xf.shape))
    y = torch.ops.mkldnn._convolution_pointwise(xf, packed, None, [0, 0], [1, 1], [1, 1], 1, "none", [], "")
    assert (y.to(torch.int64).numpy() != exact).sum() > 0
    assert_exact(run(x, w, torch.ones(16), padding=1, offset_x=127), x, w, torch.ones(16), padding=1, offset_x=127)


def test_kernel_wider_than_1024_taps_takes_the_float64_path():
    g = torch.Generator().manual_seed(3)
    x, w = adversarial("saturated", (1, 2, 40, 36), (3, 2, 33, 33), g)
    scale = torch.tensor([2.0**-12, 2.0**-9, 1.0])
    assert_exact(run(x, w, scale, padding=2, offset_x=5), x, w, scale, padding=2, offset_x=5)


@pytest.mark.parametrize("cin,k,expected", [(64, 3, (1, 64)), (128, 3, (2, 64)), (512, 3, (8, 64)), (1152, 1, (2, 576)), (509, 3, (5, 102)),
                                            (1031, 1, (2, 516)), (2048, 1, (2, 1024)), (3, 7, (1, 3))])
def test_channel_groups(cin, k, expected):
    groups, per_group = cpu_float32.channel_groups(cin, k * k)
    assert (groups, per_group) == expected
    assert per_group * k * k <= 1024 and groups * per_group >= cin


def test_resnet50_layers_exact_with_offset_and_both_scale_dtypes():
    g = torch.Generator().manual_seed(0)
    for cin, cout, hw, k, s, p in [(64, 64, 56, 3, 1, 1), (256, 64, 56, 1, 1, 0), (3, 64, 224, 7, 2, 3),
                                   (512, 512, 7, 3, 1, 1), (1024, 256, 14, 1, 1, 0), (256, 256, 14, 3, 2, 1)]:
        x = torch.randint(-128, 128, (1, cin, hw, hw), generator=g, dtype=torch.int8)
        w = torch.randint(-128, 128, (cout, cin, k, k), generator=g, dtype=torch.int8)
        scale = torch.rand(cout, generator=g) * 2.0**-8
        bias = torch.randint(-2**20, 2**20, (cout,), generator=g, dtype=torch.int32)
        for sc in (scale, trans_quant_param(scale)):
            assert_exact(run(x, w, sc, bias, s, p, 1, -7), x, w, sc, bias, s, p, 1, -7)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_problems_match_the_golden(data):
    n, cin, cout = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 24)), data.draw(st.integers(1, 8))
    kh, kw = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
    sh, sw, ph, pw, dh, dw = (data.draw(st.integers(lo, hi)) for lo, hi in
                              [(1, 3), (1, 3), (0, 4), (0, 4), (1, 3), (1, 3)])
    h = data.draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 14))
    w_ = data.draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 14))
    offset_x = data.draw(st.integers(-128, 127))
    use_bias, int64_scale = data.draw(st.booleans()), data.draw(st.booleans())
    g = torch.Generator().manual_seed(data.draw(st.integers(0, 2**31)))
    x = torch.randint(-128, 128, (n, cin, h, w_), generator=g, dtype=torch.int8)
    w = torch.randint(-128, 128, (cout, cin, kh, kw), generator=g, dtype=torch.int8)
    scale = (torch.rand(cout, generator=g) - 0.5) * 2.0 ** data.draw(st.integers(-24, 4))
    if int64_scale:
        scale = trans_quant_param(scale) | (torch.randint(0, 2**16, (cout,), generator=g) << 47)
    bias = torch.randint(-2**31, 2**31 - 1, (cout,), generator=g, dtype=torch.int32) if use_bias else None
    out = run(x, w, scale, bias, (sh, sw), (ph, pw), (dh, dw), offset_x)
    assert_exact(out, x, w, scale, bias, (sh, sw), (ph, pw), (dh, dw), offset_x)


def test_noncontiguous_and_channels_last_inputs():
    g = torch.Generator().manual_seed(1)
    base = torch.randint(-128, 128, (2, 16, 12, 20), generator=g, dtype=torch.int8)
    w = torch.randint(-128, 128, (8, 16, 3, 3), generator=g, dtype=torch.int8)
    scale = torch.rand(8, generator=g)
    variants = [base.contiguous(memory_format=torch.channels_last), base[:, :, :, ::2], base.transpose(2, 3),
                base[:, ::2].repeat(1, 2, 1, 1)]
    wl = [w, w.contiguous(memory_format=torch.channels_last), w.transpose(2, 3).contiguous().transpose(2, 3)]
    for x in variants:
        for wt in wl:
            out = run(x, wt, scale[::1], None, 1, 1, 1, 9)
            assert out.is_contiguous()
            assert_exact(out, x.contiguous(), wt.contiguous(), scale, None, 1, 1, 1, 9)
    strided_scale = torch.rand(16, generator=g)[::2]
    assert_exact(run(base, w, strided_scale), base, w, strided_scale.contiguous())


def test_empty_batch_and_empty_outputs():
    w = torch.ones(4, 3, 3, 3, dtype=torch.int8)
    out = run(torch.empty(0, 3, 10, 10, dtype=torch.int8), w, torch.ones(4), padding=1)
    assert out.shape == (0, 4, 10, 10) and out.dtype == torch.float16
    out = run(torch.ones(2, 3, 5, 5, dtype=torch.int8), torch.ones(0, 3, 3, 3, dtype=torch.int8), torch.ones(0))
    assert out.shape == (2, 0, 3, 3)


def test_weight_cache_never_stale():
    g = torch.Generator().manual_seed(2)
    x = torch.randint(-128, 128, (1, 8, 9, 9), generator=g, dtype=torch.int8)
    w = torch.randint(-128, 128, (4, 8, 3, 3), generator=g, dtype=torch.int8)
    s = torch.ones(4)
    assert_exact(run(x, w, s), x, w, s)
    w.add_(1)                                  # in place: same object, same data_ptr, new version
    assert_exact(run(x, w, s), x, w, s)
    w.data[0, 0, 0, 0] = 5                     # through .data: bumps the shared version counter too
    assert_exact(run(x, w, s), x, w, s)
    view = w[:, :, :, :]
    view.mul_(-1)                              # through a view
    assert_exact(run(x, w, s), x, w, s)
    with torch.inference_mode():
        wi = torch.randint(-128, 128, (4, 8, 3, 3), generator=g, dtype=torch.int8)
        assert_exact(run(x, wi, s), x, wi, s)
        wi.neg_()                              # inference tensors have no version counter
        assert_exact(run(x, wi, s), x, wi, s)
    for _ in range(3):                         # a new tensor may reuse a freed tensor's memory
        w2 = torch.randint(-128, 128, (4, 8, 3, 3), generator=g, dtype=torch.int8)
        assert_exact(run(x, w2, s), x, w2, s)
        del w2


def test_scale_cache_never_stale():
    """The decoded scale is cached with the scale's content: in-place writes, writes through .data,
    a dtype swap through .data (float32 -> int64, as torch_npu users assign) and a NaN all show."""
    g = torch.Generator().manual_seed(6)
    x = torch.randint(-128, 128, (1, 8, 6, 6), generator=g, dtype=torch.int8)
    w = torch.randint(-128, 128, (4, 8, 3, 3), generator=g, dtype=torch.int8)
    s = torch.rand(4, generator=g)
    assert_exact(run(x, w, s), x, w, s)
    s.mul_(3)
    assert_exact(run(x, w, s), x, w, s)
    s.data[2] = 0.125
    assert_exact(run(x, w, s), x, w, s)
    s.data = trans_quant_param(torch.rand(4, generator=g))
    assert_exact(run(x, w, s), x, w, s)
    s.data[1] = 0x7F800000                     # fp19 bits of +inf
    with pytest.raises(ValueError, match=r"scale\[1\]"):
        run(x, w, s)


def test_callers_tensors_untouched():
    g = torch.Generator().manual_seed(4)
    x = torch.randint(-128, 128, (1, 2048, 5, 5), generator=g, dtype=torch.int8)
    w = torch.randint(-128, 128, (4, 2048, 1, 1), generator=g, dtype=torch.int8)
    s, b = torch.rand(4), torch.randint(-100, 100, (4,), dtype=torch.int32)
    si = trans_quant_param(s) | (1 << 60)
    copies = [t.clone() for t in (x, w, s, b, si)]
    versions = [t._version for t in (x, w, s, b, si)]
    run(x, w, s, b, offset_x=3)
    run(x, w, si, b, padding=1)
    for t, c, v in zip((x, w, s, b, si), copies, versions):
        assert torch.equal(t, c) and t._version == v


def test_fake_kernel_shapes():
    from torch._subclasses.fake_tensor import FakeTensorMode
    with FakeTensorMode():
        x = torch.empty(3, 16, 17, 23, dtype=torch.int8)
        w = torch.empty(8, 16, 3, 5, dtype=torch.int8)
        out = torch.ops.qconv.quant_conv2d(x, w, torch.empty(8, dtype=torch.int64), [2, 3], [1, 2], [2, 1])
    assert out.shape == (3, 8, (17 + 2 - 4 - 1) // 2 + 1, (23 + 4 - 4 - 1) // 3 + 1) and out.dtype == torch.float16
    xm, wm = (torch.empty(t.shape, dtype=torch.int8, device="meta") for t in (x, w))
    meta = torch.ops.qconv.quant_conv2d(xm, wm, torch.empty(8, device="meta"), [1, 1], [0, 0], [1, 1])
    assert meta.device.type == "meta" and meta.shape == (3, 8, 15, 19)


def test_run_command_on_the_cpu_backend(capsys):
    import argparse
    from qconv.commands import run as run_cmd
    parser = argparse.ArgumentParser()
    run_cmd.add_arguments(parser)
    assert run_cmd.main(parser.parse_args(["--backend", "cpu", "--cases", "offset_pad_int64", "no_bias_stride2",
                                           "dilated_5x3", "--repeat", "2"])) == 0
    out = capsys.readouterr().out
    assert "0/3584" in out and "OK: all 3 cases" in out
    assert run_cmd.main(parser.parse_args(["--cases", "nope"])) == 2
    assert run_cmd.main(parser.parse_args(["--backend", "nope"])) == 2


def test_run_command_reports_a_wrong_backend():
    import argparse
    from qconv import backends
    from qconv.commands import run as run_cmd

    def off_by_one_ulp(x, w, scale, bias, stride, padding, dilation, offset_x, soc):
        out = backends.get("cpu").run(x, w, scale, bias, stride, padding, dilation, offset_x, soc)
        flat = out.view(torch.int16).flatten()
        flat[5] += 1
        return out, {"counters": None}          # tuple results are accepted (the twin returns counters)

    def raises(*args):
        raise RuntimeError("device lost")

    parser = argparse.ArgumentParser()
    run_cmd.add_arguments(parser)
    try:
        backends.register("broken", off_by_one_ulp, priority=100)
        assert backends.best().name == "broken"
        assert run_cmd.main(parser.parse_args(["--backend", "broken", "--cases", "offset_pad_int64"])) == 1
        backends.register("raising", raises, priority=-1)
        assert run_cmd.main(parser.parse_args(["--backend", "raising", "--cases", "offset_pad_int64"])) == 1
        backends.register("absent", raises, available_fn=lambda: False)
        with pytest.raises(ValueError, match="not available"):
            backends.get("absent")
    finally:
        for name in ("broken", "raising", "absent"):
            backends.unregister(name)
    assert backends.best().name in ("cpu", "sim", "npu")


@pytest.mark.parametrize("shape", [((1, 1, 4, 5), (1, 1, 2, 4), (1, 2)), ((2, 1, 7, 7), (14, 1, 5, 4), (1, 4)),
                                   ((1, 1, 9, 3), (20, 1, 2, 2), (1, 3))])
def test_onednn_single_column_stride_bug_avoided(shape):
    # torch 2.13 float32 convolutions get these wrong (Cin = 1, Wo = 1, horizontal stride > 1).
    xs, ws, stride = shape
    g = torch.Generator().manual_seed(0)
    x = torch.randint(-128, 128, xs, generator=g, dtype=torch.int8)
    w = torch.randint(-128, 128, ws, generator=g, dtype=torch.int8)
    scale = torch.full((ws[0],), 2.0**-6)
    assert_exact(run(x, w, scale, stride=stride), x, w, scale, stride=stride)


def test_float32_conv_garbage_case_avoided():
    # F.conv2d in float32 returned garbage for this one (found by the property test).
    g = torch.Generator().manual_seed(0)
    x = torch.randint(-128, 128, (2, 1, 1, 5), generator=g, dtype=torch.int8)
    w = torch.randint(-128, 128, (1, 1, 1, 4), generator=g, dtype=torch.int8)
    scale = torch.ones(1)
    assert_exact(run(x, w, scale, stride=(1, 2), padding=(3, 0)), x, w, scale, stride=(1, 2), padding=(3, 0))


def test_group_plan_uses_the_data_bound():
    g = torch.Generator().manual_seed(9)
    w = torch.randint(-128, 128, (8, 128, 3, 3), generator=g, dtype=torch.int8)       # K = 1152
    x = torch.randint(-128, 128, (1, 128, 6, 6), generator=g, dtype=torch.int8)
    groups, _, bound = cpu_float32.plan_groups(x, w, (1, 1), 0)
    assert groups == 1 and bound <= 2**24                    # ||w||_1 ~ 1152 * 64: one conv is exact
    x_sat, w_sat = adversarial("all_min", (1, 128, 6, 6), (8, 128, 3, 3), g)
    assert cpu_float32.plan_groups(x_sat, w_sat, (1, 1), 0)[0] == 2
    # offset_x counts as input data when there is padding
    small = torch.ones(1, 128, 6, 6, dtype=torch.int8)
    assert cpu_float32.plan_groups(small, w_sat, (0, 0), -128)[0] == 1
    assert cpu_float32.plan_groups(small, w_sat, (1, 0), -128)[0] == 2
    for xx, ww, ox in ((x, w, 0), (x_sat, w_sat, 0), (small, w_sat, -128)):
        s = torch.full((8,), 2.0**-14)
        assert_exact(run(xx, ww, s, padding=1, offset_x=ox), xx, ww, s, padding=1, offset_x=ox)
