"""Oracle tests: the kit against real torch_npu 2.13 / torchair code, run on the CPU.

torch_npu must never be importable in the pytest process (an installed torch_npu makes `import torch`
load it), so each test runs a script of this directory in a subprocess whose oracle_env preloads the
stand-in CANN libraries (tools/setup_oracle.sh). QCONV_ORACLE_DIR names the oracle directory
(./build.sh test sets it); without it the fixture runs the set-up into <build>/oracle itself. The tests
skip only when that set-up reports the environment cannot be made (its UNAVAILABLE file says why).
"""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


@pytest.fixture(scope="session")
def oracle_dir() -> pathlib.Path:
    default = pathlib.Path(os.environ.get("QCONV_BUILD_DIR", ROOT / "build")) / "oracle"
    path = pathlib.Path(os.environ.get("QCONV_ORACLE_DIR", default)).resolve()
    if not (path / "READY").exists() and not (path / "UNAVAILABLE").exists():
        subprocess.run([str(ROOT / "tools" / "setup_oracle.sh"), str(path)], check=True,
                       env={**os.environ, "PYTHON": sys.executable})
    if (path / "UNAVAILABLE").exists():
        reason = "oracle environment unavailable: " + (path / "UNAVAILABLE").read_text().strip()
        if os.environ.get("CI"):  # CI must run the oracle tests, never skip them
            pytest.fail(reason)
        pytest.skip(reason)
    return path
