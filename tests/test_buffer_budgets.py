"""Runs the buffer-budget twin tests (built once per arch): what the kernel's stages and its real entry allocate
in the CPU twin equals the one statement of each level's buffers that the tiling engine budgets with:
op_kernel/tests/vector_ub_budget_twin_test (UB, op_kernel/vector_ub_budget.h) and
op_kernel/tests/cube_buffer_budget_twin_test (L1, L0A, L0B, L0C, op_kernel/cube_buffer_budget.h); in the normal
build tree and, when built, in the ASan+UBSan tree."""
import os
import subprocess

import pytest

from kit_paths import ASAN_BUILD_DIR, BUILD_DIR

TESTS = ["vector_ub_budget_twin_test", "cube_buffer_budget_twin_test"]


def _run(tree, name, arch):
    exe = tree / "op_kernel" / f"{name}_{arch}"
    if not exe.exists():
        return None
    return subprocess.run([str(exe)], capture_output=True, text=True, timeout=1200)


@pytest.mark.parametrize("arch", [2201, 2002])
@pytest.mark.parametrize("name", TESTS)
def test_budget_matches_the_twin(name, arch):
    proc = _run(BUILD_DIR, name, arch)
    assert proc is not None, f"{name}_{arch} is not built in {BUILD_DIR}: run ./build.sh build"
    assert proc.returncode == 0 and " 0 failures" in proc.stdout, proc.stdout[-4000:] + proc.stderr[-4000:]


@pytest.mark.parametrize("arch", [2201, 2002])
@pytest.mark.parametrize("name", TESTS)
def test_budget_matches_the_twin_sanitized(name, arch):
    proc = _run(ASAN_BUILD_DIR, name, arch)
    if proc is None:
        if os.environ.get("CI") == "true":  # ./build.sh test always builds it
            pytest.fail(f"no ASan+UBSan build in {ASAN_BUILD_DIR}")
        pytest.skip(f"no ASan+UBSan build in {ASAN_BUILD_DIR}")
    assert proc.returncode == 0 and " 0 failures" in proc.stdout, proc.stdout[-4000:] + proc.stderr[-4000:]
