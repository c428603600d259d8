"""Runs op_kernel/tests/cube_stage_twin_test (built once per arch): the cube stage alone in the twin,
bit-exact int32 against a direct convolution, with tilings forced onto kernel-row K chunks, in-row M
tiles and single buffers; in the normal build tree and, when built, in the ASan+UBSan tree."""
import os
import subprocess

import pytest

from kit_paths import ASAN_BUILD_DIR, BUILD_DIR


def _run(tree, arch, shapes):
    exe = tree / "op_kernel" / f"cube_stage_twin_test_{arch}"
    if not exe.exists():
        return None
    return subprocess.run([str(exe), str(shapes), "7"], capture_output=True, text=True, timeout=1200)


@pytest.mark.parametrize("arch", [2201, 2002])
def test_cube_stage_exact(arch):
    proc = _run(BUILD_DIR, arch, 20)
    assert proc is not None, f"cube_stage_twin_test_{arch} is not built in {BUILD_DIR}: run ./build.sh build"
    assert proc.returncode == 0 and " 0 failures" in proc.stdout, proc.stdout[-4000:] + proc.stderr[-4000:]


@pytest.mark.parametrize("arch", [2201, 2002])
def test_cube_stage_exact_sanitized(arch):
    proc = _run(ASAN_BUILD_DIR, arch, 4)
    if proc is None:
        if os.environ.get("CI") == "true":  # ./build.sh test always builds it
            pytest.fail(f"no ASan+UBSan build in {ASAN_BUILD_DIR}")
        pytest.skip(f"no ASan+UBSan build in {ASAN_BUILD_DIR}")
    assert proc.returncode == 0 and " 0 failures" in proc.stdout, proc.stdout[-4000:] + proc.stderr[-4000:]
