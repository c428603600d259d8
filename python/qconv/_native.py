"""Find the kit's compiled extension modules (built by CMake next to this file).

QCONV_NATIVE_DIR points at another build of them (the ASan+UBSan tree uses it), so the same tests
run against either build.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import pathlib
import sys
from types import ModuleType

_HERE = pathlib.Path(__file__).resolve().parent


class NativeModuleMissing(ImportError):
    pass


def load(name: str) -> ModuleType:
    """Import the compiled module qconv.<name> from QCONV_NATIVE_DIR or the package directory."""
    full = f"qconv.{name}"
    if full in sys.modules:
        return sys.modules[full]
    dirs = [pathlib.Path(os.environ["QCONV_NATIVE_DIR"])] if os.environ.get("QCONV_NATIVE_DIR") else []
    dirs.append(_HERE)
    for d in dirs:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = d / f"{name}{suffix}"
            if path.exists():
                spec = importlib.util.spec_from_file_location(full, path)
                module = importlib.util.module_from_spec(spec)
                sys.modules[full] = module
                spec.loader.exec_module(module)
                return module
    raise NativeModuleMissing(
        f"the compiled module qconv.{name} is not built (looked in {', '.join(map(str, dirs))}); "
        "run ./build.sh to build it")
