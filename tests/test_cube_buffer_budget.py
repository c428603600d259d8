"""Runs op_kernel/tests/cube_buffer_budget_twin_test (built once per arch): the L1, L0A, L0B and L0C that the cube
stage and the real kernel entry allocate in the CPU twin equal op_kernel/cube_buffer_budget.h, the one statement
of the cube side's buffers that the tiling engine budgets with; in the normal build tree and, when built, in the
ASan+UBSan tree."""
import os
import subprocess

import pytest

from kit_paths import ASAN_BUILD_DIR, BUILD_DIR


def _run(tree, arch):
    exe = tree / "op_kernel" / f"cube_buffer_budget_twin_test_{arch}"
    if not exe.exists():
        return None
    return subprocess.run([str(exe)], capture_output=True, text=True, timeout=1200)


@pytest.mark.parametrize("arch", [2201, 2002])
def test_cube_buffer_budget_matches_the_twin(arch):
    proc = _run(BUILD_DIR, arch)
    assert proc is not None, f"cube_buffer_budget_twin_test_{arch} is not built in {BUILD_DIR}: run ./build.sh build"
    assert proc.returncode == 0 and " 0 failures" in proc.stdout, proc.stdout[-4000:] + proc.stderr[-4000:]


@pytest.mark.parametrize("arch", [2201, 2002])
def test_cube_buffer_budget_matches_the_twin_sanitized(arch):
    proc = _run(ASAN_BUILD_DIR, arch)
    if proc is None:
        if os.environ.get("CI") == "true":  # ./build.sh test always builds it
            pytest.fail(f"no ASan+UBSan build in {ASAN_BUILD_DIR}")
        pytest.skip(f"no ASan+UBSan build in {ASAN_BUILD_DIR}")
    assert proc.returncode == 0 and " 0 failures" in proc.stdout, proc.stdout[-4000:] + proc.stderr[-4000:]
