"""Run a callback once an optional module (torch_npu, torchair) finishes importing.

qconv must import without torch_npu, yet register its NPU kernel and torchair converter as soon as
those exist. call_after_import runs the callback at once if one of the modules is already imported,
else records it; one meta-path finder wraps the loader of the first watched module imported and runs,
right after that module's own code, every callback waiting for it. A failing callback only warns: an
optional integration must never break an import.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import threading
import warnings
from typing import Callable, Iterable

_LOCK = threading.RLock()
_PENDING: list[tuple[tuple[str, ...], Callable[[], None], str]] = []


def _run(callback: Callable[[], None], what: str) -> None:
    try:
        callback()
    except Exception as exc:
        warnings.warn(f"qconv: {what} is not registered: {exc}")


def _run_pending(imported: str) -> None:
    with _LOCK:
        due = [entry for entry in _PENDING if imported in entry[0]]
        _PENDING[:] = [entry for entry in _PENDING if imported not in entry[0]]
        if not _PENDING and _FINDER in sys.meta_path:
            sys.meta_path.remove(_FINDER)
    for _, callback, what in due:
        _run(callback, what)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        with _LOCK:
            if not any(fullname in names for names, _, _ in _PENDING):
                return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Loader(spec.loader, fullname)
                return spec
        return None


class _Loader(importlib.abc.Loader):
    def __init__(self, loader, fullname: str):
        self._loader, self._fullname = loader, fullname

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _run_pending(self._fullname)

    def __getattr__(self, name):  # resource readers etc. of the wrapped loader
        return getattr(self._loader, name)


_FINDER = _Finder()


def call_after_import(names: Iterable[str], callback: Callable[[], None], what: str) -> None:
    """Call `callback` now if any of `names` is imported, else right after the first of them is."""
    names = tuple(names)
    if any(name in sys.modules for name in names):
        _run(callback, what)
    elif any(importlib.util.find_spec(name) is not None for name in names):
        with _LOCK:
            _PENDING.append((names, callback, what))
            if _FINDER not in sys.meta_path:
                sys.meta_path.insert(0, _FINDER)
