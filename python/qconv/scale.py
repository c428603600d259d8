"""Dequant-scale helpers: torch_npu's `npu_trans_quant_param`, its inverse, and the fp19 value the
hardware multiplies by.

The 64-bit "deq scale" word (mirror-cann/asc-devkit docs/zh/api/SIMD-API/基础API/矩阵计算（ISASI）/矩阵计算的搬出/
关键特性说明/随路量化.md, table 1; docs/design.md section 1):

    bits  0..31  M1: float32 bits; the hardware reads only bits 13..31 (1 sign, 8 exponent,
                 10 mantissa bits = "fp19"), so the low 13 bits are ignored
    bits 32..36  shift N and MCB: 0 here (int32 goes straight to float)
    bits 37..45  9-bit two's-complement offset (used by the 8-bit requant modes only)
    bit  46      set by npu_trans_quant_param (int8/uint8 output flag of the requant modes)
    bits 47..63  ignored

trans_quant_param follows the documented formula and the TransQuantParamV2 kernel:
    out = (bits(scale) rounded to fp19 per round_mode) & 0xFFFFE000 | 1 << 46
    with offset: out = (out & 0x4000FFFFFFFF) | ((clamp(rint(offset), -256, 255) & 0x1FF) << 37)
round_mode 0 truncates; round_mode 1 rounds the 13 dropped bits to nearest even (a mantissa carry
moves into the exponent), flushes exponent-0 inputs (zero, subnormal) to signed zero and leaves
inf/nan truncated.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

FP19_MASK = 0xFFFFE000
QUANT_FLAG = 1 << 46
OFFSET_SHIFT = 37
OFFSET_CLEAR_MASK = 0x4000FFFFFFFF   # keeps bit 46 and the low 48 bits, clears the offset field
OFFSET_MIN, OFFSET_MAX = -256, 255


# (numpy dtype kinds, their name) each helper takes: real numbers for scales and offsets, integers for words.
_REAL = ("fiu", "floating or integer")
_INTEGER = ("iu", "integer")


def _as_numpy(param: str, a, dtype, kinds: tuple[str, str]) -> np.ndarray:
    """`a` (torch tensor, numpy array, number or nested list) as a contiguous `dtype` array, refusing
    what would be converted with loss of meaning: None, strings, bools, complex numbers (their imaginary
    part would be dropped), quantized tensors, and for integer words any float."""
    from qconv._generated import limits
    kind_codes, kind_name = kinds
    allowed = f"a tensor or array of {kind_name} numbers"
    source = a
    if hasattr(a, "detach"):
        if a.is_quantized or a.is_complex() or a.layout != _torch_strided():
            raise TypeError(limits.message("wrong_dtype", param=param, expected=kind_name,
                                           actual=f"{a.dtype} ({a.layout})"))
        if a.device.type == "meta":
            raise ValueError(limits.message("not_supported", param=param, value="a meta tensor",
                                            allowed="a tensor with data"))
        a = a.detach().cpu().numpy()
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError) as exc:
        raise TypeError(limits.message("not_supported", param=param, value=_shown(source), allowed=allowed)) from exc
    if arr.dtype.kind in "OUSV":    # None, strings, mixed objects: not numbers at all
        raise TypeError(limits.message("not_supported", param=param, value=_shown(source), allowed=allowed))
    if arr.dtype.kind not in kind_codes:
        raise TypeError(limits.message("wrong_dtype", param=param, expected=kind_name, actual=arr.dtype))
    return np.ascontiguousarray(arr.astype(dtype, copy=False))


def _torch_strided():
    import torch
    return torch.strided


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _like_input(result: np.ndarray, template):
    if hasattr(template, "detach"):
        import torch
        return torch.from_numpy(result).to(template.device)
    return result


def _round_bits_to_fp19(bits: np.ndarray) -> np.ndarray:
    """round_mode 1: round-to-nearest-even of float32 bits at mantissa bit 13 (uint32 in, uint32 out)."""
    bits = bits.astype(np.uint64)
    exponent = (bits >> 23) & 0xFF
    round_bit = (bits >> 12) & 1
    sticky = (bits & 0xFFF) != 0
    lsb = (bits >> 13) & 1
    up = (round_bit == 1) & (sticky | (lsb == 1)) & (exponent != 0) & (exponent != 0xFF)
    rounded = bits + np.where(up, np.uint64(0x2000), np.uint64(0))   # a carry ripples into the exponent
    rounded = np.where(exponent == 0, bits & 0x80000000, rounded)     # zero / subnormal -> signed zero
    return rounded.astype(np.uint32)


def trans_quant_param(scale, offset=None, round_mode: int = 0):
    """float32 scale (and optional float32 offset) -> int64 deq-scale words, as
    torch_npu.npu_trans_quant_param does. Returns a torch tensor for torch input, else numpy."""
    from qconv import checks
    from qconv._generated import limits
    round_mode = checks.as_int("round_mode", round_mode, "0 or 1")
    if round_mode not in (0, 1):
        raise ValueError(limits.message("not_supported", param="round_mode", value=round_mode, allowed="0 or 1"))
    s = _as_numpy("scale", scale, np.float32, _REAL)
    bits = s.view(np.uint32)
    if round_mode == 1:
        bits = _round_bits_to_fp19(bits)
    out = (bits.astype(np.uint64) & np.uint64(FP19_MASK)) | np.uint64(QUANT_FLAG)
    if offset is not None:
        o = _as_numpy("offset", offset, np.float32, _REAL)
        # ops-nn quant/trans_quant_param_v2/README.md: scale and offset each hold 1 or n values (shape (1,),
        # (n,) or (1, n)) and a 1-D result has the larger length: one value serves every channel, else the
        # lengths agree.
        if o.size != 1 and s.size != 1 and o.size != s.size:
            raise ValueError(limits.message("wrong_length", param="offset", expected=f"1 or scale's {s.size}",
                                            actual=o.size))
        if np.isnan(o).any():
            index = int(np.flatnonzero(np.isnan(o))[0])
            raise ValueError(limits.message("non_finite", param="offset", index=index, value="nan"))
        o = np.clip(np.rint(o), OFFSET_MIN, OFFSET_MAX).astype(np.int64)     # rint: half to even
        field = (o.astype(np.uint64) & np.uint64(0x1FF)) << np.uint64(OFFSET_SHIFT)
        out, field = np.broadcast_arrays(out, field)
        out = (out & np.uint64(OFFSET_CLEAR_MASK)) | field
    return _like_input(np.ascontiguousarray(out).view(np.int64), scale)


class QuantParam(NamedTuple):
    scale: np.ndarray      # float32: the fp19 value the hardware multiplies by
    offset: np.ndarray     # int64: the 9-bit two's-complement offset field
    flag: np.ndarray       # bool: bit 46


def decode_quant_param(words) -> QuantParam:
    """int64 deq-scale words -> (fp19 scale as float32, 9-bit offset, bit 46)."""
    u = _as_numpy("words", words, np.int64, _INTEGER).view(np.uint64)
    scale = (u & np.uint64(FP19_MASK)).astype(np.uint32).view(np.float32)
    raw = ((u >> np.uint64(OFFSET_SHIFT)) & np.uint64(0x1FF)).astype(np.int64)
    offset = np.where(raw >= 256, raw - 512, raw)
    flag = ((u >> np.uint64(46)) & np.uint64(1)).astype(bool)
    return QuantParam(scale, offset, flag)


def hardware_scale(scale):
    """torch tensor, int64 or float32 (Cout,) -> float32 (Cout,) fp19 values, on the same device.

    int64: bits 13..31 of each word (higher bits ignored, as the hardware ignores them); float32: the
    same mask on its own bits, i.e. npu_trans_quant_param(scale, round_mode=0)."""
    import torch
    if not isinstance(scale, torch.Tensor):
        from qconv._generated import limits
        raise TypeError(limits.message("wrong_dtype", param="scale", expected="torch.int64 or torch.float32",
                                       actual=type(scale).__name__))
    if scale.dtype == torch.int64:
        low = scale & 0xFFFFFFFF
        low = torch.where(low >= 2**31, low - 2**32, low)     # exact uint32 -> int32 reinterpretation
        bits = low.to(torch.int32)
    elif scale.dtype == torch.float32:
        bits = scale.view(torch.int32)
    else:
        raise TypeError(f"scale must have dtype torch.int64 or torch.float32, got {scale.dtype}")
    return (bits & -8192).view(torch.float32)     # -8192 == int32(0xFFFFE000)


def decode_scale(scale):
    """torch tensor, int64 or float32 (Cout,) -> hardware_scale(scale), checked finite (a non-finite value
    raises check_scale_values' error). Cached with the scale's content like a weight's packs (a model's
    scales are parameters): the CPU op and the twin launcher decode through here."""
    import math

    from qconv import checks
    from qconv.param_cache import PACK_CACHE

    def make():
        s = hardware_scale(scale)
        if s.numel() and not math.isfinite(float(s.abs().max())):   # NaN propagates through max
            checks.check_scale_values(scale, s)
        return s

    return PACK_CACHE.get(scale, ("fp19",), make)
