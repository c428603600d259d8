"""torch.ops.qconv.quant_conv2d: one schema (qconv._generated.op_decl.SCHEMA, rendered from
configs/op.yaml), a fake (meta) kernel for shape inference and tracing, and the exact CPU kernel.

Device kernels live elsewhere and plug in through register_kernel, e.g. the torch_npu adapter:
    qconv.ops.register_kernel("PrivateUse1", npu_quant_conv2d_impl)
Importing this module needs neither torch_npu nor any compiled module of the kit.
"""
from __future__ import annotations

import torch

from qconv import checks, cpu_conv
from qconv._generated import op_decl
from qconv.scale import decode_scale

QUALIFIED_NAME = op_decl.QUALIFIED_NAME

_LIB = torch.library.Library(op_decl.NAMESPACE, "DEF")
_LIB.define(op_decl.SCHEMA)


def _fake(input, weight, scale, strides=(1, 1), pads=(0, 0), dilations=(1, 1), groups=1, offset_x=0,
          round_mode="rint", output_dtype=None, bias=None, offset=None):
    g = checks.check_op_args(input, weight, scale, strides, pads, dilations, groups, offset_x, round_mode,
                             output_dtype, bias, offset)
    return input.new_empty((g.n, g.cout, g.ho, g.wo), dtype=torch.float16)


def _cpu_kernel(input, weight, scale, strides=(1, 1), pads=(0, 0), dilations=(1, 1), groups=1, offset_x=0,
                round_mode="rint", output_dtype=None, bias=None, offset=None):
    """The CPU kernel, with the offset_x semantics of qconv.target.get_soc(): the schema is torch_npu's and
    carries no SoC (an NPU computes its own chip's semantics; the CPU stands in for the target one)."""
    g = checks.check_op_args(input, weight, scale, strides, pads, dilations, groups, offset_x, round_mode,
                             output_dtype, bias, offset)
    s = decode_scale(scale)       # raises on a non-finite scale
    return cpu_conv.quant_conv2d(input, weight, s, bias, g.stride, g.padding, g.dilation, g.offset_x, (g.ho, g.wo))


torch.library.register_fake(QUALIFIED_NAME, _fake, lib=_LIB)
_LIB.impl(op_decl.NAME, _cpu_kernel, "CPU")
# Quantized and sparse CPU tensors dispatch to keys of their own; without a kernel there the dispatcher
# answers with its backend list. The CPU kernel's checks refuse them by parameter (dtype, layout) instead.
for _key in ("QuantizedCPU", "SparseCPU"):
    _LIB.impl(op_decl.NAME, _cpu_kernel, _key)


def register_kernel(dispatch_key: str, kernel) -> None:
    """Register the kernel of another dispatch key (e.g. "PrivateUse1" for NPU tensors). `kernel`
    takes the schema's arguments in order and returns the float16 output."""
    _LIB.impl(op_decl.NAME, kernel, dispatch_key)


def quant_conv2d(input, weight, scale, strides=1, pads=0, dilations=1, groups=1, offset_x=0,
                 round_mode="rint", output_dtype=None, bias=None, offset=None) -> torch.Tensor:
    """Functional form, argument for argument torch_npu.npu_quant_conv2d. The integer attributes and the
    round mode are taken exactly here (qconv.checks), before the dispatcher, which would read a one-element
    float tensor as an int or bytes as a str, and words its own refusals."""
    return torch.ops.qconv.quant_conv2d(
        input, weight, scale, list(checks.int_pair("strides", strides, "stride")),
        list(checks.int_pair("pads", pads, "padding")), list(checks.int_pair("dilations", dilations, "dilation")),
        checks.as_int("groups", groups, "groups"), checks.as_int("offset_x", offset_x, "offset_x"),
        checks.check_round_mode(round_mode), output_dtype, bias, offset)
