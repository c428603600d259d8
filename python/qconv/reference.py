"""The golden: QuantConv2d written for obviousness, independent of every fast path.

Semantics (docs/design.md section 1 gives the upstream source of each line):

    xpad = x padded by (ph, pw) on each side with the value offset_x (not 0)
    acc  = int32 sum over ci, kh, kw of xpad * w   (+ bias[co], int32)            soc ascend910b, ascend910_93
    acc  = int32 sum over ci, kh, kw of (xpad - offset_x) * w   (+ bias[co])      soc ascend310p
    s    = scale at hardware precision: the low 32 bits of an int64 scale masked with 0xFFFFE000 and
           read as float32 ("fp19"); a float32 scale gets the same mask on its own bits (what
           npu_trans_quant_param(round_mode=0) does)
    y    = float32(acc) * s          (float32 multiply, round to nearest even)
    out  = float16(clamp(y, -65504, 65504))   (round to nearest even; never inf or nan)

Which accumulator a SoC computes is configs/socs.yaml's `offset_x_form` (qconv.target): CANN 8.1.RC1's TBE
compute of the legacy op pads with offset_x everywhere but subtracts offset_x from every fmap value in
the MAD on the v200 SoCs, Ascend310P among them (github leideng/CANN-8.1.RC1,
Ascend/ascend-toolkit/8.1.RC1/python/site-packages/tbe/dsl/compute/conv_compute.py: is_support_v200 and
`offset_d = offset_x if is_support_v200() else 0`). `soc` defaults to qconv.target.get_soc(). The
zero-point form is computed here literally, tap by tap, not through the folded identity the fast
paths use (acc - offset_x * sum(w[co])), so that the two check each other.

The accumulator is the exact sum wrapped to int32 two's complement. Whether the hardware wraps or
saturates on overflow is not documented; an overflow needs |acc| > 2^31, i.e.
K = Cin*kh*kw > 131072 saturated taps or a huge bias, which no realistic layer reaches.
Two more choices the public sources do not settle (docs/design.md section 1): float32 multiply then
float16 rounding (every public golden does this; a single rounding of the exact product would differ
only on rare double-rounding ties); an fp19 scale with exponent 0 is used as the float32 subnormal its
bits spell (no flush to zero).

Everything here is numpy. The sum: one kernel tap at a time, a channel contraction in float64
(BLAS, fast) whose every partial sum is an integer of magnitude <= Cin * 2^15 < 2^53, hence exact
in any order; the taps are then added in int64. The epilogue: numpy's float32/float16 casts and
float32 multiply (IEEE round to nearest even). Inputs may be numpy arrays or CPU torch tensors; the
result has the type of `x`. All 53 ResNet-50 convolutions (4.1 GMAC) take ~3 s with one BLAS
thread; on a machine crowded with other jobs OPENBLAS_NUM_THREADS=1 avoids BLAS threads spinning.
"""
from __future__ import annotations

import numpy as np

from qconv import target

FP16_MAX = 65504.0
FP19_MASK = 0xFFFFE000


def _numpy(a) -> np.ndarray:
    if hasattr(a, "detach"):  # torch tensor, without importing torch here
        return a.detach().cpu().numpy()
    return np.asarray(a)


def _pair(v) -> tuple[int, int]:
    if isinstance(v, int):
        return (v, v)
    a, b = v
    return (int(a), int(b))


def scale_to_fp19(scale) -> np.ndarray:
    """float32 values the hardware multiplies by: int64 -> low 32 bits; float32 -> its bits; then
    the low 13 mantissa bits cleared."""
    s = _numpy(scale)
    if s.dtype == np.int64:
        bits = (s.astype(np.uint64) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    elif s.dtype == np.float32:
        bits = s.view(np.uint32)
    else:
        raise TypeError(f"scale must be int64 or float32, got {s.dtype}")
    return (bits & np.uint32(FP19_MASK)).view(np.float32)


def pad_with_offset(x: np.ndarray, padding, offset_x: int) -> np.ndarray:
    """int64 copy of the NCHW input with a border of (ph, pw) filled with offset_x."""
    ph, pw = _pair(padding)
    n, c, h, w = x.shape
    xpad = np.full((n, c, h + 2 * ph, w + 2 * pw), offset_x, dtype=np.int64)
    xpad[:, :, ph:ph + h, pw:pw + w] = x
    return xpad


def output_size(h: int, w: int, kh: int, kw: int, stride, padding, dilation) -> tuple[int, int]:
    """(Ho, Wo) with floor division, as torch_npu's meta computes it."""
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    return ((h + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1)


def wrap_int32(a: np.ndarray) -> np.ndarray:
    """Exact integers reduced to int32 two's complement (see U2 in the module docstring)."""
    return ((a.astype(np.int64) + 2**31) % 2**32 - 2**31).astype(np.int32)


def accumulate(x, weight, bias=None, stride=1, padding=0, dilation=1, offset_x=0, soc=None) -> np.ndarray:
    """The int32 accumulator (N, Cout, Ho, Wo) of `soc` (default: qconv.target.get_soc()): conv of the
    offset_x-padded input (minus offset_x on every tap where the SoC's form is zero_point) plus bias."""
    zero_point = offset_x if target.offset_x_form(soc) == target.ZERO_POINT else 0
    x, weight = _numpy(x).astype(np.int64), _numpy(weight).astype(np.float64)
    (sh, sw), (dh, dw) = _pair(stride), _pair(dilation)
    n, _, h, w = x.shape
    cout, cin, kh, kw = weight.shape
    ho, wo = output_size(h, w, kh, kw, stride, padding, dilation)
    if ho <= 0 or wo <= 0:
        raise ValueError(f"output size (Ho, Wo) = ({ho}, {wo}) must be positive")
    if cin >= 2**38:
        raise ValueError(f"input channels = {cin}: float64 tap sums would no longer be exact")
    xpad = (pad_with_offset(x, padding, offset_x) - zero_point).astype(np.float64)   # |value| <= 255
    acc = np.zeros((n, cout, ho, wo), dtype=np.int64)
    # One kernel tap at a time: the input pixels that tap sees for every output pixel form a strided
    # slice of the padded map; contracting its channel axis with the tap's weights adds that tap's
    # contribution to every output at once.
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + (ho - 1) * sh + 1, sh)
            cols = slice(j * dw, j * dw + (wo - 1) * sw + 1, sw)
            seen = xpad[:, :, rows, cols]                       # (N, Cin, Ho, Wo)
            acc += np.einsum("nchw,oc->nohw", seen, weight[:, :, i, j], optimize=True).astype(np.int64)
    if bias is not None:
        acc += _numpy(bias).astype(np.int64).reshape(1, cout, 1, 1)
    return wrap_int32(acc)


def dequantize(acc, scale) -> np.ndarray:
    """int32 accumulator (N, Cout, ...) -> float16 output with the fp19 per-channel scale."""
    acc = np.asarray(acc, dtype=np.int32)
    s = scale_to_fp19(scale).reshape((1, -1) + (1,) * (acc.ndim - 2))
    with np.errstate(over="ignore", invalid="ignore"):
        y = acc.astype(np.float32) * s                         # int32 -> float32 RNE, float32 multiply RNE
    y = np.clip(y, np.float32(-FP16_MAX), np.float32(FP16_MAX))
    return y.astype(np.float16)                                # float32 -> float16 RNE


def quant_conv2d(x, weight, scale, bias=None, stride=1, padding=0, dilation=1, offset_x=0, soc=None):
    """Golden QuantConv2d: NCHW int8 x, int8 weight (Cout, Cin, kh, kw), int64 or float32 scale (Cout,),
    optional int32 bias (Cout,) -> float16 (N, Cout, Ho, Wo), as numpy or torch like `x`. `soc` selects
    the offset_x semantics (module docstring); None: qconv.target.get_soc()."""
    out = dequantize(accumulate(x, weight, bias, stride, padding, dilation, offset_x, soc), scale)
    if hasattr(x, "detach"):
        import torch
        return torch.from_numpy(out)
    return out
