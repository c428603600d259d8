"""Make real torch_npu / torchair importable in this process (the oracle environment).

Run only in a subprocess started for the oracle tests, never in the pytest process: once torch_npu is
importable, torch loads it at `import torch` time. QCONV_ORACLE_DIR names the directory that
tools/setup_oracle.sh filled (site/ with torch-npu, stubs/lib/ with the stand-in CANN libraries).
"""
from __future__ import annotations

import ctypes
import os
import pathlib
import sys


def oracle_dir() -> pathlib.Path:
    return pathlib.Path(os.environ["QCONV_ORACLE_DIR"]).resolve()


def activate() -> None:
    """Preload the stand-in CANN libraries, then put torch-npu's site directory on sys.path.

    Must run before anything imports torch. The stand-ins are loaded RTLD_GLOBAL so that the dynamic
    loader satisfies torch_npu's DT_NEEDED entries by soname without LD_LIBRARY_PATH.
    """
    if "torch" in sys.modules:
        raise RuntimeError("oracle_env.activate() must run before torch is imported")
    root = oracle_dir()
    for lib in sorted((root / "stubs" / "lib").glob("*.so")):
        ctypes.CDLL(str(lib), mode=os.RTLD_NOW | ctypes.RTLD_GLOBAL)
    sys.path.insert(0, str(root / "site"))
    # Silence torch_npu's log lines about the absent CANN install; they are not test output.
    os.environ.setdefault("ASCEND_GLOBAL_LOG_LEVEL", "3")
    os.environ.setdefault("TORCH_NPU_COMPACT_ERROR_OUTPUT", "1")
