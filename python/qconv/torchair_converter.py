"""torchair graph mode: torch.ops.qconv.quant_conv2d -> the op package's GE node QuantConv2dCustom.

torch.compile(model, backend=torchair.get_npu_backend(...)) traces the model with the op's fake kernel
and hands each FX node to its registered converter; this one emits the custom op of our package
(configs/op.yaml `ge`: op type, inputs in kernel-argument order, attributes in REG_OP order, each
attribute from the torch argument named by `from`). Nothing here spells an input or attribute name:
they come from qconv._generated.op_decl through qconv.ge_attrs, as for the OpDef and the eager path.

The scale goes to the node as it is: an int64 scale selects the op's dtype combination 0, a float32
scale combination 1, where the kernel applies npu_trans_quant_param(round_mode=0) semantics (keep the
fp19 bits), exactly as on the eager NPU path, which runs the same kernel on the same input.

Importing qconv never needs torchair: autoregister() registers the converter at once when torch_npu
or torchair is already imported, else right after the first of them is.
"""
from __future__ import annotations

import threading

import torch

from qconv import ge_attrs
from qconv._after_import import call_after_import
from qconv._generated import op_decl

_REGISTERED = False
_LOCK = threading.Lock()


def convert(*args, meta_outputs=None, **kwargs):
    """The converter torchair calls with the FX node's arguments (GE tensors for tensor arguments)."""
    import torchair

    bound = ge_attrs.bind_arguments(args, kwargs)
    for name in ("strides", "pads", "dilations"):
        if isinstance(bound[name], torchair.ge.Tensor):
            raise NotImplementedError(f"{op_decl.GE_OP_TYPE}: {name} must be static ints in graph mode")
    if bound["offset"] is not None:
        raise NotImplementedError(f"{op_decl.GE_OP_TYPE}: offset is reserved and must be None")
    attr_types = {"list_int": torchair.ge.attr.ListInt, "int": torchair.ge.attr.Int,
                  "string": torchair.ge.attr.Str}
    declared = {a["name"]: a["type"] for a in op_decl.GE_ATTRS}
    attrs = {name: attr_types[declared[name]](value) for name, value in ge_attrs.ge_attr_values(bound).items()}
    outputs = [decl["name"] for decl in op_decl.GE_OUTPUTS]
    return torchair.ge.custom_op(op_decl.GE_OP_TYPE, inputs=ge_attrs.ge_input_values(bound), outputs=outputs,
                                 attrs=attrs)


def register() -> None:
    """Register the converter with torchair (idempotent). Needs torchair."""
    global _REGISTERED
    with _LOCK:
        if _REGISTERED:
            return
        import torchair

        from qconv import ops  # noqa: F401  defines torch.ops.qconv.quant_conv2d
        torchair.register_fx_node_ge_converter(torch.ops.qconv.quant_conv2d.default)(convert)
        _REGISTERED = True


def is_registered() -> bool:
    return _REGISTERED


def autoregister() -> None:
    """Register now if torchair is usable, or as soon as torch_npu / torchair gets imported."""
    call_after_import(("torch_npu", "torchair"), register, f"the torchair converter of {op_decl.GE_OP_TYPE}")
