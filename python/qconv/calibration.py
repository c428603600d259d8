"""Calibration for qconv.quantize_model: the checked calibration batches, and per-tensor observers that turn
the float activations a layer sees into the int8 quantization of its input.

The quantization follows the NPU's quantize op, GE AscendQuantV2 (what torch_npu.npu_quantize(...,
div_mode=False) lowers to in torchair; hicann/ops-nn quant/ascend_quant_v2/README.md):
    q = saturate_int8(round(x * scale + offset))
with a float32 multiply, a float32 add and round half to even (its kernel casts with CAST_RINT,
quant/ascend_quant_v2/op_kernel/ascend_quant_v2_kernel.h CastOut; its golden, tests/assets/golden.py,
is np.round then clip to [-128, 127]). `scale` here is the multiplier 1 / step, `offset` the zero point.
"""
from __future__ import annotations

from typing import Iterable, NamedTuple

import torch

INT8_MIN, INT8_MAX = -128, 127
METHODS = ("minmax", "percentile")
# Percentile calibration keeps at most this many values per batch and layer (a fixed-stride sample).
PERCENTILE_SAMPLE = 1 << 20


def check_calibration(calibration) -> list[torch.Tensor]:
    """A tensor (one batch) or an iterable of tensors / (tensor, label) pairs -> a non-empty list of
    float32 (N >= 1, C, H, W) tensors; otherwise a ValueError/TypeError naming `calibration`."""
    if isinstance(calibration, torch.Tensor):
        batches = [calibration]
    else:
        try:
            batches = list(calibration)
        except TypeError:
            raise TypeError(f"calibration must be a tensor (N, C, H, W) or an iterable of such batches, "
                            f"got {type(calibration).__name__}") from None
    if not batches:
        raise ValueError("calibration is empty: give at least one batch of shape (N, C, H, W)")
    checked = []
    for i, batch in enumerate(batches):
        if isinstance(batch, (tuple, list)) and batch and isinstance(batch[0], torch.Tensor):
            batch = batch[0]          # (input, label) pairs of a DataLoader
        name = f"calibration[{i}]"
        if not isinstance(batch, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(batch).__name__}")
        if batch.dtype != torch.float32:
            raise ValueError(f"{name} must have dtype torch.float32, got {batch.dtype}")
        if batch.dim() != 4:
            raise ValueError(f"{name} must be a 4-D tensor (N, C, H, W), got shape {tuple(batch.shape)}")
        if batch.numel() == 0:
            raise ValueError(f"{name} is empty (shape {tuple(batch.shape)}): every batch needs N, C, H, W >= 1")
        if not torch.isfinite(batch).all():
            raise ValueError(f"{name} must be finite, but it holds inf or nan")
        checked.append(batch)
    return checked


class InputQuant(NamedTuple):
    """One layer's input quantization: q = saturate_int8(rint(float32(x * scale) + offset))."""
    scale: float       # float32 multiplier (1 / step)
    offset: int        # zero point, -128..127 (0 when symmetric)

    @property
    def step(self) -> float:
        """The float value of one int8 step: x ~ (q - offset) * step."""
        return 1.0 / self.scale


class Observer:
    """Collects what one layer's input holds over the calibration batches and derives its InputQuant.

    minmax: the range of every value seen. percentile: the `percentile`-th percentile of |x| (symmetric)
    or the (100 - p, p) percentiles of x (asymmetric), from a fixed-stride sample of each batch."""

    def __init__(self, method: str = "minmax", percentile: float = 99.99, symmetric: bool = True):
        if method not in METHODS:
            raise ValueError(f"method = {method!r} is not supported; allowed: {', '.join(map(repr, METHODS))}")
        if not 50.0 < percentile <= 100.0:
            raise ValueError(f"percentile = {percentile} is out of the allowed range (50, 100]")
        self.method, self.percentile, self.symmetric = method, percentile, symmetric
        self.lo, self.hi = float("inf"), float("-inf")
        self.samples: list[torch.Tensor] = []
        self.shapes: set[tuple[int, ...]] = set()

    def observe(self, x: torch.Tensor) -> None:
        x = x.detach().float()
        self.shapes.add(tuple(x.shape))
        self.lo = min(self.lo, x.min().item())
        self.hi = max(self.hi, x.max().item())
        if self.method == "percentile":
            flat = x.reshape(-1)
            stride = max(1, flat.numel() // PERCENTILE_SAMPLE)
            self.samples.append(flat[::stride].clone())

    @property
    def seen(self) -> bool:
        return bool(self.shapes)

    def _range(self) -> tuple[float, float]:
        if self.method == "minmax":
            return self.lo, self.hi
        values = torch.cat(self.samples).double()
        if self.symmetric:
            amax = _kth(values.abs(), self.percentile)
            return -amax, amax
        return _kth(values, 100.0 - self.percentile), _kth(values, self.percentile)

    def input_quant(self) -> InputQuant:
        lo, hi = self._range()
        lo, hi = min(lo, 0.0), max(hi, 0.0)          # zero exactly representable (it is the padding value)
        if self.symmetric:
            amax = max(-lo, hi)
            step = amax / INT8_MAX if amax > 0 else 1.0
            offset = 0
        else:
            step = (hi - lo) / (INT8_MAX - INT8_MIN) if hi > lo else 1.0
            offset = int(min(INT8_MAX, max(INT8_MIN, round(INT8_MIN - lo / step))))
        scale = torch.tensor(1.0 / step, dtype=torch.float32).item()   # the float32 multiplier the op uses
        return InputQuant(scale, offset)


def _kth(values: torch.Tensor, percentile: float) -> float:
    """The percentile by order statistic (nearest rank; torch.quantile refuses more than 2^24 values)."""
    k = min(values.numel(), max(1, round(percentile / 100.0 * values.numel())))
    return values.kthvalue(k).values.item()


def quantize_input(x: torch.Tensor, scale: torch.Tensor, offset: torch.Tensor) -> torch.Tensor:
    """float x -> int8 as AscendQuantV2 computes it (module docstring): float32 multiply, float32 add,
    round half to even, saturate. Written as separate aten ops so torch.compile and torchair see them."""
    y = x.to(torch.float32) * scale
    y = y + offset
    return torch.clamp(torch.round(y), INT8_MIN, INT8_MAX).to(torch.int8)
