"""Execution backends of `qconv-kit run`: where a QuantConv2d case can be executed.

"cpu" (torch.ops.qconv.quant_conv2d on CPU tensors) is always there. Other parts of the kit register
theirs when they are importable and built: "sim" (the CPU twin, qconv/sim.py) and "npu" (the torch_npu
adapter). best() prefers npu > sim > cpu among the available ones.

A backend's run function takes
    run(x, weight, scale, bias, stride, padding, dilation, offset_x, soc)
with CPU tensors (x int8 NCHW, weight int8, scale int64/float32, bias int32 or None), stride/padding/
dilation as (h, w) pairs and the SoC name, and returns the float16 output (N, Cout, Ho, Wo) on the CPU,
or a tuple whose first element is that output (the rest, e.g. the twin's counters, is ignored here).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

import torch

# Modules that register a backend when imported (if their compiled parts or devices are present).
PLUGIN_MODULES = ("qconv.sim", "qconv.npu_backend")
DEFAULT_PRIORITY = {"npu": 30, "sim": 20, "cpu": 10}


@dataclass
class Backend:
    name: str
    run_fn: Callable
    available_fn: Callable[[], bool]
    priority: int

    def available(self) -> bool:
        try:
            return bool(self.available_fn())
        except Exception:  # an availability probe must never take the command down
            return False

    def run(self, x, weight, scale, bias, stride, padding, dilation, offset_x, soc) -> torch.Tensor:
        result = self.run_fn(x, weight, scale, bias, stride, padding, dilation, offset_x, soc)
        out = result[0] if isinstance(result, tuple) else result
        return out.cpu()


_REGISTRY: dict[str, Backend] = {}
_plugins_loaded = False
plugin_errors: dict[str, str] = {}


def register(name: str, run_fn: Callable, available_fn: Callable[[], bool] | None = None,
             priority: int | None = None) -> None:
    """Add or replace a backend. `available_fn` defaults to always available; `priority` to
    DEFAULT_PRIORITY[name] (0 for unknown names)."""
    _REGISTRY[name] = Backend(name, run_fn, available_fn or (lambda: True),
                              DEFAULT_PRIORITY.get(name, 0) if priority is None else priority)


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for module in PLUGIN_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:
                plugin_errors[module] = str(e)
        except Exception as e:  # a broken plugin disables itself, not the kit
            plugin_errors[module] = f"{type(e).__name__}: {e}"


def registered() -> list[Backend]:
    _load_plugins()
    return sorted(_REGISTRY.values(), key=lambda b: -b.priority)


def available() -> list[Backend]:
    return [b for b in registered() if b.available()]


def get(name: str) -> Backend:
    """The named backend, or a ValueError saying which ones exist and which are available."""
    if name == "auto":
        return best()
    backends = {b.name: b for b in registered()}
    if name not in backends and name in DEFAULT_PRIORITY:
        why = "; ".join(f"{m}: {e}" for m, e in plugin_errors.items()) or "its part of the kit is not built or present"
        raise ValueError(f"backend {name!r} is not available here ({why}); available: "
                         f"{', '.join(b.name for b in available())}")
    if name not in backends:
        raise ValueError(f"backend = {name!r} is not supported; allowed: auto, {', '.join(DEFAULT_PRIORITY)}")
    backend = backends[name]
    if not backend.available():
        raise ValueError(f"backend {name!r} is not available here; available: "
                         f"{', '.join(b.name for b in available())}")
    return backend


def best() -> Backend:
    return available()[0]


def _cpu_run(x, weight, scale, bias, stride, padding, dilation, offset_x, soc):
    from qconv import target
    with target.using(soc):   # the CPU op computes the target SoC's semantics (qconv.target)
        return torch.ops.qconv.quant_conv2d(x, weight, scale, list(stride), list(padding), list(dilation), 1,
                                            offset_x, "rint", None, bias, None)


register("cpu", _cpu_run)
