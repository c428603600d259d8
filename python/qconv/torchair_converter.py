"""torchair graph mode: torch.ops.qconv.quant_conv2d -> the op package's GE node QuantConv2dCustom.

torch.compile(model, backend=torchair.get_npu_backend(...)) traces the model with the op's fake impl
and hands each FX node to its registered converter; this one emits the custom op of our package
(configs/op.yaml `ge`: op type, inputs in kernel-argument order, attributes in REG_OP order, each
attribute taken from the torch argument named by `from`). Nothing here spells an input or attribute
name: they come from qconv._generated.op_decl, like the OpDef and the ops-info JSON.

The scale goes to the node as it is: an int64 scale selects the op's dtype combination 0, a float32
scale combination 1, where the kernel applies npu_trans_quant_param(round_mode=0) semantics (keep the
fp19 bits) exactly as the eager NPU path does, since both run the same kernel on the same input.

Importing qconv never needs torchair: register() runs when torchair can be imported (torch_npu
already loaded, or a standalone torchair), else right after torch_npu or torchair is first imported.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import threading
import warnings

import torch

from ._generated import op_decl

_REGISTERED = False
_LOCK = threading.Lock()

# GE dtype enum values (graph/types.h DataType) of the dtype names configs/op.yaml uses.
GE_DTYPES = {"int8": 2, "int32": 3, "int64": 9, "float16": 1, "float32": 0}


def ge_attr_values(bound: dict) -> dict:
    """The GE attribute values, in REG_OP order, for bound torch arguments (name -> value).

    Pure Python (no torchair), so that the layout rules are testable without it."""
    values = {}
    for attr in op_decl.GE_ATTRS:
        source = attr.get("from")
        value = bound.get(source) if source else None
        if attr["name"] == "dtype":
            value = _ge_output_dtype(value)
        elif value is None:
            value = attr["default"]
        elif attr.get("layout") == "nchw":        # (h, w) -> [1, 1, h, w]
            h, w = _pair(value, source)
            value = [1, 1, h, w]
        elif attr.get("layout") == "tblr":        # (h, w) -> [top, bottom, left, right]
            h, w = _pair(value, source)
            value = [h, h, w, w]
        values[attr["name"]] = value
    return values


def _pair(value, name: str) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    value = list(value)
    if len(value) == 1:
        return int(value[0]), int(value[0])
    if len(value) != 2:
        raise ValueError(f"{name} must have 2 elements, got {len(value)}")
    return int(value[0]), int(value[1])


def _ge_output_dtype(output_dtype) -> int:
    """output_dtype (None, torch.float16 or its ScalarType number 5) -> GE DT_FLOAT16."""
    if output_dtype in (None, torch.float16, 5):
        return GE_DTYPES[op_decl.GE_OUTPUTS[0]["dtypes"][0]]
    raise NotImplementedError(
        f"{op_decl.GE_OP_TYPE} produces float16 only; output_dtype = {output_dtype} is not supported")


def bind_arguments(args: tuple, kwargs: dict) -> dict:
    """Positional and keyword arguments of the FX node -> {schema name: value}, defaults filled in."""
    schema = torch.ops.qconv.quant_conv2d.default._schema
    bound = {}
    for i, arg in enumerate(schema.arguments):
        if i < len(args):
            bound[arg.name] = args[i]
        elif arg.name in kwargs:
            bound[arg.name] = kwargs[arg.name]
        elif arg.has_default_value():
            bound[arg.name] = arg.default_value
        else:
            raise TypeError(f"{op_decl.QUALIFIED_NAME}: missing argument {arg.name}")
    return bound


def _convert(*args, meta_outputs=None, **kwargs):
    import torchair

    bound = bind_arguments(args, kwargs)
    for name in ("strides", "pads", "dilations"):
        if isinstance(bound[name], torchair.ge.Tensor):
            raise NotImplementedError(f"{op_decl.GE_OP_TYPE}: {name} must be static ints in graph mode")
    if bound.get("offset") is not None:
        raise NotImplementedError(f"{op_decl.GE_OP_TYPE}: offset is reserved and must be None")

    attr_types = {"list_int": torchair.ge.attr.ListInt, "int": torchair.ge.attr.Int,
                  "string": torchair.ge.attr.Str}
    attrs = {name: attr_types[decl["type"]](value)
             for decl, (name, value) in zip(op_decl.GE_ATTRS, ge_attr_values(bound).items())}
    inputs = {decl["name"]: bound[decl["torch_arg"]] for decl in op_decl.GE_INPUTS}
    outputs = [decl["name"] for decl in op_decl.GE_OUTPUTS]
    return torchair.ge.custom_op(op_decl.GE_OP_TYPE, inputs=inputs, outputs=outputs, attrs=attrs)


def register() -> None:
    """Register the converter with torchair (idempotent). Needs torchair and the qconv op."""
    global _REGISTERED
    with _LOCK:
        if _REGISTERED:
            return
        from . import ops  # noqa: F401  defines torch.ops.qconv.quant_conv2d
        import torchair

        torchair.register_fx_node_ge_converter(torch.ops.qconv.quant_conv2d.default)(_convert)
        _REGISTERED = True


def is_registered() -> bool:
    return _REGISTERED


def _register_quietly() -> None:
    try:
        register()
    except Exception as exc:  # a broken torchair must not break `import qconv` or `import torch_npu`
        warnings.warn(f"qconv: the torchair converter of {op_decl.GE_OP_TYPE} is not registered: {exc}")


class _RegisterAfterImport(importlib.abc.MetaPathFinder):
    """Runs register() once the first of the watched top-level modules finishes importing."""

    WATCHED = ("torch_npu", "torchair")

    def find_spec(self, fullname, path, target=None):
        if fullname not in self.WATCHED:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _LoaderThenRegister(spec.loader)
                return spec
        return None


class _LoaderThenRegister(importlib.abc.Loader):
    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _uninstall_hook()
        _register_quietly()

    def __getattr__(self, name):  # resource readers etc. of the wrapped loader
        return getattr(self._loader, name)


_HOOK = _RegisterAfterImport()


def _uninstall_hook() -> None:
    if _HOOK in sys.meta_path:
        sys.meta_path.remove(_HOOK)


def autoregister() -> None:
    """Register now if torchair is usable, or as soon as torch_npu / torchair gets imported."""
    if "torch_npu" in sys.modules or "torchair" in sys.modules:
        _register_quietly()
    elif any(importlib.util.find_spec(name) is not None for name in _RegisterAfterImport.WATCHED):
        if _HOOK not in sys.meta_path:
            sys.meta_path.insert(0, _HOOK)
