"""The golden against hand-computed cases and against an independent float64 convolution."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from qconv import reference


def one_tap(acc: int, scale, bias=None):
    """A 1x1x1x1 problem whose accumulator is `acc` (x = acc or via bias), scale given as float32."""
    x = np.array([[[[1]]]], dtype=np.int8)
    w = np.array([[[[1]]]], dtype=np.int8)
    b = np.array([acc - 1], dtype=np.int32)
    s = np.array([scale], dtype=np.float32)
    return reference.quant_conv2d(x, w, s, b)[0, 0, 0, 0]


def f16_bits(v) -> int:
    return int(np.float16(v).view(np.uint16))


def test_offset_x_figure():
    # Documented figure: a 2x2 map of 2s, padding 1, offset_x 1 -> a 4x4 map with a border of 1s.
    x = np.full((1, 1, 2, 2), 2, dtype=np.int8)
    w = np.ones((1, 1, 1, 1), dtype=np.int8)
    out = reference.quant_conv2d(x, w, np.array([1.0], np.float32), padding=1, offset_x=1)
    expected = np.ones((4, 4), dtype=np.float16)
    expected[1:3, 1:3] = 2
    np.testing.assert_array_equal(out[0, 0], expected)


def test_padding_is_offset_x_not_zero_in_a_3x3_sum():
    x = np.zeros((1, 1, 1, 1), dtype=np.int8)
    w = np.ones((1, 1, 3, 3), dtype=np.int8)
    out = reference.quant_conv2d(x, w, np.array([1.0], np.float32), padding=1, offset_x=-5)
    assert out[0, 0, 0, 0] == -40  # 8 border taps of -5, the centre is 0


def test_accumulator_beyond_2_24_rounds_through_float32():
    # 2^24 + 2^13 + 1 is odd: float32 rounds it (tie, to even) to 2^24 + 2^13; times 2^-14 that is
    # 1024.5, an fp16 tie that goes to 1024. Without the float32 step the result would be 1025.
    acc = 2**24 + 2**13 + 1
    assert one_tap(acc, 2.0**-14) == np.float16(1024)
    assert np.float16(np.float64(acc) * 2.0**-14) == np.float16(1025)


def test_saturation_to_fp16_max():
    assert one_tap(100000, 1.0) == np.float16(65504)
    assert one_tap(-100000, 1.0) == np.float16(-65504)
    assert one_tap(65519, 1.0) == np.float16(65504)       # below the rounding boundary anyway
    assert one_tap(65520, 1.0) == np.float16(65504)       # would round to inf without the clamp
    assert one_tap(2**31 - 1 - 0, 3.0e38) == np.float16(65504)   # float32 overflow to inf, clamped
    assert np.isfinite(one_tap(-(2**31) + 1, 3.0e38))


def test_fp16_round_half_to_even():
    assert one_tap(2049, 1.0) == np.float16(2048)         # tie between 2048 and 2050
    assert one_tap(2051, 1.0) == np.float16(2052)
    assert one_tap(1, 2.0**-25) == np.float16(0)          # half the smallest subnormal -> 0
    assert one_tap(3, 2.0**-25) == np.float16(2.0**-23)   # 1.5 subnormal ulps -> 2 (even)


def test_zero_and_negative_zero():
    assert f16_bits(one_tap(0, 1.0)) == 0x0000
    assert f16_bits(one_tap(0, -1.0)) == 0x8000           # 0 * -1 = -0 in IEEE
    assert f16_bits(one_tap(-1, 2.0**-26)) == 0x8000      # a tiny negative rounds to -0


def test_scale_truncated_to_fp19():
    # float32 1 + 2^-11 sits in the 13 dropped bits: the hardware multiplies by 1.0.
    assert one_tap(1024, 1.0 + 2.0**-11) == np.float16(1024)
    # 1 + 2^-10 is the smallest fp19 step above 1 and survives.
    assert one_tap(1024, 1.0 + 2.0**-10) == np.float16(1025)
    s = np.array([1.0 + 2.0**-11 + 2.0**-20], np.float32)
    assert reference.scale_to_fp19(s)[0] == np.float32(1.0)


def test_int64_scale_uses_only_bits_13_to_31():
    garbage = (0x7ABC << 48) | (1 << 46) | (0x1FF << 37) | (0x1F << 32) | 0x3F800000 | 0x1FFF
    s = np.array([garbage, 0x3F800000], dtype=np.int64)
    np.testing.assert_array_equal(reference.scale_to_fp19(s), np.float32([1.0, 1.0]))
    negative_word = np.array([-(2**63) | 0xBF800000], dtype=np.int64)
    assert reference.scale_to_fp19(negative_word)[0] == np.float32(-1.0)


def test_accumulator_wraps_to_int32():
    x = np.ones((1, 1, 1, 1), dtype=np.int8)
    w = np.ones((1, 1, 1, 1), dtype=np.int8)
    acc = reference.accumulate(x, w, np.array([2**31 - 1], np.int32))
    assert acc[0, 0, 0, 0] == -(2**31)


def test_output_size_floor_division():
    assert reference.output_size(5, 7, 3, 3, 2, 1, 1) == (3, 4)
    assert reference.output_size(1, 1, 3, 3, 1, 0, 1) == (-1, -1)   # negative numerator floors down


def test_torch_input_gives_torch_output():
    x = torch.ones(1, 1, 3, 3, dtype=torch.int8)
    w = torch.ones(2, 1, 3, 3, dtype=torch.int8)
    out = reference.quant_conv2d(x, w, torch.tensor([1.0, 0.5]))
    assert out.dtype == torch.float16 and out.shape == (1, 2, 1, 1)
    assert out.flatten().tolist() == [9.0, 4.5]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_accumulator_matches_float64_convolution(data):
    # float64 is exact for these sizes (|acc| << 2^53), so it is an independent check of the taps.
    n, cin, cout = data.draw(st.integers(0, 2)), data.draw(st.integers(1, 5)), data.draw(st.integers(1, 4))
    kh, kw = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    sh, sw, ph, pw, dh, dw = (data.draw(st.integers(lo, hi)) for lo, hi in
                              [(1, 3), (1, 3), (0, 3), (0, 3), (1, 3), (1, 3)])
    h = data.draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 12))
    w_ = data.draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 12))
    offset_x = data.draw(st.integers(-128, 127))
    seed = data.draw(st.integers(0, 2**31))
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(-128, 128, (n, cin, h, w_), generator=g, dtype=torch.int8)
    wt = torch.randint(-128, 128, (cout, cin, kh, kw), generator=g, dtype=torch.int8)
    bias = torch.randint(-2**20, 2**20, (cout,), generator=g, dtype=torch.int32)
    xpad = F.pad(x.double(), (pw, pw, ph, ph), value=float(offset_x))
    expected = F.conv2d(xpad, wt.double(), bias.double(), (sh, sw), 0, (dh, dw))
    acc = reference.accumulate(x, wt, bias, (sh, sw), (ph, pw), (dh, dw), offset_x)
    np.testing.assert_array_equal(acc, expected.numpy().astype(np.int64))
