"""The exact fast CPU kernel of QuantConv2d (measurements: reference/cpu_int8_perf.md, bench/README.md).

Two paths, both bit-identical to the golden on every input:

The integer path (default when the native module qconv._cpu is built and the CPU has AVX2):
cpu/int_conv.cpp, an implicit-GEMM convolution in integer SIMD whose products and int32 sums are exact
by construction (int16 pairs with AVX2 vpmaddwd; uint8 x int8 quads with AVX-512 VNNI vpdpbusd, the
+128 activation bias corrected through the bias), with the epilogue fused into its store. Weights are
packed once per weight and layout (cached by content). On the bench machine it is 2-3x faster than
torch's float32 F.conv2d and close to fbgemm's inexact int8 conv.

The float32 path (no native module, a CPU without AVX2, or set_int_kernel(0)), below.
Why float32 convolution can be exact: |x*w| <= 2^14, so while every partial sum of an output stays
an integer of magnitude <= 2^24, float32 holds it exactly, in any summation order. Two bounds prove
that: K = Cin*kh*kw <= 1024 (any data), or max|x| * max_co ||w[co]||_1 <= 2^24 (this data; uniform
int8 data passes it at K = 1152). Otherwise (adversarial data goes wrong from K = 1026 in theory,
K ~ 1040 in oneDNN) the reduction is split into G channel groups of c*kh*kw <= 1024, run as one
grouped convolution, and the exact partials are combined.

From accumulator to output, float32(acc) * scale (float32, RNE) -> float16 (RNE), saturated:
- G = 1, or G = 2 (one float32 addition of two exact partials rounds once, to float32(acc)), with
  the bias inside the convolution when the bound plus |bias| stays <= 2^24: float32(acc) comes
  straight out of the float32 convolution, no int32 pass;
- otherwise the partials are summed in int32 (the golden's exact sum, wrapped to int32), the bias
  added in int32, and int32 -> float32 converts with RNE before the multiply.
Saturation: the clamp to +-65504 runs after the fp16 rounding (every y in [65504, 65520) rounds to
65504, the rest became +-inf and the clamp maps them back) and is skipped when the bound times the
largest scale is below 65504.

With the compiled module qconv._cpu (cpu/; optional, see native_module) both memory passes are fused
native loops: int8 NCHW (any strides) -> float32 padded channels_last in one pass, and one epilogue
pass from the float32 partials (any G, NHWC or NCHW) through int32(partial) sums + int32 bias
(wrapping) -> float32 RNE -> * scale -> clamp -> float16 RNE, written as NCHW. Every partial is an
exact integer <= 2^24, so that pass is exact for any G and bias; bias never rides in the convolution.

Engines: oneDNN with weights reordered once into its blocked layout (cached) and the input cast to
channels_last float32 while padding with offset_x (with qconv._cpu: on every shape, the layout
changes being free there); F.conv2d on NCHW for 1x1 kernels and few input
channels (no layout transposes); float64 (im2col + dgemm, exact, ~2x slower) for kernels wider
than 1024 taps, degenerate shapes where torch's float32 convolutions were caught wrong, and when a
reduced-precision float32 mode is enabled.
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.weak import WeakIdKeyDictionary

from qconv import _native, checks
from qconv.scale import hardware_scale

EXACT_FP32_TAPS = 1024           # max K whose float32 sums are exact for any int8 data
_PACKS_PER_WEIGHT = 8            # packed layouts kept per weight (one per input size / geometry)
NCHW_BELOW_CHANNELS = 16         # fewer input channels than this: F.conv2d on NCHW (see _conv_fp32)


def _fp32_engine(cin: int, kernel_taps: int, out_hw, fused_layouts: bool = False) -> str | None:
    """"onednn" (prepacked weights, channels_last), "nchw" (F.conv2d on NCHW) or None: use float64.

    fused_layouts: the native passes (cpu/) do the NCHW <-> channels_last changes inside the cast and
    the epilogue, for free; then the prepacked kernel is the fastest on every shape measured (1x1 and
    Cin = 3 included), and "nchw" is left only for when oneDNN is off.

    float64 is taken when a reduced-precision float32 mode (bf16/tf32 math) is enabled, which would
    round the products, and for degenerate shapes (Cin = 1, Ho = 1 or Wo = 1): there torch 2.13's
    float32 convolutions were caught returning wrong sums (prepacked oneDNN, e.g. input 1x1x4x5,
    kernel 2x4, stride (1, 2)) and even garbage (F.conv2d, input 2x1x1x5 padded (3, 0), kernel 1x4,
    stride (1, 2)) by the property test. float64 goes through im2col + dgemm instead."""
    for knob in (torch.backends.mkldnn.conv, torch.backends.mkldnn):
        if getattr(knob, "fp32_precision", "none") not in ("none", "ieee"):
            return None
    if cin == 1 or 1 in tuple(out_hw):
        return None
    if not (torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled):
        return "nchw"
    if fused_layouts:
        return "onednn"
    return "nchw" if kernel_taps == 1 or cin < NCHW_BELOW_CHANNELS else "onednn"


def channel_groups(cin: int, taps: int) -> tuple[int, int]:
    """(groups G, channels per group c) with c*taps <= 1024 and G*c >= cin. Prefers a divisor of
    cin (no zero channels) unless that needs more than twice the minimal G."""
    per_group = EXACT_FP32_TAPS // taps
    g_min = -(-cin // per_group)
    for g in range(g_min, 2 * g_min + 1):
        if cin % g == 0:
            return g, cin // g
    return g_min, -(-cin // g_min)


class _WeightEntry:
    """Derived forms of one parameter (an int8 weight's packed layouts, a scale's fp19 values), valid
    while the parameter holds `snapshot`.

    Neither data_ptr nor the version counter sees every in-place change (writes through `.data`
    bypass the counter; inference tensors have none), so validity is decided by content: comparing
    int8 bytes costs ~0.1 ms per 2.4 MB (512x512x3x3), against ~2 ms for that layer's convolution."""

    def __init__(self, weight: torch.Tensor):
        self.snapshot = weight.detach().clone(memory_format=torch.contiguous_format)
        self.packs: OrderedDict[tuple, torch.Tensor] = OrderedDict()

    def matches(self, weight: torch.Tensor) -> bool:
        if weight.shape != self.snapshot.shape or weight.dtype != self.snapshot.dtype:   # .data can swap both
            return False
        current = weight.detach().contiguous()
        native = native_module()
        if native is not None:
            return native.equal_bytes(current.data_ptr(), self.snapshot.data_ptr(),
                                      current.numel() * current.element_size())
        return np.array_equal(_as_words(current), _as_words(self.snapshot))


def _as_words(t: torch.Tensor) -> np.ndarray:
    """Flat numpy view of an int8 tensor, as int64 words when the size allows (8x fewer compares)."""
    flat = t.numpy().reshape(-1)
    return flat.view(np.int64) if flat.size % 8 == 0 else flat


class _PackCache:
    def __init__(self):
        self._entries: WeakIdKeyDictionary = WeakIdKeyDictionary()
        self._lock = threading.Lock()

    def get(self, weight: torch.Tensor, key: tuple, make) -> torch.Tensor:
        with self._lock:
            entry = self._entries.get(weight)
            if entry is None or not entry.matches(weight):
                entry = _WeightEntry(weight)
                self._entries[weight] = entry
            packed = entry.packs.get(key)
            if packed is not None:
                entry.packs.move_to_end(key)
                return packed
        packed = make()
        with self._lock:
            if self._entries.get(weight) is entry:
                entry.packs[key] = packed
                while len(entry.packs) > _PACKS_PER_WEIGHT:
                    entry.packs.popitem(last=False)
        return packed

    def clear(self) -> None:
        with self._lock:
            self._entries = WeakIdKeyDictionary()


PACK_CACHE = _PackCache()


def _grouped_weight(weight: torch.Tensor, groups: int, per_group: int) -> torch.Tensor:
    """(Cout, Cin, kh, kw) int8 -> (G*Cout, c, kh, kw) float32: group g's filters see channels
    [g*c, (g+1)*c); missing channels (G*c > Cin) are zero."""
    cout, cin, kh, kw = weight.shape
    wf = torch.zeros((cout, groups * per_group, kh, kw), dtype=torch.float32)
    wf[:, :cin] = weight
    return wf.view(cout, groups, per_group, kh, kw).transpose(0, 1).reshape(groups * cout, per_group, kh, kw)


_NATIVE_UNSET = object()
_native_cpu = _NATIVE_UNSET


def native_module():
    """The compiled fused passes (qconv._cpu, cpu/) or None when not built: then the torch passes
    below run instead, same results, slower."""
    global _native_cpu
    if _native_cpu is _NATIVE_UNSET:
        try:
            _native_cpu = _native.load("_cpu")
        except _native.NativeModuleMissing:
            _native_cpu = None
    return _native_cpu


def set_native_module(module) -> None:
    """Use `module` (None: the torch passes) for the fused passes; tests compare both ways."""
    global _native_cpu
    _native_cpu = module


def _padded_float_input(x: torch.Tensor, channels: int, padding, offset_x: int, dtype,
                        memory_format=torch.channels_last) -> torch.Tensor:
    """x (N, Cin, H, W) int8 -> (N, channels, H+2ph, W+2pw) float, border = offset_x, extra channels
    (channels > Cin) = 0. Cast and padding in one pass over the output."""
    n, cin, h, w = x.shape
    ph, pw = padding
    xf = torch.empty((n, channels, h + 2 * ph, w + 2 * pw), dtype=dtype, memory_format=memory_format)
    native = native_module()
    if native is not None and dtype == torch.float32 and xf.numel():
        native.cast_pad(x.data_ptr(), n, cin, h, w, *x.stride(), xf.data_ptr(), channels, ph, pw, offset_x,
                        memory_format == torch.channels_last)
        return xf
    if ph:
        xf[:, :cin, :ph].fill_(offset_x)
        xf[:, :cin, ph + h:].fill_(offset_x)
    if pw:
        xf[:, :cin, ph:ph + h, :pw].fill_(offset_x)
        xf[:, :cin, ph:ph + h, pw + w:].fill_(offset_x)
    xf[:, :cin, ph:ph + h, pw:pw + w].copy_(x)
    if channels > cin:
        xf[:, cin:].zero_()
    return xf


def _wrap_int32(acc64: torch.Tensor) -> torch.Tensor:
    return (((acc64 + 2**31) % 2**32) - 2**31).to(torch.int32)


def _conv_fp32(x, weight, bias, stride, padding, dilation, offset_x, groups, per_group, engine) -> torch.Tensor:
    """Float32 grouped convolution (N, G*Cout, Ho, Wo); `bias` (if given) is added to group 0's
    partial inside the convolution. "onednn": prepacked weights, channels_last in and out; "nchw":
    F.conv2d on NCHW, output NCHW (no transposes: cheaper for 1x1 kernels and few input channels,
    where the layout changes cost more than the prepacked kernel saves)."""
    cout = weight.shape[0]
    stride, dilation = list(stride), list(dilation)
    bias_f = None
    if bias is not None:
        bias_f = torch.zeros(groups * cout, dtype=torch.float32)
        bias_f[:cout] = bias
    if engine == "onednn":
        xf = _padded_float_input(x, groups * per_group, padding, offset_x, torch.float32)
        key = (groups, per_group, tuple(stride), tuple(dilation), tuple(xf.shape))
        packed = PACK_CACHE.get(weight, key, lambda: torch.ops.mkldnn._reorder_convolution_weight(
            _grouped_weight(weight, groups, per_group), [0, 0], stride, dilation, groups, list(xf.shape)))
        return torch.ops.mkldnn._convolution_pointwise(xf, packed, bias_f, [0, 0], stride, dilation, groups,
                                                       "none", [], "")
    xf = _padded_float_input(x, groups * per_group, padding, offset_x, torch.float32, torch.contiguous_format)
    wf = PACK_CACHE.get(weight, ("float", groups, per_group), lambda: _grouped_weight(weight, groups, per_group))
    return F.conv2d(xf, wf, bias_f, stride, 0, dilation, groups)


def _data_bound(x, weight, padding, offset_x) -> int:
    """An upper bound of |every partial sum| of any output, in any order: max|x| * max_co ||w[co]||_1
    (padding included through offset_x). The weight norm is cached with the weight's packs."""
    lo, hi = torch.aminmax(x)
    x_max = max(-int(lo), int(hi), abs(offset_x) if any(padding) else 0)
    w_l1 = PACK_CACHE.get(weight, ("l1",), lambda: weight.to(torch.int32).abs().sum((1, 2, 3)).max())
    return x_max * int(w_l1)


def _plan_groups(x, weight, padding, offset_x) -> tuple[int, int, int]:
    """(G, c, bound): split into G groups of c channels such that every partial sum of a group's
    float32 result is an integer of magnitude <= bound <= 2^24 (so exact). K <= 1024 needs no split;
    above, the data often proves one float32 conv exact anyway (uniform int8 data at K = 1152:
    128 * 1152 * 64 ~ 2^23.2); otherwise the K-split of channel_groups."""
    _, cin, kh, kw = weight.shape
    static = cin * kh * kw * 2**14
    if static <= 2**24:
        return 1, cin, static
    data = _data_bound(x, weight, padding, offset_x)
    if data <= 2**24:
        return 1, cin, data
    groups, per_group = channel_groups(cin, kh * kw)
    return groups, per_group, min(per_group * kh * kw * 2**14, data)


def _float_accumulator(x, weight, bias, stride, padding, dilation, offset_x, engine, max_bias):
    """float32(acc) computed without an int32 pass, or None when that cannot be proven exact.

    With G <= 2 groups and bias riding in group 0: every partial sum of a group stays an integer
    <= bound + |bias| <= 2^24, so each group's result is exact; G = 1 is then float32(acc) itself,
    and for G = 2 the single float32 addition of the two exact partials rounds once, to float32(acc)
    (which is what the int32 -> float32 conversion gives; |acc| < 2^26, no wrap)."""
    cout = weight.shape[0]
    groups, per_group, bound = _plan_groups(x, weight, padding, offset_x)
    if groups > 2 or bound + max_bias > 2**24:
        return None
    y = _conv_fp32(x, weight, bias, stride, padding, dilation, offset_x, groups, per_group, engine)
    return y if groups == 1 else y[:, :cout] + y[:, cout:]


def _int_accumulator_fp32(x, weight, stride, padding, dilation, offset_x, engine) -> torch.Tensor:
    cout = weight.shape[0]
    groups, per_group, _ = _plan_groups(x, weight, padding, offset_x)
    y = _conv_fp32(x, weight, None, stride, padding, dilation, offset_x, groups, per_group, engine)
    if groups == 1:
        return y.to(torch.int32)
    # Each group's partial is an exact integer <= 2^24; the cast precedes the sum (dtype= casts first).
    return y.unflatten(1, (groups, cout)).sum(1, dtype=torch.int32)


def _int_accumulator_fp64(x, weight, stride, padding, dilation, offset_x) -> torch.Tensor:
    xd = _padded_float_input(x, x.shape[1], padding, offset_x, torch.float64)
    y = F.conv2d(xd, weight.to(torch.float64), None, list(stride), 0, list(dilation))
    return _wrap_int32(y.to(torch.int64))


def _output_hw(x, weight, stride, padding, dilation) -> tuple[int, int]:
    (h, w), (kh, kw) = x.shape[2:], weight.shape[2:]
    return ((h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1,
            (w + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1)


def accumulate(x, weight, bias, stride, padding, dilation, offset_x) -> torch.Tensor:
    """Exact int32 accumulator (N, Cout, Ho, Wo) (any memory format): the exact sum plus bias,
    wrapped to int32 like the golden."""
    cout, cin, kh, kw = weight.shape
    out_hw = _output_hw(x, weight, stride, padding, dilation)
    engine = _fp32_engine(cin, kh * kw, out_hw)
    if cin == 0:
        acc = torch.zeros((x.shape[0], cout, *out_hw), dtype=torch.int32)
    elif engine is None or kh * kw > EXACT_FP32_TAPS:
        acc = _int_accumulator_fp64(x, weight, stride, padding, dilation, offset_x)
    else:
        acc = _int_accumulator_fp32(x, weight, stride, padding, dilation, offset_x, engine)
    if bias is not None:
        bias = bias.view(1, cout, 1, 1)
        # int32 addition must not overflow (the golden wraps the exact sum): widen when it could.
        if cin * kh * kw * 2**14 + int(bias.abs().max()) >= 2**31:
            acc = _wrap_int32(acc.to(torch.int64) + bias)
        else:
            acc = acc.add_(bias)
    return acc


def epilogue(acc: torch.Tensor, scale_fp19: torch.Tensor, may_saturate: bool = True) -> torch.Tensor:
    """float32(acc) (float32 tensor) or acc (int32 tensor) -> float16 NCHW contiguous:
    float32(acc) * scale (float32, RNE) -> float16 (RNE), saturated to +-65504."""
    scale = scale_fp19.view(1, -1, 1, 1)
    y = acc.mul_(scale) if acc.dtype == torch.float32 else torch.mul(acc, scale)   # int32 -> float32 RNE first
    out = y.to(torch.float16)                      # same memory format as y: a vectorized cast
    if may_saturate:
        out.clamp_(-65504.0, 65504.0)
    return out.contiguous()


def _native_operands(out_shape, bias, scale_fp19):
    """(float16 output, contiguous bias or None, contiguous scale) for a native call."""
    return (torch.empty(out_shape, dtype=torch.float16), None if bias is None else bias.contiguous(),
            scale_fp19.contiguous())


def _address(t: torch.Tensor | None) -> int:
    return 0 if t is None else t.data_ptr()


def _fused_epilogue(native, y: torch.Tensor, groups: int, cout: int, bias, scale_fp19) -> torch.Tensor:
    """y (N, G*Cout, Ho, Wo) float32 exact-integer partials (any layout) -> float16 NCHW: the int32 sum
    of the G partials plus bias (wrapping), then the golden's float32 multiply, clamp and RNE."""
    n, _, ho, wo = y.shape
    sn, sc, sh, sw = y.stride()
    if ho > 1 and wo > 1 and sh != wo * sw:      # (Ho, Wo) must flatten to one pixel index
        y = y.contiguous()
        sn, sc, sh, sw = y.stride()
    sp = sw if wo > 1 else sh
    if sc != 1 and sp != 1 and y.numel():        # the native pass has vector paths for either layout
        y = y.contiguous()
        sn, sc, sh, sw = y.stride()
        sp = sw
    out, bias, scale = _native_operands((n, cout, ho, wo), bias, scale_fp19)
    native.epilogue(y.data_ptr(), n, groups, cout, ho * wo, sn, sc, sp, _address(bias), scale.data_ptr(),
                    out.data_ptr())
    return out


_int_choice: tuple[int | None, int] = (None, 512)


def set_int_kernel(kind: int | None, vector_bits: int = 512) -> None:
    """Which path quant_conv2d takes when qconv._cpu is built. None (default): the integer kernel when
    the CPU has AVX2 (quads with AVX-512 VNNI, else pairs), else the float32 path; 4 or 2: that
    integer kind; 0: the float32 path. vector_bits caps the integer kernel's vectors: 512, 256 or
    0 (its scalar code, which also runs where the CPU lacks the instructions). For tests and benchmarks."""
    if kind not in (None, 0, 2, 4):
        raise ValueError(f"kind = {kind!r} is not supported; allowed: None, 0, 2, 4")
    if vector_bits not in (0, 256, 512):
        raise ValueError(f"vector_bits = {vector_bits!r} is not supported; allowed: 0, 256, 512")
    global _int_choice
    _int_choice = (kind, vector_bits)


def _int_kernel_for(native) -> int:
    """The integer kind quant_conv2d uses now, 0 for the float32 path."""
    if native is None:
        return 0
    kind = _int_choice[0]
    if kind is None:   # without AVX2 the scalar integer code is slower than the float32 path
        return native.best_int_kernel() if native.has_avx2_f16c() else 0
    return kind


def decode_scale(scale: torch.Tensor) -> torch.Tensor:
    """int64 or float32 scale (Cout,) -> the float32 fp19 values the hardware multiplies by
    (scale.py hardware_scale), checked finite (a non-finite value raises check_scale_values' error).
    Cached with the scale's content like a weight's packs: a model's scales are parameters."""
    def make() -> torch.Tensor:
        s = hardware_scale(scale)
        if s.numel() and not math.isfinite(float(s.abs().max())):   # NaN propagates through max
            checks.check_scale_values(scale, s)
        return s

    return PACK_CACHE.get(scale, ("fp19",), make)


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


def int_conv(native, x, weight, scale_fp19, bias, stride, padding, dilation, offset_x, out_hw,
             kind: int | None = None, vector_bits: int = 512) -> torch.Tensor:
    """The integer path (cpu/int_conv.cpp), exact for every shape: kind 4 = u8 x s8 quads (AVX-512
    VNNI), 2 = int16 pairs (AVX2); None = the best this CPU runs. vector_bits: the widest vectors
    the kernel may use (512, 256; 0 = the scalar code)."""
    n, cin, h, w = x.shape
    cout, _, kh, kw = weight.shape
    ho, wo = out_hw
    kind = native.best_int_kernel() if kind is None else kind
    packed = _packed_int_weight(native, kind, weight, dilation)
    out, bias, scale = _native_operands((n, cout, ho, wo), bias, scale_fp19)
    native.int_conv(kind, x.data_ptr(), n, cin, h, w, *x.stride(), packed.data_ptr(), cout, kh, kw, *stride,
                    *padding, *dilation, ho, wo, offset_x, _address(bias), scale.data_ptr(), out.data_ptr(),
                    vector_bits)
    return out


def quant_conv2d(x, weight, scale_fp19, bias, stride, padding, dilation, offset_x, out_hw,
                 max_scale: float | None = None) -> torch.Tensor:
    """x int8 (N, Cin, H, W), weight int8 (Cout, Cin, kh, kw), scale_fp19 float32 (Cout,) (already
    at hardware precision, finite; max_scale = max |scale_fp19| if the caller has it) and bias int32
    (Cout,) or None -> float16 (N, Cout, Ho, Wo), contiguous."""
    n = x.shape[0]
    cout, cin, kh, kw = weight.shape
    ho, wo = out_hw
    if n == 0 or cout == 0:
        return torch.empty((n, cout, ho, wo), dtype=torch.float16)
    native = native_module()
    kind = _int_kernel_for(native)
    if kind:
        return int_conv(native, x, weight, scale_fp19, bias, stride, padding, dilation, offset_x, out_hw, kind,
                        _int_choice[1])
    engine = _fp32_engine(cin, kh * kw, out_hw, fused_layouts=native is not None)
    float_ok = engine is not None and cin > 0 and kh * kw <= EXACT_FP32_TAPS
    if native is not None and float_ok:
        # Every group's partial is an exact integer <= 2^24 (_plan_groups); bias joins in int32.
        groups, per_group, _ = _plan_groups(x, weight, padding, offset_x)
        y = _conv_fp32(x, weight, None, stride, padding, dilation, offset_x, groups, per_group, engine)
        return _fused_epilogue(native, y, groups, cout, bias, scale_fp19)
    max_bias = int(bias.abs().max()) if bias is not None else 0
    # Saturation is impossible when even the largest accumulator times the largest scale stays below
    # 65504; the clamp pass is skipped then.
    if max_scale is None:
        max_scale = float(scale_fp19.abs().max())
    may_saturate = (cin * kh * kw * 2**14 + max_bias) * max_scale >= 65504
    acc = None
    if float_ok:
        acc = _float_accumulator(x, weight, bias, stride, padding, dilation, offset_x, engine, max_bias)
    if acc is None:
        acc = accumulate(x, weight, bias, stride, padding, dilation, offset_x)
    return epilogue(acc, scale_fp19, may_saturate)
