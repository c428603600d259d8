"""Drives the CPU twin's own C++ tests (sim/tests, built once per arch): every case of every executable
runs as one pytest case, in the normal build tree and, when it has been built, in the ASan+UBSan tree.
Also checks that QCONV_SIM_ABORT=1 turns a violation into abort() for gdb."""
import os
import pathlib
import signal
import subprocess

import pytest

from kit_paths import ASAN_BUILD_DIR, BUILD_DIR

EXECUTABLES = [f"sim_{kind}_test_{arch}" for kind in ("smoke", "cube_api", "vector_api", "more_api", "checker",
                                                             "gather_api")
               for arch in (2201, 2002)]


def _exe(tree: pathlib.Path, name: str) -> pathlib.Path:
    return tree / "sim" / "tests" / name


def _cases(tree: pathlib.Path):
    out = []
    for name in EXECUTABLES:
        exe = _exe(tree, name)
        if not exe.exists():
            out.append((tree, name, None))
            continue
        listed = subprocess.run([str(exe), "--list"], capture_output=True, text=True, check=True).stdout.split()
        out.extend((tree, name, case) for case in listed)
    return out


CASES = _cases(BUILD_DIR)
ASAN_CASES = [c for c in _cases(ASAN_BUILD_DIR) if c[2] is not None]


def _run(tree, name, case, env=None):
    if case is None:
        pytest.fail(f"{_exe(tree, name)} is not built: run ./build.sh build (or cmake --build {tree} --target {name})")
    proc = subprocess.run([str(_exe(tree, name)), case], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"[ PASS ] {case}" in proc.stdout


@pytest.mark.parametrize("tree,name,case", CASES, ids=[f"{n}:{c}" for _, n, c in CASES])
def test_sim_case(tree, name, case):
    _run(tree, name, case)


@pytest.mark.skipif(not ASAN_CASES, reason=f"no ASan+UBSan build of the twin's tests in {ASAN_BUILD_DIR}")
@pytest.mark.parametrize("tree,name,case", ASAN_CASES, ids=[f"asan:{n}:{c}" for _, n, c in ASAN_CASES])
def test_sim_case_sanitized(tree, name, case):
    _run(tree, name, case)


@pytest.mark.parametrize("arch", [2201, 2002])
def test_abort_env_calls_abort(arch):
    exe = _exe(BUILD_DIR, f"sim_checker_test_{arch}")
    if not exe.exists():
        pytest.fail(f"{exe} is not built")
    env = dict(os.environ, QCONV_SIM_ABORT="1")
    proc = subprocess.run([str(exe), "AbortOnViolation"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == -signal.SIGABRT, proc.stdout + proc.stderr
    assert "qconv sim: DataCopy(local->GM): out-of-bounds" in proc.stderr


def test_kernel_entry_reaches_the_workspace_through_get_user_workspace():
    """On the NPU `workspace` starts with the system workspace; every ws_* offset counts from the user part,
    so the entry must derive its workspace pointer with AscendC::GetUserWorkspace and never use the raw
    argument otherwise (the twin passes the user workspace alone, so no run can tell the difference)."""
    import re
    source = (pathlib.Path(__file__).resolve().parent.parent / "op_kernel" / "quant_conv2d_custom.cpp").read_text()
    body = source[source.index("QCONV_KERNEL_ENTRY(GM_ADDR x"):]
    body = body[body.index("{"):]
    code = re.sub(r"//[^\n]*", "", body)
    uses = re.findall(r"[^\n]*\bworkspace\b[^\n]*", code)
    assert len(uses) == 1 and "AscendC::GetUserWorkspace(workspace)" in uses[0], uses
