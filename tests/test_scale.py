"""trans_quant_param / decode_quant_param against the documented formula and worked examples."""
import struct

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from qconv.scale import decode_quant_param, hardware_scale, trans_quant_param


def f32_bits(v: float) -> int:
    return struct.unpack("<I", struct.pack("<f", v))[0]


def from_bits(b: int) -> float:
    return struct.unpack("<f", struct.pack("<I", b & 0xFFFFFFFF))[0]


def test_documented_example_offset_1():
    word = 0x40203F85E000
    assert word == 70507248869376
    assert int(trans_quant_param(np.float32([1.0458984375]), np.float32([1.0]))[0]) == word
    d = decode_quant_param(np.int64([word]))
    assert d.scale[0] == np.float32(1.0458984375) and d.offset[0] == 1 and d.flag[0]


def test_documented_example_offset_minus_2():
    word = 0x7FC03E326000
    assert word == 140463653937152
    d = decode_quant_param(np.int64([word]))
    assert d.offset[0] == -2 and d.flag[0]
    assert abs(float(d.scale[0]) - 0.17419) < 1e-5
    assert int(trans_quant_param(d.scale, np.float32([-2.0]))[0]) == word


def test_round_mode_0_truncates_and_sets_bit_46():
    s = np.float32([from_bits(0x3F801FFF), -1.5])
    out = trans_quant_param(s)
    assert out.dtype == np.int64
    assert [int(v) for v in out] == [(1 << 46) | 0x3F800000, (1 << 46) | f32_bits(-1.5)]


def test_round_mode_1_rounds_to_nearest_even_with_carry():
    cases = {
        0x3F801000: 0x3F800000,   # exact tie, lsb 0 -> down
        0x3F803000: 0x3F804000,   # exact tie, lsb 1 -> up
        0x3F801001: 0x3F802000,   # above the tie -> up
        0x3F800FFF: 0x3F800000,   # below the tie -> down
        0x3FFFF000: 0x40000000,   # mantissa carry moves into the exponent: 1.99.. -> 2.0
        0x7F7FF000: 0x7F800000,   # overflow -> infinity
        0x00000001: 0x00000000,   # subnormal -> +0
        0x807FFFFF: 0x80000000,   # negative subnormal -> -0
        0x7F800000: 0x7F800000,   # inf stays
        0x7FC01FFF: 0x7FC00000,   # nan truncated
    }
    s = np.array(list(cases), dtype=np.uint32).view(np.float32)
    out = trans_quant_param(s, round_mode=1)
    assert [int(v) & 0xFFFFFFFF for v in out] == list(cases.values())
    assert all(int(v) >> 32 == 1 << 14 for v in out)


def test_round_mode_0_keeps_subnormal_bits():
    s = np.array([0x00402001], dtype=np.uint32).view(np.float32)
    assert int(trans_quant_param(s)[0]) & 0xFFFFFFFF == 0x00402000


def test_offset_rounds_half_to_even_and_clamps():
    off = np.float32([0.5, 1.5, 2.5, -0.5, -2.5, 300.0, -300.0, 255.0, -256.0, np.inf])
    d = decode_quant_param(trans_quant_param(np.ones(10, np.float32), off))
    assert d.offset.tolist() == [0, 2, 2, 0, -2, 255, -256, 255, -256, 255]


def test_offset_broadcasts_and_nan_offset_is_an_error():
    out = trans_quant_param(np.float32([2.0]), np.float32([1.0, -1.0, 3.0]))
    assert out.shape == (3,)
    assert decode_quant_param(out).offset.tolist() == [1, -1, 3]
    with pytest.raises(ValueError, match=r"offset must be finite, but offset\[0\] = nan"):
        trans_quant_param(np.float32([1.0]), np.float32([np.nan]))


def test_bad_round_mode():
    with pytest.raises(ValueError, match="round_mode = 2"):
        trans_quant_param(np.float32([1.0]), round_mode=2)


def test_torch_in_torch_out():
    out = trans_quant_param(torch.tensor([1.0458984375]), torch.tensor([1.0]))
    assert isinstance(out, torch.Tensor) and out.dtype == torch.int64
    assert out.tolist() == [0x40203F85E000]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(-(2**31), 2**31 - 1))
def test_hardware_scale_matches_both_dtypes(bits, high):
    # float32 scale == its round_mode-0 word; high garbage in an int64 word changes nothing.
    f = torch.tensor([bits], dtype=torch.int64).to(torch.int32).view(torch.float32) \
        if bits < 2**31 else torch.tensor([bits - 2**32], dtype=torch.int32).view(torch.float32)
    word = (high << 32) | bits
    expected = bits & 0xFFFFE000
    got_f = hardware_scale(f).view(torch.int32).item() & 0xFFFFFFFF
    got_w = hardware_scale(torch.tensor([word], dtype=torch.int64)).view(torch.int32).item() & 0xFFFFFFFF
    via_trans = hardware_scale(trans_quant_param(f)).view(torch.int32).item() & 0xFFFFFFFF
    assert got_f == got_w == via_trans == expected


@settings(max_examples=200, deadline=None)
@given(st.floats(width=32, allow_nan=False, allow_infinity=False), st.integers(0, 1))
def test_decode_inverts_trans(value, mode):
    word = trans_quant_param(np.float32([value]), round_mode=mode)
    d = decode_quant_param(word)
    bits = f32_bits(value)
    if mode == 0:
        assert f32_bits(float(d.scale[0])) == bits & 0xFFFFE000
    else:
        exact = abs(np.float64(np.float32(value)))
        got = abs(np.float64(d.scale[0]))
        if (bits >> 23) & 0xFF != 0 and np.isfinite(got):
            ulp = 2.0 ** (np.floor(np.log2(exact)) - 10)
            assert abs(got - exact) <= ulp / 2
    assert d.flag[0] and d.offset[0] == 0
