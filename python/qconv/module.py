"""QuantConv2d: a drop-in for torch_npu.contrib.module.QuantConv2d (legacy int8 API), forward =
torch.ops.qconv.quant_conv2d.

Same signature, attribute names, parameter shapes and dtypes as torch_npu:
    weight int8 (Cout, Cin, kh, kw); scale int64 (Cout,) (a float32 tensor assigned through .data is
    accepted and converted as npu_trans_quant_param(round_mode=0) does); bias int32 (Cout,) or None;
    offset reserved (must be False).
Unlike torch_npu it checks every documented range at construction (integers taken exactly, never
truncated) and refuses a state dict whose weight or bias would be truncated on load. forward is the op
(torch.ops.qconv.quant_conv2d, which checks the input and the parameters) plus the checks only a module
can make: the parameters still have the shapes it was built with. Every message comes from
qconv._generated.limits, as the op's do. Parameters start as zeros (torch_npu leaves them uninitialised);
`device` is honoured, `dtype` is accepted and ignored as in torch_npu.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from qconv import checks, target
from qconv._generated import limits
from qconv.scale import hardware_scale, trans_quant_param
from qconv.weight_format import PackedWeight, pack_fractal_z

# torch_npu's ACL format code of FRACTAL_Z (npu_format_cast(weight, 4)): the layout the kernel reads as it is.
_NPU_FORMAT_FRACTAL_Z = 4

# The dtypes a state dict may bring for each parameter (anything else would be cast, i.e. truncated).
_STATE_DTYPES = {"weight": (torch.int8,), "scale": (torch.int64, torch.float32), "bias": (torch.int32,)}


class QuantConv2d(nn.Module):
    """int8 2-D convolution with per-output-channel dequantization to float16:
    output = float16(clamp(float32(conv(x padded with offset_x, weight) + bias) * scale_fp19, +-65504)), where
    the conv subtracts offset_x from every tap on a zero-point SoC (ascend310p; qconv.target)."""

    def __init__(self, in_channels, out_channels, kernel_size, output_dtype, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, offset=False, offset_x=0, round_mode="rint",
                 device=None, dtype=None):
        super().__init__()
        kernel_size, stride, padding, dilation, groups, offset_x = checks.check_attrs(
            kernel_size, stride, padding, dilation, groups, offset_x)
        in_channels = checks.check_int("in_channels", in_channels, "channels")
        out_channels = checks.check_int("out_channels", out_channels, "channels")
        checks.check_range("weight.numel()", out_channels * in_channels * kernel_size[0] * kernel_size[1],
                           "tensor_elements")
        if output_dtype is not torch.float16:
            raise ValueError(limits.message("not_supported", param="output_dtype", value=checks.shown(output_dtype),
                                            allowed="torch.float16"))
        if offset is not False and offset is not None:
            raise ValueError(limits.message("not_supported", param="offset", value=checks.shown(offset),
                                            allowed="False (reserved)"))
        if not isinstance(round_mode, str) or round_mode != "rint":
            raise ValueError(limits.message("not_supported", param="round_mode", value=checks.shown(round_mode),
                                            allowed="'rint'"))
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.offset_x = offset_x
        self.round_mode = round_mode
        self.output_dtype = output_dtype
        kw = {"device": device}
        self.weight = nn.Parameter(torch.zeros((out_channels, in_channels, *kernel_size), dtype=torch.int8, **kw),
                                   requires_grad=False)
        self.scale = nn.Parameter(torch.zeros(out_channels, dtype=torch.int64, **kw), requires_grad=False)
        if bias:
            self.bias = nn.Parameter(torch.zeros(out_channels, dtype=torch.int32, **kw), requires_grad=False)
        else:
            self.register_parameter("bias", None)
        self.register_parameter("offset", None)

    def _check_module_only(self, x) -> None:
        """What only the module knows: the shapes it was built with (parameters can be replaced through
        .data). Dtypes, ranks and everything else are the op's checks, in the op's words."""
        if isinstance(x, torch.Tensor) and x.dim() == 4:
            checks.check_equal("input.shape[1]", x.shape[1], "in_channels", self.in_channels)
        checks.check_equal("weight.shape", tuple(self.weight.shape), "(out_channels, in_channels, *kernel_size)",
                           (self.out_channels, self.in_channels, *self.kernel_size))
        checks.check_equal("scale.shape", tuple(self.scale.shape), "(out_channels,)", (self.out_channels,))
        if self.bias is not None:
            checks.check_equal("bias.shape", tuple(self.bias.shape), "(out_channels,)", (self.out_channels,))

    def forward(self, quant_conv2d_input: torch.Tensor) -> torch.Tensor:
        self._check_module_only(quant_conv2d_input)
        # On an NPU the filter goes in packed once (FRACTAL_Z storage, same logical shape): the kernel then
        # skips its weight layout pass. The CPU op keeps its own packs (qconv.param_cache).
        weight = self._npu_weight() if quant_conv2d_input.device.type == "npu" else self.weight
        return torch.ops.qconv.quant_conv2d(
            quant_conv2d_input, weight, self.scale, list(self.stride), list(self.padding),
            list(self.dilation), self.groups, self.offset_x, self.round_mode, self.output_dtype, self.bias, None)

    def _per_weight(self, slot: str, make):
        """make(weight) computed once and kept until the weight changes (in place: its version moves; replaced:
        its storage does)."""
        w = self.weight
        key = (w.data_ptr(), w._version, tuple(w.shape), str(w.device))
        cached = self.__dict__.get(slot)
        if cached is None or cached[0] != key:
            cached = (key, make(w.detach()))
            self.__dict__[slot] = cached
        return cached[1]

    def packed_weight(self) -> PackedWeight:
        """The filter packed into FRACTAL_Z once: what qconv.sim.run and the NPU kernel read without laying the
        weight out on every launch."""
        return self._per_weight("_packed_cache", pack_fractal_z)

    def _npu_weight(self) -> torch.Tensor:
        """self.weight with FRACTAL_Z storage on the NPU (torch_npu.npu_format_cast), kept like packed_weight."""
        import torch_npu
        return self._per_weight("_npu_weight_cache",
                                lambda w: torch_npu.npu_format_cast(w, _NPU_FORMAT_FRACTAL_Z))

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
             f"padding={self.padding}, dilation={self.dilation}, groups={self.groups}, bias={self.bias is not None}, "
             f"offset_x={self.offset_x}, output_dtype={self.output_dtype}")
        return s

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # load_state_dict copy_s into the existing parameters, which casts: a float weight or bias would be
        # truncated to integers without a word. Refuse every dtype the parameter does not hold exactly.
        for name, allowed in _STATE_DTYPES.items():
            saved = state_dict.get(prefix + name)
            if isinstance(saved, torch.Tensor) and saved.dtype not in allowed:
                checks.check_dtype(prefix + name, saved, allowed)
        # torch_npu users keep float32 scales: adopt the saved scale dtype instead of casting to int64.
        saved = state_dict.get(prefix + "scale")
        if isinstance(saved, torch.Tensor) and saved.dtype != self.scale.dtype and saved.shape == self.scale.shape:
            self.scale.data = torch.empty_like(self.scale, dtype=saved.dtype)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    @staticmethod
    def quantize_input(x: torch.Tensor, input_scale: float, offset_x: int = 0) -> torch.Tensor:
        """float activations -> int8 codes q = clamp(round(x / input_scale) + offset_x, -128, 127)."""
        return torch.clamp(torch.round(x / input_scale) + offset_x, -128, 127).to(torch.int8)

    @classmethod
    def from_float(cls, conv: nn.Conv2d, input_scale: float, offset_x: int = 0, scale_round_mode: int = 1,
                   soc: str | None = None):
        """Quantize a float nn.Conv2d for int8 inputs q = quantize_input(x, input_scale, offset_x).

        Math. Weights are symmetric per output channel: s_w[c] = max|W[c]| / 127 (1 for an all-zero
        filter), Wq = round(W / s_w) in [-127, 127]. Activations are affine with zero point offset_x:
        x ~ (q - offset_x) * s_x. Then
            conv(x, W)[c] + b[c] ~ s_x*s_w[c] * (sum Wq*q - offset_x*sum(Wq[c]) + b[c]/(s_x*s_w[c]))
        so bias_q[c] = round(b[c]/(s_x*s_w[c])) - offset_x*sum(Wq[c]) and scale[c] = s_x*s_w[c].
        Zero padding of the float layer is q = offset_x in the int8 domain, which is exactly the op's
        padding value, so the correction term holds at the borders too. The scale is stored as int64
        via trans_quant_param(round_mode=scale_round_mode) (default 1: nearest fp19 value).
        Error per output: |sum (W - s_w*Wq) x| <= s_w/2 * sum|x| plus the fp19 scale error (2^-11
        relative), the bias rounding (s_x*s_w/2) and the float16 rounding of the result.
        On a SoC whose op subtracts offset_x itself (offset_x_form zero_point, ascend310p; qconv.target),
        the -offset_x*sum(Wq[c]) term is the op's, not the bias's. soc: the SoC the module will run on
        (None: qconv.target.get_soc()).
        """
        if not isinstance(conv, nn.Conv2d):
            raise TypeError(limits.message("not_supported", param="conv", value=type(conv).__name__,
                                           allowed="a torch.nn.Conv2d"))
        if conv.groups != 1:
            raise ValueError(limits.message("not_supported", param="groups", value=conv.groups, allowed="1"))
        if conv.padding_mode != "zeros" or isinstance(conv.padding, str):
            raise ValueError(limits.message("not_supported", param="padding", value=conv.padding,
                                            allowed="explicit integer padding with padding_mode='zeros'"))
        input_scale = _positive_finite("input_scale", input_scale)
        offset_x = checks.check_int("offset_x", offset_x, "offset_x")
        w = _finite_float64("conv.weight", conv.weight)
        bias = (_finite_float64("conv.bias", conv.bias) if conv.bias is not None
                else torch.zeros(w.shape[0], dtype=torch.float64))
        w_scale = w.abs().amax(dim=(1, 2, 3)) / 127
        w_scale = torch.where(w_scale > 0, w_scale, torch.ones_like(w_scale))
        wq = torch.round(w / w_scale.view(-1, 1, 1, 1)).clamp(-127, 127)
        scale = input_scale * w_scale
        scale_q = trans_quant_param(scale.to(torch.float32), round_mode=scale_round_mode)
        _check_dequant_scale(input_scale, scale, hardware_scale(scale_q))
        bias_q = torch.round(bias / scale)
        folded = target.offset_x_form(soc) == target.PAD_ONLY
        if folded:
            bias_q -= offset_x * wq.sum(dim=(1, 2, 3))
        lo, hi = -2**31, 2**31 - 1
        outside = ((bias_q < lo) | (bias_q > hi)).nonzero()
        if len(outside):
            c = int(outside[0, 0])
            raise ValueError(limits.message(
                "out_of_range", param=f"the int32 bias of output channel {c}, conv.bias[{c}] / (input_scale * "
                f"weight_scale[{c}])" + (f" - offset_x * sum(weight_q[{c}])" if folded else ""),
                value=f"{bias_q[c].item():.6g}", min=lo, max=hi)
                + f": input_scale = {input_scale!r} is too small for this layer's bias")
        q = cls(conv.in_channels, conv.out_channels, conv.kernel_size, torch.float16, conv.stride, conv.padding,
                conv.dilation, 1, bias=True, offset_x=offset_x, device=conv.weight.device)
        q.weight.data = wq.to(torch.int8).to(conv.weight.device)
        q.scale.data = scale_q.to(conv.weight.device)
        q.bias.data = bias_q.to(torch.int32).to(conv.weight.device)
        return q


def _positive_finite(param: str, value) -> float:
    """A real number > 0 and finite (a bool, a string or a tensor of several values is not one)."""
    number = None
    if not isinstance(value, (bool, str, bytes)) and not (isinstance(value, torch.Tensor) and value.numel() != 1):
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            number = None
    if number is None or not (math.isfinite(number) and number > 0):
        raise ValueError(limits.message("not_supported", param=param, value=checks.shown(value),
                                        allowed="a finite number > 0"))
    return number


def _finite_float64(param: str, tensor: torch.Tensor) -> torch.Tensor:
    t = tensor.detach().to(torch.float64).cpu()
    bad = ~torch.isfinite(t)
    if bool(bad.any()):
        index = tuple(int(i) for i in bad.nonzero()[0])
        raise ValueError(limits.message("non_finite", param=param, index=", ".join(map(str, index)),
                                        value=t[index].item()))
    return t


# The smallest normal float32 (and fp19) value: below it round_mode 1 flushes to zero and the layer's
# every output would be 0.
_MIN_NORMAL = 2.0**-126


def _check_dequant_scale(input_scale: float, scale: torch.Tensor, fp19: torch.Tensor) -> None:
    """Every output channel's dequant scale input_scale * weight_scale[c] must survive as a normal,
    finite fp19 value: too small an input_scale flushes it to zero, too large overflows it."""
    bad = ~torch.isfinite(fp19) | (fp19.abs() < _MIN_NORMAL)
    if bool(bad.any()):
        c = int(bad.nonzero()[0, 0])
        raise ValueError(limits.message(
            "not_supported", param="input_scale", value=repr(input_scale),
            allowed=f"a value whose dequant scale input_scale * max|conv.weight[c]| / 127 is a normal float32 "
                    f"[2^-126, 2^128) in every output channel (channel {c} gets {scale[c].item():.6g})"))
