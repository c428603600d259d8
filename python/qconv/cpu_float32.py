"""The CPU op's float32 path (python/qconv/cpu_conv.py chooses it when the integer kernel cannot run:
no native module, a CPU without AVX2, or set_int_kernel(0)). Bit-identical to the golden on every input.

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

import torch
import torch.nn.functional as F

from qconv.cpu_native import address, native_module, native_operands
from qconv.param_cache import PACK_CACHE
from qconv.shapes import output_size

EXACT_FP32_TAPS = 1024           # max K whose float32 sums are exact for any int8 data
NCHW_BELOW_CHANNELS = 16         # fewer input channels than this: F.conv2d on NCHW (see conv_fp32)


def with_native_passes(native, engine: str, x, weight, scale_fp19, bias, stride, padding, dilation,
                       offset_x) -> torch.Tensor:
    """The float32 convolution between the native cast/pad and epilogue passes: every group's partial is
    an exact integer <= 2^24 (plan_groups); bias joins in int32 in the epilogue."""
    groups, per_group, _ = plan_groups(x, weight, padding, offset_x)
    y = conv_fp32(x, weight, None, stride, padding, dilation, offset_x, groups, per_group, engine)
    return fused_epilogue(native, y, groups, weight.shape[0], bias, scale_fp19)


def with_torch_passes(engine: str | None, x, weight, scale_fp19, bias, stride, padding, dilation, offset_x,
                      max_scale: float | None = None) -> torch.Tensor:
    """float32 accumulator straight from the convolution where provably exact, else an exact int32
    accumulator (float32 partials or float64 when engine is None), then the golden's epilogue."""
    cout, cin, kh, kw = weight.shape
    max_bias = int(bias.abs().max()) if bias is not None else 0
    # Saturation is impossible when even the largest accumulator times the largest scale stays below
    # 65504; the clamp pass is skipped then.
    if max_scale is None:
        max_scale = float(scale_fp19.abs().max())
    may_saturate = (cin * kh * kw * 2**14 + max_bias) * max_scale >= 65504
    acc = None
    if engine is not None:
        acc = _float_accumulator(x, weight, bias, stride, padding, dilation, offset_x, engine, max_bias)
    if acc is None:
        acc = accumulate(x, weight, bias, stride, padding, dilation, offset_x)
    return epilogue(acc, scale_fp19, may_saturate)


def fp32_engine(cin: int, kernel_taps: int, out_hw, fused_layouts: bool = False) -> str | None:
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


def _grouped_weight(weight: torch.Tensor, groups: int, per_group: int) -> torch.Tensor:
    """(Cout, Cin, kh, kw) int8 -> (G*Cout, c, kh, kw) float32: group g's filters see channels
    [g*c, (g+1)*c); missing channels (G*c > Cin) are zero."""
    cout, cin, kh, kw = weight.shape
    wf = torch.zeros((cout, groups * per_group, kh, kw), dtype=torch.float32)
    wf[:, :cin] = weight
    return wf.view(cout, groups, per_group, kh, kw).transpose(0, 1).reshape(groups * cout, per_group, kh, kw)


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


def wrap_int32(acc64: torch.Tensor) -> torch.Tensor:
    return (((acc64 + 2**31) % 2**32) - 2**31).to(torch.int32)


def conv_fp32(x, weight, bias, stride, padding, dilation, offset_x, groups, per_group, engine) -> torch.Tensor:
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


def plan_groups(x, weight, padding, offset_x) -> tuple[int, int, int]:
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
    groups, per_group, bound = plan_groups(x, weight, padding, offset_x)
    if groups > 2 or bound + max_bias > 2**24:
        return None
    y = conv_fp32(x, weight, bias, stride, padding, dilation, offset_x, groups, per_group, engine)
    return y if groups == 1 else y[:, :cout] + y[:, cout:]


def _int_accumulator_fp32(x, weight, stride, padding, dilation, offset_x, engine) -> torch.Tensor:
    cout = weight.shape[0]
    groups, per_group, _ = plan_groups(x, weight, padding, offset_x)
    y = conv_fp32(x, weight, None, stride, padding, dilation, offset_x, groups, per_group, engine)
    if groups == 1:
        return y.to(torch.int32)
    # Each group's partial is an exact integer <= 2^24; the cast precedes the sum (dtype= casts first).
    return y.unflatten(1, (groups, cout)).sum(1, dtype=torch.int32)


def _int_accumulator_fp64(x, weight, stride, padding, dilation, offset_x) -> torch.Tensor:
    xd = _padded_float_input(x, x.shape[1], padding, offset_x, torch.float64)
    y = F.conv2d(xd, weight.to(torch.float64), None, list(stride), 0, list(dilation))
    return wrap_int32(y.to(torch.int64))


def accumulate(x, weight, bias, stride, padding, dilation, offset_x) -> torch.Tensor:
    """Exact int32 accumulator (N, Cout, Ho, Wo) (any memory format): the exact sum plus bias,
    wrapped to int32 like the golden."""
    cout, cin, kh, kw = weight.shape
    out_hw = output_size(*x.shape[2:], *weight.shape[2:], stride, padding, dilation)
    engine = fp32_engine(cin, kh * kw, out_hw)
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
            acc = wrap_int32(acc.to(torch.int64) + bias)
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


def fused_epilogue(native, y: torch.Tensor, groups: int, cout: int, bias, scale_fp19) -> torch.Tensor:
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
    out, bias, scale = native_operands((n, cout, ho, wo), bias, scale_fp19)
    native.epilogue(y.data_ptr(), n, groups, cout, ho * wo, sn, sc, sp, address(bias), scale.data_ptr(),
                    out.data_ptr())
    return out
