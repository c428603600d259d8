"""qconv.quantize_model: a float network -> the same network with every convolution the op supports
running as int8 QuantConv2d (exact NPU numerics on CPU), the rest left float and listed.

    qmodel, report = qconv.quantize_model(model.eval(), calibration_batches)
    print(report)                      # converted, left float (and why), folded BatchNorms

Steps: BatchNorm2d folded into the Conv2d that feeds it (qconv.fold_bn); every remaining nn.Conv2d observed
on the calibration batches (qconv.calibration: min/max or percentile, per tensor); each convertible one
replaced by QuantizedConv2d = the input quantize step of GE AscendQuantV2 (float32 -> int8, per-tensor
multiplier and zero point) + QuantConv2d.from_float (per-output-channel symmetric int8 weights, int32 bias,
QUANT_PRE scale words of trans_quant_param) + a cast of the float16 result back to the input's dtype.

offset_x and the SoC. Symmetric activations (the default) give zero point 0, hence offset_x = 0 on every
QuantConv2d, and the model computes the same on every SoC, whatever the SoC's offset_x semantics
(qconv.target: pad_only on ascend910b / ascend910_93, zero_point on ascend310p). symmetric=False gives zero
points != 0, passed as offset_x (the padding value); the -offset_x * sum(weight) term then goes into the
bias on pad_only SoCs and is left to the op on zero_point SoCs (QuantConv2d.from_float(soc=...)), so such a
model is built for one SoC: `soc` (default qconv.target.get_soc()).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import torch
from torch import nn

from qconv import calibration as calib
from qconv import target
from qconv.fold_bn import _set_submodule, fold_batchnorms
from qconv.module import QuantConv2d
from qconv._generated import limits


class InputQuantize(nn.Module):
    """float -> int8 per tensor, as GE AscendQuantV2 / torch_npu.npu_quantize(div_mode=False) computes it:
    q = saturate_int8(round_half_even(float32(x * scale) + offset)). Buffers: scale (float32 multiplier),
    offset (float32 zero point, an integer value)."""

    def __init__(self, scale: float = 1.0, offset: int = 0):
        super().__init__()
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32))
        self.register_buffer("offset", torch.tensor(float(offset), dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return calib.quantize_input(x, self.scale, self.offset)

    def extra_repr(self) -> str:
        return f"scale={self.scale.item():.6g}, offset={int(self.offset.item())}"


class QuantizedConv2d(nn.Module):
    """A float Conv2d's replacement: quantize (InputQuantize) -> conv (qconv.QuantConv2d, float16 out) ->
    cast to the input's dtype. Float in, float out, so the rest of the network is unchanged."""

    def __init__(self, quantize: InputQuantize, conv: QuantConv2d):
        super().__init__()
        self.quantize = quantize
        self.conv = conv

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(self.quantize(x)).to(x.dtype)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # QuantConv2d keeps offset_x as a constructor attribute (torch_npu's signature), not as state; here it
        # is always the input's zero point, which the state dict does carry.
        offset = state_dict.get(prefix + "quantize.offset")
        if isinstance(offset, torch.Tensor) and offset.numel() == 1:
            self.conv.offset_x = int(offset.item())
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


@dataclass
class QuantReport:
    """What quantize_model did, by module name."""
    converted: list[str] = field(default_factory=list)
    left_float: dict[str, str] = field(default_factory=dict)      # conv name -> why it stays float
    float_compute: list[str] = field(default_factory=list)        # other weighted layers (Linear, ...)
    folded_batchnorms: dict[str, str] = field(default_factory=dict)  # batchnorm name -> conv name
    input_quant: dict[str, calib.InputQuant] = field(default_factory=dict)
    soc: str = ""                                                  # the SoC semantics the biases assume

    def __str__(self) -> str:
        lines = [f"converted to int8 QuantConv2d: {len(self.converted)} convolution(s)",
                 f"BatchNorm folded into the preceding convolution: {len(self.folded_batchnorms)}"]
        lines.append(f"convolutions left float: {len(self.left_float)}")
        lines += [f"  {name}: {why}" for name, why in self.left_float.items()]
        if self.float_compute:
            lines.append(f"other weighted layers left float: {', '.join(self.float_compute)}")
        return "\n".join(lines)


def _unsupported_reason(conv: nn.Conv2d, shapes) -> str | None:
    """Why the op cannot run this convolution, or None. Attribute ranges are checked by QuantConv2d itself."""
    if type(conv) is not nn.Conv2d:     # e.g. a QAT or weight-normalised conv: its forward is its own
        return f"{type(conv).__name__} is a subclass of nn.Conv2d; only nn.Conv2d itself is converted"
    if conv.groups != 1:
        return limits.message("not_supported", param="groups", value=conv.groups, allowed="1")
    if isinstance(conv.padding, str):
        return limits.message("not_supported", param="padding", value=repr(conv.padding), allowed="integers")
    if conv.padding_mode != "zeros":
        return limits.message("not_supported", param="padding_mode", value=repr(conv.padding_mode),
                              allowed="'zeros'")
    if conv.weight.dtype != torch.float32:
        return f"weight dtype {conv.weight.dtype} is not supported; allowed: torch.float32"
    for shape in sorted(shapes):
        for axis, name in ((2, "input_h"), (3, "input_w")):
            lo, hi = limits.RANGES[name]
            if not lo <= shape[axis] <= hi:
                return limits.out_of_range_message(f"input.shape[{axis}]", shape[axis], name)
    return None


def _check_model(model) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    training = [name or type(model).__name__ for name, m in model.named_modules() if m.training]
    if training:
        raise ValueError(f"model must be in eval mode (call model.eval() first); in training mode: "
                         f"{', '.join(training[:5])}{' ...' if len(training) > 5 else ''}")


def _run(model: nn.Module, batch: torch.Tensor, index: int):
    try:
        with torch.no_grad():
            return model(batch)
    except Exception as e:
        raise ValueError(f"calibration[{index}] of shape {tuple(batch.shape)} does not fit the model: "
                         f"{type(e).__name__}: {e}") from e


def quantize_model(model: nn.Module, calibration, *, method: str = "minmax", percentile: float = 99.99,
                   symmetric: bool = True, fold_bn: bool = True, soc: str | None = None
                   ) -> tuple[nn.Module, QuantReport]:
    """Converts a copy of `model` (eval mode) to int8 QuantConv2d layers; returns (quantized model, report).

    calibration: a float32 (N, C, H, W) tensor or an iterable of them (or of (input, label) pairs).
    method: "minmax" or "percentile" (`percentile`-th percentile of |x|, of x's tails if not symmetric).
    symmetric: zero point 0 (valid on every SoC, module docstring); False: per-tensor zero points, for `soc`.
    soc: the SoC an asymmetric model is built for (default qconv.target.get_soc()).
    The result is a plain nn.Module of the same class; the model passed in is left unchanged.
    """
    _check_model(model)
    soc = target.check_soc(target.get_soc() if soc is None else soc)
    batches = calib.check_calibration(calibration)
    observers_args = dict(method=method, percentile=percentile, symmetric=symmetric)
    calib.Observer(**observers_args)              # checks method and percentile before any work
    qmodel = copy.deepcopy(model)
    _run(qmodel, batches[0], 0)
    report = QuantReport(soc=soc)
    if fold_bn:
        report.folded_batchnorms = fold_batchnorms(qmodel, batches[0])

    convs = {name: m for name, m in qmodel.named_modules() if isinstance(m, nn.Conv2d)}
    observers = {name: calib.Observer(**observers_args) for name in convs}
    handles = [convs[name].register_forward_pre_hook(lambda m, inputs, o=obs: o.observe(inputs[0]))
               for name, obs in observers.items()]
    try:
        for index, batch in enumerate(batches):
            _run(qmodel, batch, index)
    finally:
        for h in handles:
            h.remove()

    for name, conv in convs.items():
        obs = observers[name]
        reason = "not reached by the calibration data" if not obs.seen else _unsupported_reason(conv, obs.shapes)
        if reason is None:
            iq = obs.input_quant()
            try:
                qconv = QuantConv2d.from_float(conv, input_scale=iq.step, offset_x=iq.offset, soc=soc)
            except ValueError as e:
                reason = str(e)
            else:
                _set_submodule(qmodel, name, QuantizedConv2d(InputQuantize(iq.scale, iq.offset), qconv))
                report.converted.append(name)
                report.input_quant[name] = iq
                continue
        report.left_float[name] = reason
    report.float_compute = [f"{name} ({type(m).__name__})" for name, m in qmodel.named_modules()
                            if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv3d, nn.ConvTranspose2d))]
    return qmodel, report


def quantized_layers(qmodel: nn.Module) -> dict[str, QuantizedConv2d]:
    """{name: QuantizedConv2d} of a converted model, in forward-definition order."""
    return {name: m for name, m in qmodel.named_modules() if isinstance(m, QuantizedConv2d)}
