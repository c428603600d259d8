"""Runs op_host/tiling/tests/tiling_engine_test: random shapes over the whole documented range on every
SoC, each tiling checked by verify::CheckTilingInvariants for every buffer budget, exact-once output
coverage, K chunks, the Load3D field limits and taps; in the normal build tree and, when built, in the
ASan+UBSan tree (fewer shapes)."""
import os
import subprocess

import pytest

from kit_paths import ASAN_BUILD_DIR, BUILD_DIR


def _run(tree, shapes):
    exe = tree / "op_host" / "qconv_tiling_engine_test"
    if not exe.exists():
        return None
    return subprocess.run([str(exe), str(shapes), "20261127"], capture_output=True, text=True, timeout=1800)


def test_tiling_engine():
    proc = _run(BUILD_DIR, 1000)
    assert proc is not None, f"qconv_tiling_engine_test is not built in {BUILD_DIR}: run ./build.sh build"
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]


def test_tiling_engine_sanitized():
    proc = _run(ASAN_BUILD_DIR, 100)
    if proc is None:
        if os.environ.get("CI") == "true":  # ./build.sh test always builds it
            pytest.fail(f"no ASan+UBSan build in {ASAN_BUILD_DIR}")
        pytest.skip(f"no ASan+UBSan build in {ASAN_BUILD_DIR}")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
