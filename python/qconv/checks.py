"""Argument checks of QuantConv2d, shared by the fake (meta) kernel, the CPU kernel and the module.

Ranges and wording come from qconv._generated.limits (rendered from configs/limits.yaml), so the
Python and C++ front ends reject the same things with the same words. Shape-only checks work on
symbolic sizes too (torch.compile with dynamic shapes); value checks (a non-finite scale) need real
data and live in check_scale_values.
"""
from __future__ import annotations

import functools
from typing import NamedTuple, Sequence

import torch

from qconv._generated import limits
from qconv.shapes import output_size


class Geometry(NamedTuple):
    n: int
    cin: int
    h: int
    w: int
    cout: int
    kh: int
    kw: int
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    ho: int
    wo: int


def _pair(param: str, value) -> tuple[int, int]:
    if isinstance(value, (int, torch.SymInt)):
        return (value, value)
    if not isinstance(value, Sequence):
        raise TypeError(limits.message("wrong_length", param=param, expected=2, actual=type(value).__name__))
    if len(value) != 2:
        raise ValueError(limits.message("wrong_length", param=param, expected=2, actual=len(value)))
    return (value[0], value[1])


def check_range(param: str, value, name: str) -> None:
    lo, hi = limits.RANGES[name]
    if not (lo <= value <= hi):
        raise ValueError(limits.out_of_range_message(param, value, name))


def check_pair_range(param: str, value, name: str) -> tuple[int, int]:
    pair = _pair(param, value)
    for i, v in enumerate(pair):
        check_range(f"{param}[{i}]", v, name)
    return pair


def _dtype_name(dtype) -> str:
    return str(dtype)


def check_dtype(param: str, tensor: torch.Tensor, allowed: Sequence[torch.dtype]) -> None:
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(limits.message("wrong_dtype", param=param, expected=" or ".join(map(_dtype_name, allowed)),
                                       actual=type(tensor).__name__))
    if tensor.dtype not in allowed:
        raise TypeError(limits.message("wrong_dtype", param=param, expected=" or ".join(map(_dtype_name, allowed)),
                                       actual=tensor.dtype))


def check_rank(param: str, tensor: torch.Tensor, rank: int) -> None:
    if tensor.dim() != rank:
        raise ValueError(limits.message("wrong_rank", param=param, expected=rank, actual=tensor.dim()))


def check_equal(param: str, actual, other: str, expected) -> None:
    if actual != expected:
        raise ValueError(limits.message("mismatch", param=param, actual=actual, other=other, expected=expected))


def check_device(param: str, tensor: torch.Tensor, input: torch.Tensor) -> None:
    if tensor.device != input.device:
        raise ValueError(limits.message("wrong_device", param=param, actual=tensor.device, expected=input.device))


def check_attrs(kernel_size, stride, padding, dilation, groups, offset_x, *, names=None) -> tuple:
    """Ranges of the scalar attributes; `names` maps stride/padding/dilation to the caller's
    parameter names (the op says strides/pads/dilations, the module stride/padding/dilation)."""
    names = names or {}
    kernel = check_pair_range(names.get("kernel_size", "kernel_size"), kernel_size, "kernel_size")
    stride = check_pair_range(names.get("stride", "stride"), stride, "stride")
    padding = check_pair_range(names.get("padding", "padding"), padding, "padding")
    dilation = check_pair_range(names.get("dilation", "dilation"), dilation, "dilation")
    check_range("groups", groups, "groups")
    check_range("offset_x", offset_x, "offset_x")
    return kernel, stride, padding, dilation


_OP_NAMES = {"stride": "strides", "padding": "pads", "dilation": "dilations"}


def check_op_args(input, weight, scale, strides, pads, dilations, groups, offset_x, round_mode,
                  output_dtype, bias, offset) -> Geometry:
    """Every documented check of torch.ops.qconv.quant_conv2d; returns the geometry."""
    check_dtype("input", input, (torch.int8,))
    check_dtype("weight", weight, (torch.int8,))
    check_dtype("scale", scale, (torch.int64, torch.float32))
    check_rank("input", input, 4)
    check_rank("weight", weight, 4)
    check_rank("scale", scale, 1)
    n, cin, h, w = input.shape
    cout, cin_w, kh, kw = weight.shape
    check_equal("weight.shape[1]", cin_w, "input.shape[1]", cin)
    check_equal("scale.shape[0]", scale.shape[0], "weight.shape[0]", cout)
    check_device("weight", weight, input)
    check_device("scale", scale, input)
    if bias is not None:
        check_dtype("bias", bias, (torch.int32,))
        check_rank("bias", bias, 1)
        check_equal("bias.shape[0]", bias.shape[0], "weight.shape[0]", cout)
        check_device("bias", bias, input)
    if offset is not None:
        raise ValueError(limits.message("not_supported", param="offset", value="a tensor", allowed="None (reserved)"))
    if round_mode != "rint":
        raise ValueError(limits.message("not_supported", param="round_mode", value=repr(round_mode), allowed="'rint'"))
    if output_dtype not in (None, torch.float16):
        raise ValueError(limits.message("not_supported", param="output_dtype", value=output_dtype,
                                        allowed="torch.float16 (None means torch.float16)"))
    key = (h, w, kh, kw, _frozen(strides), _frozen(pads), _frozen(dilations), groups, offset_x)
    try:
        checked = _checked_attrs(*key)
    except TypeError:        # symbolic sizes (torch.compile) are not hashable: check without the cache
        checked = _checked_attrs.__wrapped__(*key)
    return Geometry(n, cin, h, w, cout, kh, kw, *checked)


def _frozen(value):
    return tuple(value) if isinstance(value, list) else value


@functools.lru_cache(maxsize=512)
def _checked_attrs(h, w, kh, kw, strides, pads, dilations, groups, offset_x):
    """(stride, padding, dilation, ho, wo) after the checks of the attributes and spatial sizes; cached
    because a model calls the op with the same few combinations (rejections are never cached)."""
    _, stride, padding, dilation = check_attrs((kh, kw), strides, pads, dilations, groups, offset_x,
                                               names={"kernel_size": "kernel_size", **_OP_NAMES})
    check_range("input.shape[2]", h, "input_h")
    check_range("input.shape[3]", w, "input_w")
    ho, wo = output_size(h, w, kh, kw, stride, padding, dilation)
    if ho <= 0 or wo <= 0:
        raise ValueError(limits.message("output_size", ho=ho, wo=wo, h=h, w=w, kh=kh, kw=kw, sh=stride[0],
                                        sw=stride[1], ph=padding[0], pw=padding[1], dh=dilation[0], dw=dilation[1]))
    return stride, padding, dilation, ho, wo


def check_scale_values(scale: torch.Tensor, hardware_values: torch.Tensor) -> None:
    """A non-finite scale has no defined result on the hardware (the docs require finite values):
    reject it, naming the first offending element. `hardware_values` is the decoded fp19 scale."""
    bad = ~torch.isfinite(hardware_values)
    if bool(bad.any()):
        index = int(bad.nonzero()[0, 0])
        value = scale[index].item()
        shown = value if scale.dtype == torch.float32 else f"{value:#x} (fp19 value {hardware_values[index].item()})"
        raise ValueError(limits.message("non_finite", param="scale", index=index, value=shown))
