"""The CPU op's compiled module qconv._cpu (cpu/) as the Python paths see it: which module runs (or None:
torch's passes instead), and how tensors are handed to it (raw addresses of contiguous operands)."""
from __future__ import annotations

import torch

from qconv import _native

_UNSET = object()
_module = _UNSET


def native_module():
    """The compiled module (qconv._cpu) or None when it is not built: then torch's passes run instead,
    same results, slower."""
    global _module
    if _module is _UNSET:
        try:
            _module = _native.load("_cpu")
        except _native.NativeModuleMissing:
            _module = None
    return _module


def set_native_module(module) -> None:
    """Use `module` (None: torch's passes) from now on; tests and benchmarks compare both ways."""
    global _module
    _module = module


def native_operands(out_shape, bias, scale_fp19):
    """(float16 output, contiguous bias or None, contiguous scale) for a native call."""
    return (torch.empty(out_shape, dtype=torch.float16), None if bias is None else bias.contiguous(),
            scale_fp19.contiguous())


def address(t: torch.Tensor | None) -> int:
    return 0 if t is None else t.data_ptr()
