"""The exact CPU kernel of QuantConv2d: quant_conv2d below is what torch.ops.qconv.quant_conv2d runs on
CPU tensors (speed: bench/README.md). Every path is bit-identical to the golden (python/qconv/reference.py).

Read top-down: quant_conv2d (the entry) applies the target SoC's offset_x semantics, choose_path names
the path, then the integer path and its switches. Elsewhere: the float32 path (cpu_float32.py), the
cache of derived weight/scale forms (param_cache.py), the compiled module's handle (cpu_native.py), scale
decoding (scale.py decode_scale).

The integer path (default when the native module qconv._cpu is built and the CPU has AVX2):
cpu/int_conv.cpp, an implicit-GEMM convolution in integer SIMD whose products and int32 sums are exact
by construction (int16 pairs with AVX2 vpmaddwd; uint8 x int8 quads with AVX-512 VNNI vpdpbusd, the
+128 activation bias corrected through the bias), with the epilogue fused into its store. Weights are
packed once per weight and layout (cached by content).

The offset_x semantics (qconv.target): on a zero_point SoC (ascend310p) the accumulator is
sum of (xpad - offset_x) * w = (sum of xpad * w) - offset_x * sum(w[co]). Every path computes the first
term and adds the bias in wrapping int32, so folding -offset_x * sum(w[co]) into the bias, wrapped to
int32, gives the golden's accumulator modulo 2^32, i.e. the same int32 (the native quads fold their
-128 * sum(w[co]) the same way).
"""
from __future__ import annotations

import enum

import torch

from qconv import cpu_float32, target
from qconv.cpu_native import address, native_module, native_operands, set_native_module  # noqa: F401
from qconv.param_cache import PACK_CACHE


def quant_conv2d(x, weight, scale_fp19, bias, stride, padding, dilation, offset_x, out_hw,
                 max_scale: float | None = None, soc: str | None = None) -> torch.Tensor:
    """x int8 (N, Cin, H, W), weight int8 (Cout, Cin, kh, kw), scale_fp19 float32 (Cout,) (already
    at hardware precision, finite; max_scale = max |scale_fp19| if the caller has it) and bias int32
    (Cout,) or None -> float16 (N, Cout, Ho, Wo), contiguous, with the offset_x semantics of `soc`
    (None: qconv.target.get_soc())."""
    n = x.shape[0]
    cout = weight.shape[0]
    if n == 0 or cout == 0:
        return torch.empty((n, cout, *out_hw), dtype=torch.float16)
    if offset_x and target.offset_x_form(soc) == target.ZERO_POINT:
        bias = zero_point_bias(weight, bias, offset_x)
    native = native_module()
    path, engine = choose_path(native, weight, out_hw)
    if path in (ConvPath.INT_QUADS, ConvPath.INT_PAIRS):
        return int_conv(native, x, weight, scale_fp19, bias, stride, padding, dilation, offset_x, out_hw,
                        _INT_KINDS[path], _forced[1])
    if path is ConvPath.FLOAT32_NATIVE_PASSES:
        return cpu_float32.with_native_passes(native, engine, x, weight, scale_fp19, bias, stride, padding,
                                              dilation, offset_x)
    return cpu_float32.with_torch_passes(engine if path is ConvPath.FLOAT32 else None, x, weight, scale_fp19, bias,
                                         stride, padding, dilation, offset_x, max_scale)


class ConvPath(enum.Enum):
    """Where quant_conv2d computes; each is exact."""
    INT_QUADS = "int_quads"                     # cpu/int_conv: uint8 x int8 quads (AVX-512 VNNI vpdpbusd)
    INT_PAIRS = "int_pairs"                     # cpu/int_conv: int16 pairs (AVX2 vpmaddwd)
    FLOAT32_NATIVE_PASSES = "float32_native"    # float32 convolution inside the native cast/pad and epilogue
    FLOAT32 = "float32"                         # float32 convolution with torch's passes (no native module)
    EXACT_INT = "exact_int"                     # no float32 convolution provably exact: float64 im2col


_INT_KINDS = {ConvPath.INT_QUADS: 4, ConvPath.INT_PAIRS: 2}     # cpu/int_conv.h's kind codes
_forced: tuple[int | None, int] = (None, 512)           # set_int_kernel's (kind, vector_bits)


def choose_path(native, weight, out_hw) -> tuple[ConvPath, str | None]:
    """(path, float32 engine or None). The integer kernel whenever the native module is built and the CPU
    has AVX2 (without it, its scalar code is slower than the float32 path), unless set_int_kernel forces
    another kind; else float32 where an engine is provably exact for this shape (cpu_float32.fp32_engine,
    K per tap <= 1024), else EXACT_INT."""
    kind = _forced[0]
    if native is not None and kind is None and native.has_avx2_f16c():
        kind = native.best_int_kernel()
    if native is not None and kind:
        return (ConvPath.INT_QUADS if kind == 4 else ConvPath.INT_PAIRS), None
    _, cin, kh, kw = weight.shape
    engine = cpu_float32.fp32_engine(cin, kh * kw, out_hw, fused_layouts=native is not None)
    if engine is None or cin == 0 or kh * kw > cpu_float32.EXACT_FP32_TAPS:
        return ConvPath.EXACT_INT, None
    return (ConvPath.FLOAT32 if native is None else ConvPath.FLOAT32_NATIVE_PASSES), engine


def zero_point_bias(weight: torch.Tensor, bias: torch.Tensor | None, offset_x: int) -> torch.Tensor:
    """int32 (Cout,): bias - offset_x * sum(w[co]), wrapped to int32 (module docstring). sum(w[co]) is
    cached with the weight's other derived forms."""
    weight_sums = PACK_CACHE.get(weight, ("sum",), lambda: weight.detach().to(torch.int64).sum((1, 2, 3)))
    folded = weight_sums * -offset_x
    if bias is not None:
        folded = folded + bias.to(torch.int64)
    return cpu_float32.wrap_int32(folded)


def int_conv(native, x, weight, scale_fp19, bias, stride, padding, dilation, offset_x, out_hw,
             kind: int | None = None, vector_bits: int = 512) -> torch.Tensor:
    """The integer path (cpu/int_conv.cpp), pad-only semantics, exact for every shape: kind 4 = u8 x s8
    quads (AVX-512 VNNI), 2 = int16 pairs (AVX2); None = the best this CPU runs. vector_bits: the widest
    vectors the kernel may use (512, 256; 0 = the scalar code)."""
    n, cin, h, w = x.shape
    cout, _, kh, kw = weight.shape
    ho, wo = out_hw
    kind = native.best_int_kernel() if kind is None else kind
    packed = _packed_int_weight(native, kind, weight, dilation)
    out, bias, scale = native_operands((n, cout, ho, wo), bias, scale_fp19)
    native.int_conv(kind, x.data_ptr(), n, cin, h, w, *x.stride(), packed.data_ptr(), cout, kh, kw, *stride,
                    *padding, *dilation, ho, wo, offset_x, address(bias), scale.data_ptr(), out.data_ptr(),
                    vector_bits)
    return out


def _packed_int_weight(native, kind: int, weight: torch.Tensor, dilation) -> torch.Tensor:
    """The weight in int_conv's layout for `kind` (cpu/int_conv.h), cached with the weight's other packs.
    The layout depends on the weight, the kind and whether dilation_w is 1 (kernel rows are one run)."""
    cout, cin, kh, kw = weight.shape
    dh, dw = dilation

    def make() -> torch.Tensor:
        w = weight.detach().contiguous()
        packed = torch.empty(native.packed_weight_bytes(kind, cout, cin, kh, kw, dh, dw), dtype=torch.uint8)
        native.pack_weight(kind, w.data_ptr(), cout, cin, kh, kw, dh, dw, packed.data_ptr())
        return packed

    return PACK_CACHE.get(weight, ("int", kind, dw == 1), make)


def set_int_kernel(kind: int | None, vector_bits: int = 512) -> None:
    """Which path quant_conv2d takes when qconv._cpu is built, for tests and benchmarks. None (default):
    choose_path's choice; 4 or 2: that integer kind (ConvPath.INT_QUADS, ConvPath.INT_PAIRS); 0: the float32
    path. vector_bits caps the integer kernel's vectors: 512, 256 or 0 (its scalar code, which also runs
    where the CPU lacks the instructions)."""
    if kind not in (None, 0, 2, 4):
        raise ValueError(f"kind = {kind!r} is not supported; allowed: None, 0, 2, 4")
    if vector_bits not in (0, 256, 512):
        raise ValueError(f"vector_bits = {vector_bits!r} is not supported; allowed: 0, 256, 512")
    global _forced
    _forced = (kind, vector_bits)
