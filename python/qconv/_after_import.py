"""Run a callback once an optional module (torch_npu, torchair) finishes importing.

qconv must import without torch_npu, yet register its NPU kernel and torchair converter as soon as
those exist. call_after_import runs the callback at once if one of the modules is already imported,
else installs a meta-path finder that wraps the module's loader and runs it right after the module's
own code. A failing callback only warns: an optional integration must never break an import.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import warnings
from typing import Callable, Iterable


def _run(callback: Callable[[], None], what: str) -> None:
    try:
        callback()
    except Exception as exc:
        warnings.warn(f"qconv: {what} is not registered: {exc}")


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, names: tuple[str, ...], callback: Callable[[], None], what: str):
        self.names, self.callback, self.what = names, callback, what

    def find_spec(self, fullname, path, target=None):
        if fullname not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self or isinstance(finder, _Finder) and fullname in finder.names \
                    or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Loader(spec.loader, self)
                return spec
        return None


class _Loader(importlib.abc.Loader):
    def __init__(self, loader, finder: _Finder):
        self._loader, self._finder = loader, finder

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        if self._finder in sys.meta_path:
            sys.meta_path.remove(self._finder)
            _run(self._finder.callback, self._finder.what)

    def __getattr__(self, name):  # resource readers etc. of the wrapped loader
        return getattr(self._loader, name)


def call_after_import(names: Iterable[str], callback: Callable[[], None], what: str) -> None:
    """Call `callback` now if any of `names` is imported, else right after the first of them is."""
    names = tuple(names)
    if any(name in sys.modules for name in names):
        _run(callback, what)
    elif any(importlib.util.find_spec(name) is not None for name in names):
        sys.meta_path.insert(0, _Finder(names, callback, what))
