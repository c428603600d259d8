"""The op package's attribute values for one call of torch.ops.qconv.quant_conv2d.

Shared by the torchair converter (GE node attributes) and the NPU eager kernel (aclnn arguments), so
both paths lay out strides/pads/dilations identically. Names, order, defaults and layouts come from
qconv._generated.op_decl (configs/op.yaml `ge.attrs`): `layout: nchw` turns a torch (h, w) pair into
[1, 1, h, w], `layout: tblr` into [top, bottom, left, right] = [h, h, w, w].
"""
from __future__ import annotations

import torch

from qconv._generated import op_decl
from qconv.shapes import pair

# GE DataType values (CANN graph/types.h) of the dtype names configs/op.yaml uses.
GE_DTYPES = {"float32": 0, "float16": 1, "int8": 2, "int32": 3, "int64": 9}


def ge_output_dtype(output_dtype) -> int:
    """output_dtype (None or torch.float16) -> the GE dtype code of the op's only output dtype."""
    if output_dtype not in (None, torch.float16):
        raise NotImplementedError(
            f"{op_decl.GE_OP_TYPE} produces float16 only; output_dtype = {output_dtype} is not supported")
    return GE_DTYPES[op_decl.GE_OUTPUTS[0]["dtypes"][0]]


def bind_arguments(args: tuple, kwargs: dict) -> dict:
    """Positional and keyword arguments of a quant_conv2d call -> {schema name: value}, defaults filled."""
    names = [name for name, _, _ in op_decl.TORCH_ARGS]
    if len(args) > len(names):
        raise TypeError(f"{op_decl.QUALIFIED_NAME} takes {len(names)} arguments, got {len(args)}")
    bound = dict(zip(names, args))
    for name, value in kwargs.items():
        if name not in names or name in bound:
            raise TypeError(f"{op_decl.QUALIFIED_NAME}: unexpected or repeated argument {name}")
        bound[name] = value
    schema = {a.name: a for a in torch.ops.qconv.quant_conv2d.default._schema.arguments}
    for name in names:
        if name not in bound:
            if not schema[name].has_default_value():
                raise TypeError(f"{op_decl.QUALIFIED_NAME}: missing argument {name}")
            bound[name] = schema[name].default_value
    return bound


def ge_attr_values(bound: dict) -> dict:
    """{GE attribute name: value} in REG_OP order for bound torch arguments."""
    values = {}
    for attr in op_decl.GE_ATTRS:
        source = attr.get("from")
        value = bound.get(source) if source else None
        if attr["name"] == "dtype":
            value = ge_output_dtype(value)
        elif value is None:
            value = attr["default"]
        elif attr.get("layout") == "nchw":
            h, w = map(int, pair(value, source))
            value = [1, 1, h, w]
        elif attr.get("layout") == "tblr":
            h, w = map(int, pair(value, source))
            value = [h, h, w, w]
        values[attr["name"]] = value
    return values


def ge_input_values(bound: dict) -> dict:
    """{GE input name: torch argument} in kernel-argument order (None for an absent optional input)."""
    return {decl["name"]: bound[decl["torch_arg"]] for decl in op_decl.GE_INPUTS}
