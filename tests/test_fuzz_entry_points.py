"""The entry-point fuzz (tests/fuzz_entry_points.py) in a subprocess: a crash (signal), a hang (timeout), a
wrong result, a modified caller tensor or a refusal that does not name its parameter fails this test.

Bounded: ~4,700 generated calls, about a minute on 2 cores; QCONV_FUZZ_SCALE multiplies the example
counts (e.g. 10 for a longer local run), QCONV_FUZZ_SEED picks another sequence of inputs."""
import os
import pathlib
import subprocess
import sys

import pytest

DRIVER = pathlib.Path(__file__).with_name("fuzz_entry_points.py")
TIMEOUT_S = 300      # a hang is a failure, not a stuck suite


def test_every_entry_point_survives_generated_good_and_bad_input():
    scale = os.environ.get("QCONV_FUZZ_SCALE", "1")
    seed = os.environ.get("QCONV_FUZZ_SEED", "0")
    try:
        done = subprocess.run([sys.executable, str(DRIVER), "--scale", scale, "--seed", seed], capture_output=True,
                              text=True, timeout=float(TIMEOUT_S) * float(scale))
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"the fuzz hung (no result after {exc.timeout:.0f} s); output so far:\n"
                             f"{exc.stdout}\n{exc.stderr}") from None
    assert done.returncode == 0, (f"the fuzz failed with exit status {done.returncode} (negative: killed by "
                                  f"that signal)\n{done.stdout[-4000:]}\n{done.stderr[-12000:]}")
    # every entry point ran valid inputs and refused bad ones
    for entry in ("torch.ops.qconv.quant_conv2d", "qconv.quant_conv2d", "'meta tensors'", "'fake tensors'",
                  "'QuantConv2d.forward'", "QuantConv2d.load_state_dict", "QuantConv2d.from_float",
                  "trans_quant_param", "qconv.host.check_params", "qconv-kit tiling", "qconv.sim.run"):
        line = next((l for l in done.stdout.splitlines() if entry.strip("'") in l), "")
        assert "'ran'" in line and "'refused'" in line, (entry, done.stdout)
    assert "'torch.compile': {'ran'" in done.stdout, done.stdout


def _sanitized_native_dir() -> pathlib.Path:
    from kit_paths import ASAN_BUILD_DIR
    return ASAN_BUILD_DIR / "native"


@pytest.mark.skipif(not list(_sanitized_native_dir().glob("_sim.*")),
                    reason="no ASan+UBSan build of the native modules (./build.sh test builds it)")
def test_native_entry_points_under_asan_and_ubsan():
    """The entry points that reach C++ (the CPU op, qconv.host, the twin, the CLI) with the ASan+UBSan
    build of the native modules, a quarter of the examples: a sanitizer report aborts the run."""
    runtime = [subprocess.run(["gcc", f"-print-file-name={lib}"], capture_output=True, text=True,
                              check=True).stdout.strip() for lib in ("libasan.so", "libubsan.so")]
    env = dict(os.environ, QCONV_NATIVE_DIR=str(_sanitized_native_dir()), LD_PRELOAD=":".join(runtime),
               ASAN_OPTIONS="detect_leaks=0:abort_on_error=1", UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    done = subprocess.run([sys.executable, str(DRIVER), "--scale", "0.25", "--only",
                           "poisoning_order,fuzz_op,fuzz_host,fuzz_cli,fuzz_sim"], env=env, capture_output=True,
                          text=True, timeout=3 * TIMEOUT_S)
    assert done.returncode == 0, f"exit status {done.returncode}\n{done.stdout[-4000:]}\n{done.stderr[-12000:]}"
    assert "qconv.sim.run" in done.stdout, done.stdout
