"""The op_host tests against the ASan+UBSan build ($QCONV_ASAN_BUILD_DIR, made by `./build.sh test`).

Runs the C++ unit tests of the core and, in a subprocess, the check / shape / tiling-property tests and the
CPU op's native code (qconv._cpu) with
QCONV_NATIVE_DIR pointing at the sanitized extension modules and the ASan runtime preloaded (Python itself
is not instrumented). Any sanitizer report aborts (-fno-sanitize-recover=all) and fails the test.
Skipped only when the sanitized tree is absent outside CI; with CI=true its absence is a failure.
"""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from kit_paths import ASAN_BUILD_DIR, ROOT

NATIVE_DIR = ASAN_BUILD_DIR / "native"
HOST_TESTS = ASAN_BUILD_DIR / "op_host" / "qconv_host_tests"
PYTHON_TESTS = ["tests/test_check_params.py", "tests/test_infer_shape.py", "tests/test_tiling_properties.py",
                "tests/test_cpu_native.py", "tests/test_cpu_int_conv.py"]
# Sanitized code runs several times slower: the property tests walk 50 batches (5,000 shapes) per SoC here;
# the uninstrumented run of the same file covers the full 10,000 per SoC.
ASAN_PROPERTY_EXAMPLES = "50"


def _require_asan_tree() -> None:
    missing = [p for p in (NATIVE_DIR, HOST_TESTS) if not p.exists()]
    if not missing:
        return
    what = ", ".join(map(str, missing))
    if os.environ.get("CI") == "true":
        pytest.fail(f"the ASan+UBSan build is missing ({what}); ./build.sh test builds it")
    pytest.skip(f"the ASan+UBSan build is absent ({what}); run ./build.sh test")


def _gcc_library(name: str) -> str:
    path = subprocess.run(["g++", f"-print-file-name={name}"], capture_output=True, text=True,
                          check=True).stdout.strip()
    if not os.path.isabs(path) or not pathlib.Path(path).exists():
        pytest.fail(f"g++ does not know where {name} is (got {path!r})")
    return str(pathlib.Path(path).resolve())


def _preload() -> str:
    """The ASan runtime, and libstdc++ with it: Python does not link libstdc++, so without it ASan's
    __cxa_throw interceptor finds no real __cxa_throw and aborts on the first C++ exception."""
    return f"{_gcc_library('libasan.so')} {_gcc_library('libstdc++.so')}"


def _sanitizer_env(**extra) -> dict:
    env = dict(os.environ)
    env.update(ASAN_OPTIONS="detect_leaks=0:abort_on_error=1",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1", **extra)
    return env


def test_host_core_cpp_tests_under_asan_ubsan():
    _require_asan_tree()
    result = subprocess.run([str(HOST_TESTS)], capture_output=True, text=True, timeout=900, env=_sanitizer_env())
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-8000:]
    assert "host core tests passed" in result.stdout


def test_host_python_tests_under_asan_ubsan():
    _require_asan_tree()
    assert any(p.name.startswith("_host") for p in NATIVE_DIR.iterdir()), f"no _host module in {NATIVE_DIR}"
    env = _sanitizer_env(QCONV_NATIVE_DIR=str(NATIVE_DIR), LD_PRELOAD=_preload(),
                         QCONV_BUILD_DIR=str(ASAN_BUILD_DIR), QCONV_PROPERTY_EXAMPLES=ASAN_PROPERTY_EXAMPLES)
    # The sanitized module is the one that loads.
    probe = subprocess.run([sys.executable, "-c", "from qconv import _native; print(_native.load('_host').__file__)"],
                           cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert probe.returncode == 0, probe.stderr[-4000:]
    assert pathlib.Path(probe.stdout.strip()).parent.resolve() == NATIVE_DIR.resolve(), probe.stdout
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *PYTHON_TESTS],
                            cwd=ROOT, capture_output=True, text=True, timeout=3600, env=env)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    assert " passed" in result.stdout and " failed" not in result.stdout
