"""The integer convolution of qconv._cpu (cpu/int_conv.h) called directly: both kinds (quads: uint8 x int8
with AVX-512 VNNI; pairs: int16 with AVX2), vector and scalar code, against the golden on random
geometry, on the int32 wrap, on the weight packing, and across threads."""
import threading

import pytest
import torch
from hypothesis import given, settings, strategies as st

from qconv import cpu_conv, reference
from qconv.scale import hardware_scale

native = cpu_conv.native_module()
pytestmark = pytest.mark.skipif(native is None, reason="qconv._cpu is not built")

# (kind, vector bits); vectors the CPU lacks fall back to the scalar code, so those are skipped, not run twice.
KINDS = [(4, 512), (4, 256), (2, 256), (4, 0), (2, 0)]


def kind_id(v):
    kind, bits = v
    return f"{'quads' if kind == 4 else 'pairs'}-{bits or 'scalar'}"


@pytest.fixture(params=KINDS, ids=kind_id, scope="module")
def kind(request):
    k, bits = request.param
    if bits and not (native.has_avx512_vnni() if k == 4 else native.has_avx2_f16c()):
        pytest.skip("this CPU lacks the instructions")
    return request.param


def bits(t):
    return t.contiguous().view(torch.int16)


def conv(kind, x, w, scale, bias, stride, padding, dilation, offset_x):
    k, bits = kind
    out_hw = reference.output_size(x.shape[2], x.shape[3], w.shape[2], w.shape[3], stride, padding, dilation)
    return cpu_conv.int_conv(native, x, w, hardware_scale(scale), bias, stride, padding, dilation, offset_x,
                             out_hw, k, bits)


def assert_exact(kind, x, w, scale, bias=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), offset_x=0):
    out = conv(kind, x, w, scale, bias, stride, padding, dilation, offset_x)
    expected = reference.quant_conv2d(x, w, scale, bias, stride, padding, dilation, offset_x)
    assert out.shape == expected.shape and out.is_contiguous()
    mismatches = int((bits(out) != bits(expected)).sum())
    assert mismatches == 0, f"{mismatches} of {out.numel()} outputs differ from the golden"


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_random_geometry_matches_the_golden(kind, data):
    """Channel counts around the 16-channel blocks and the 2/4-element groups, pixel counts around the
    6-pixel tiles and 96-pixel blocks, every stride/dilation/padding mix, any input layout."""
    n, cin, cout = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 37)), data.draw(st.integers(1, 40))
    kh, kw = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
    sh, sw, ph, pw, dh, dw = (data.draw(st.integers(lo, hi)) for lo, hi in
                              [(1, 3), (1, 3), (0, 4), (0, 4), (1, 3), (1, 3)])
    h = data.draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 24))
    w_ = data.draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 24))
    offset_x = data.draw(st.integers(-128, 127))
    layout = data.draw(st.sampled_from(["nchw", "channels_last", "strided", "expanded"]))
    g = torch.Generator().manual_seed(data.draw(st.integers(0, 2**31)))
    x = torch.randint(-128, 128, (n, cin, h, 2 * w_), generator=g, dtype=torch.int8)
    x = x[:, :, :, ::2] if layout == "strided" else x[:, :, :, :w_].contiguous()
    if layout == "channels_last":
        x = x.contiguous(memory_format=torch.channels_last)
    if layout == "expanded":             # stride 0 over batch and channels
        x = x[:1, :1].expand(n, cin, h, w_)
    w = torch.randint(-128, 128, (cout, cin, kh, kw), generator=g, dtype=torch.int8)
    scale = (torch.rand(cout, generator=g) - 0.5) * 2.0 ** data.draw(st.integers(-24, 2))
    bias = torch.randint(-2**31, 2**31 - 1, (cout,), generator=g, dtype=torch.int32) if data.draw(st.booleans()) else None
    assert_exact(kind, x, w, scale, bias, (sh, sw), (ph, pw), (dh, dw), offset_x)


@pytest.mark.parametrize("cin,k,value", [(131073, 1, -128), (4608 // 9, 3, 127), (8200, 1, -128)], ids=str)
def test_int32_wrap_like_the_golden(kind, cin, k, value):
    """131073 x (-128)^2 > 2^31: the accumulator wraps in int32 exactly as the golden's does; with the
    quads' +128 bias the unbiased sum and the correction wrap too."""
    x = torch.full((1, cin, k, k + 1), value, dtype=torch.int8)
    w = torch.full((3, cin, k, k), value, dtype=torch.int8)
    w[1] = -value if value != -128 else 127
    scale = torch.tensor([2.0**-20, 2.0**-14, 1.0])
    bias = torch.tensor([2**31 - 1, -2**31, 12345], dtype=torch.int32)
    exact = int(value) * int(value) * cin * k * k
    if cin * k * k * 2**14 >= 2**31:
        assert exact >= 2**31                      # the case really wraps
    for b in (None, bias):
        assert_exact(kind, x, w, scale, b, padding=(k // 2, k // 2), offset_x=value)


def test_offset_x_extremes_and_all_padding(kind):
    """Outputs whose whole receptive field is padding (offset_x * sum(w)), at offset_x = -128 and 127."""
    g = torch.Generator().manual_seed(5)
    x = torch.randint(-128, 128, (2, 5, 3, 4), generator=g, dtype=torch.int8)
    w = torch.randint(-128, 128, (17, 5, 2, 3), generator=g, dtype=torch.int8)
    scale = torch.rand(17, generator=g) * 2.0**-12
    for offset_x in (-128, 127, 0):
        assert_exact(kind, x, w, scale, None, (2, 3), (4, 5), (3, 1), offset_x)


def test_packed_layout():
    """The documented layout (cpu/int_conv.h): int32 corrections, then per 16-channel block and step,
    16 channels x 4 bytes; merged runs of kw*cin for dilation_w = 1, zero past a run and past cout."""
    cout, cin, kh, kw = 3, 3, 2, 2
    w = torch.arange(cout * cin * kh * kw, dtype=torch.int8).reshape(cout, cin, kh, kw) - 20
    for kind, dw in ((2, 1), (4, 1), (2, 2), (4, 2)):
        lanes = kind
        run = kw * cin if dw == 1 else cin
        segments = kh if dw == 1 else kh * kw
        groups = -(-run // lanes)
        size = native.packed_weight_bytes(kind, cout, cin, kh, kw, 1, dw)
        assert size == 16 * 4 + segments * groups * 16 * 4
        packed = torch.empty(size, dtype=torch.uint8)
        native.pack_weight(kind, w.data_ptr(), cout, cin, kh, kw, 1, dw, packed.data_ptr())
        corr = packed[:64].view(torch.int32)
        expected_corr = torch.zeros(16, dtype=torch.int32)
        if kind == 4:
            expected_corr[:cout] = -128 * w.to(torch.int32).sum((1, 2, 3))
        assert torch.equal(corr, expected_corr)
        body = packed[64:].view(torch.int16 if kind == 2 else torch.int8).view(segments, groups, 16, lanes)
        for s in range(segments):
            for r in range(groups * lanes):
                for co in range(16):
                    got = int(body[s, r // lanes, co, r % lanes])
                    if co >= cout or r >= run:
                        assert got == 0
                    elif dw == 1:
                        assert got == int(w[co, r % cin, s, r // cin])
                    else:
                        assert got == int(w[co, r, s // kw, s % kw])


def test_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="kind = 3 is not supported; allowed: 2, 4"):
        native.packed_weight_bytes(3, 1, 1, 1, 1, 1, 1)
    with pytest.raises(ValueError, match="kind = 1"):
        cpu_conv.set_int_kernel(1)


def test_threads_and_concurrent_callers_agree():
    """One or two OpenMP threads, and two Python threads at once (each has its own input buffer)."""
    g = torch.Generator().manual_seed(11)
    x = torch.randint(-128, 128, (2, 64, 30, 30), generator=g, dtype=torch.int8)
    w = torch.randint(-128, 128, (48, 64, 3, 3), generator=g, dtype=torch.int8)
    x2 = torch.randint(-128, 128, (1, 32, 41, 17), generator=g, dtype=torch.int8)
    w2 = torch.randint(-128, 128, (20, 32, 5, 3), generator=g, dtype=torch.int8)
    scale = torch.rand(48, generator=g) * 2.0**-14
    expected = reference.quant_conv2d(x, w, scale, None, 1, 1, 1, 3)
    expected2 = reference.quant_conv2d(x2, w2, scale[:20], None, 2, 2, 1, -3)
    kind = (native.best_int_kernel(), 512)
    threads = torch.get_num_threads()
    try:
        for t in (1, 2):
            torch.set_num_threads(t)
            assert torch.equal(bits(conv(kind, x, w, scale, None, (1, 1), (1, 1), (1, 1), 3)), bits(expected))
    finally:
        torch.set_num_threads(threads)
    failures = []

    def worker(args, want):
        for _ in range(5):
            if not torch.equal(bits(conv(kind, *args)), bits(want)):
                failures.append(args[0].shape)

    jobs = [threading.Thread(target=worker, args=((x, w, scale, None, (1, 1), (1, 1), (1, 1), 3), expected)),
            threading.Thread(target=worker, args=((x2, w2, scale[:20], None, (2, 2), (2, 2), (1, 1), -3), expected2))]
    for j in jobs:
        j.start()
    for j in jobs:
        j.join()
    assert not failures


def test_epilogue_rounding_edges(kind):
    """The fused epilogue on exact accumulators chosen for its edges: acc = x + bias with x = -128..127
    (one pixel each) and per channel bias/scale that put y = float32(acc) * scale on float16 ties
    (12-bit odd accumulators times powers of two), in the subnormal range, at the 65504/65520
    saturation edge and past it, with both signs and int32 wrap of acc + bias."""
    x = torch.arange(-128, 128, dtype=torch.int16).to(torch.int8).view(1, 1, 16, 16)
    specs = [(2048, 2.0**-e) for e in range(0, 40, 3)] + [(-2048, 2.0**-e) for e in range(14, 30, 3)]
    specs += [(65504, 1.0), (65520, 1.0), (-65520, 1.0), (65504 * 2, 0.5), (2**31 - 100, 1.0), (-2**31 + 50, 1.0)]
    specs += [(0, 2.0**-24), (1, 2.0**-25), (3000, -2.0**-20)]
    bias = torch.tensor([b for b, _ in specs], dtype=torch.int32)
    scale = torch.tensor([s for _, s in specs], dtype=torch.float32)
    w = torch.ones((len(specs), 1, 1, 1), dtype=torch.int8)
    assert_exact(kind, x, w, scale, bias)
