"""Argument checks of QuantConv2d, shared by the fake (meta) kernel, the CPU kernel and the module.

Ranges and wording come from qconv._generated.limits (rendered from configs/limits.yaml), so the
Python and C++ front ends reject the same things with the same words. Shape-only checks work on
symbolic sizes too (torch.compile with dynamic shapes); value checks (a non-finite scale) need real
data and live in check_scale_values.
"""
from __future__ import annotations

import functools
import operator
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
    offset_x: int


def shown(value) -> str:
    """A caller's value as an error message shows it: repr, a tensor by its shape and dtype."""
    if isinstance(value, torch.Tensor) and value.numel() != 1:
        return f"a tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def allowed_integers(name: str) -> str:
    lo, hi = limits.RANGES[name]
    return f"an integer in [{lo}, {hi}]"


def as_int(param: str, value, allowed: str):
    """`value` as an exact int (operator.index: int, numpy integer, one-element integer tensor; symbolic
    sizes pass through), else a TypeError naming param, value and what is allowed: `allowed` is a range
    name of limits.yaml ("an integer in [lo, hi]") or the text itself. A float is never truncated, a string
    never parsed and a bool never read as 0/1, so nothing but a true int reaches a cache key (1.0 and 1 hash
    alike) or a C++ binding."""
    if type(value) is int:       # the common case, first (this runs on every op call)
        return value
    if isinstance(value, torch.SymInt):
        return value
    if not isinstance(value, bool) and not (isinstance(value, torch.Tensor) and value.dtype == torch.bool):
        try:
            return operator.index(value)
        except (TypeError, ValueError, RuntimeError):
            pass
    text = allowed_integers(allowed) if allowed in limits.RANGES else allowed
    raise TypeError(limits.message("not_integer", param=param, value=shown(value), allowed=text))


def int_pair(param: str, value, name: str) -> tuple[int, int]:
    """A (h, w) attribute taken exactly: one integer v means (v, v) as in torch_npu, else exactly two
    integers (as_int each). `name` is its range in limits.yaml, for the wording (no range check here)."""
    if type(value) in (list, tuple) and len(value) == 2 and type(value[0]) is int and type(value[1]) is int:
        return (value[0], value[1])         # the common case, first (this runs on every op call)
    try:
        length = None if isinstance(value, (str, bytes)) else len(value)
    except TypeError:            # no length, or a 0-d tensor / array: a scalar
        length = None
    if length is None:
        v = as_int(param, value, f"{allowed_integers(name)} or a pair of them")
        return (v, v)
    if length != 2:
        raise ValueError(limits.message("wrong_length", param=param, expected=2, actual=length))
    return tuple(as_int(f"{param}[{i}]", v, name) for i, v in enumerate(value))


def check_range(param: str, value, name: str) -> None:
    lo, hi = limits.RANGES[name]
    if not (lo <= value <= hi):
        raise ValueError(limits.out_of_range_message(param, value, name))


def check_int(param: str, value, name: str) -> int:
    """An exact int in limits.yaml's range `name`."""
    value = as_int(param, value, name)
    check_range(param, value, name)
    return value


def check_pair_range(param: str, value, name: str) -> tuple[int, int]:
    values = int_pair(param, value, name)
    for i, v in enumerate(values):
        check_range(f"{param}[{i}]", v, name)
    return values


def _dtype_name(dtype) -> str:
    return str(dtype)


def check_dtype(param: str, tensor: torch.Tensor, allowed: Sequence[torch.dtype]) -> None:
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(limits.message("wrong_dtype", param=param, expected=" or ".join(map(_dtype_name, allowed)),
                                       actual=type(tensor).__name__))
    if tensor.dtype not in allowed:
        raise TypeError(limits.message("wrong_dtype", param=param, expected=" or ".join(map(_dtype_name, allowed)),
                                       actual=tensor.dtype))


def check_layout(param: str, tensor: torch.Tensor) -> None:
    """Sparse (and other non-strided) tensors have no strides for the kernels to read."""
    if tensor.layout != torch.strided:
        raise ValueError(limits.message("not_supported", param=param, value=f"a {tensor.layout} tensor",
                                        allowed="a dense tensor (torch.strided)"))


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
    groups = check_int("groups", groups, "groups")
    offset_x = check_int("offset_x", offset_x, "offset_x")
    return kernel, stride, padding, dilation, groups, offset_x


_INT32_MAX = min(limits.RANGES["batch"][1], limits.RANGES["channels"][1])
_OP_NAMES = (("stride", "strides"), ("padding", "pads"), ("dilation", "dilations"))
# qconv.sim.run's keyword names, for its messages.
MODULE_NAMES = (("stride", "stride"), ("padding", "padding"), ("dilation", "dilation"))


def check_op_args(input, weight, scale, strides, pads, dilations, groups, offset_x, round_mode,
                  output_dtype, bias, offset, *, names: tuple = _OP_NAMES) -> Geometry:
    """Every documented check of torch.ops.qconv.quant_conv2d; returns the geometry."""
    check_dtype("input", input, (torch.int8,))
    check_dtype("weight", weight, (torch.int8,))
    check_dtype("scale", scale, (torch.int64, torch.float32))
    if input.layout is not torch.strided or weight.layout is not torch.strided or scale.layout is not torch.strided:
        for param, tensor in (("input", input), ("weight", weight), ("scale", scale)):
            check_layout(param, tensor)
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
        check_layout("bias", bias)
        check_rank("bias", bias, 1)
        check_equal("bias.shape[0]", bias.shape[0], "weight.shape[0]", cout)
        check_device("bias", bias, input)
    if offset is not None:
        raise ValueError(limits.message("not_supported", param="offset",
                                        value="a tensor" if isinstance(offset, torch.Tensor) else shown(offset),
                                        allowed="None (reserved)"))
    check_round_mode(round_mode)
    if output_dtype is not None and output_dtype is not torch.float16:
        raise ValueError(limits.message("not_supported", param="output_dtype", value=shown(output_dtype),
                                        allowed="torch.float16 (None means torch.float16)"))
    # Exact ints before the cache: its key must never hold a float, a str or a bool (1.0 == 1 would let a
    # refused call's entry answer a valid one, and the reverse).
    if _plain_ints(strides, pads, dilations, groups, offset_x):      # what the dispatcher hands a kernel
        key = (h, w, kh, kw, tuple(strides), tuple(pads), tuple(dilations), groups, offset_x, names)
    else:
        (_, stride_name), (_, pads_name), (_, dilation_name) = names
        key = (h, w, kh, kw, int_pair(stride_name, strides, "stride"), int_pair(pads_name, pads, "padding"),
               int_pair(dilation_name, dilations, "dilation"), as_int("groups", groups, "groups"),
               as_int("offset_x", offset_x, "offset_x"), names)
    try:
        checked = _checked_attrs(*key)
    except TypeError:        # symbolic sizes (torch.compile) are not hashable: check without the cache
        checked = _checked_attrs.__wrapped__(*key)
    # The upper ends of op_host's dims rules (CheckSizes), in its order: the op is defined for int32 dims
    # [GE], and past them the CPU op would only fail later, in an allocation whose error names nothing (an
    # expanded tensor claims the count without the memory). The lower ends stay op_host's: the CPU op
    # returns an empty output for 0 channels, as torch's conv2d does.
    if n > _INT32_MAX or cin > _INT32_MAX or cout > _INT32_MAX:
        for param, value, name in (("input.shape[0]", n, "batch"), ("input.shape[1]", cin, "channels"),
                                   ("weight.shape[0]", cout, "channels")):
            if value > limits.RANGES[name][1]:
                raise ValueError(limits.out_of_range_message(param, value, name))
    return Geometry(n, cin, h, w, cout, kh, kw, *checked, key[-2])


def check_round_mode(round_mode) -> str:
    """The one round mode, as a str (bytes or anything else that a parser would convert is refused)."""
    if type(round_mode) is not str or round_mode != "rint":
        raise ValueError(limits.message("not_supported", param="round_mode", value=shown(round_mode), allowed="'rint'"))
    return round_mode


def _plain_ints(strides, pads, dilations, groups, offset_x) -> bool:
    """True when every attribute is already exact: pairs as lists or tuples of two ints, ints."""
    for pair in (strides, pads, dilations):
        if (type(pair) is not list and type(pair) is not tuple) or len(pair) != 2 \
                or type(pair[0]) is not int or type(pair[1]) is not int:
            return False
    return type(groups) is int and type(offset_x) is int


@functools.lru_cache(maxsize=512)
def _checked_attrs(h, w, kh, kw, strides, pads, dilations, groups, offset_x, names):
    """(stride, padding, dilation, ho, wo) after the checks of the attributes and spatial sizes; cached
    because a model calls the op with the same few combinations (rejections are never cached). Every
    argument is an exact int: check_op_args takes them through as_int first."""
    _, stride, padding, dilation, _, _ = check_attrs((kh, kw), strides, pads, dilations, groups, offset_x,
                                                     names=dict(names))
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
