"""The NPU eager adapter (framework/torch_npu) against the headers and libraries of the torch-npu wheel.

There is no CANN here, so the kit's own build skips the adapter. This test configures
framework/torch_npu/CMakeLists.txt on its own: an empty directory stands in for ASCEND_HOME_PATH, and
the torch_npu of the oracle environment is used. It builds the adapter with the kit's warning flags,
then loads it into real torch_npu and checks what the eager path reports when the op package is
missing. The aclnn calls themselves stay unexercised: they need an NPU and the package.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from oracle_run import ROOT, run_oracle_script

# A one-directory project around framework/torch_npu with the top-level CMakeLists.txt's settings.
WRAPPER = """cmake_minimum_required(VERSION 3.20)
project(qconv_npu_adapter_check LANGUAGES C CXX)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
add_compile_options(-Wall -Wextra -Werror)
find_package(Python 3.11 REQUIRED COMPONENTS Interpreter Development.Module)
set(QCONV_NATIVE_OUTPUT_DIR ${{CMAKE_BINARY_DIR}}/native)
add_subdirectory({source} torch_npu)
"""


@pytest.fixture(scope="module")
def adapter(oracle_dir, tmp_path_factory):
    work = tmp_path_factory.mktemp("adapter")
    (work / "CMakeLists.txt").write_text(WRAPPER.format(source=ROOT / "framework" / "torch_npu"))
    (work / "cann").mkdir()
    env = {**os.environ, "ASCEND_HOME_PATH": str(work / "cann")}
    for cmd in (["cmake", "-S", str(work), "-B", str(work / "build"), f"-DPython_EXECUTABLE={sys.executable}",
                 f"-DQCONV_TORCH_NPU_DIR={oracle_dir / 'site' / 'torch_npu'}"],
                ["cmake", "--build", str(work / "build"), "-j2"]):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return work / "build" / "native"


def test_adapter_builds_against_torch_npu(adapter):
    assert (adapter / "libqconv_npu.so").stat().st_size > 0


def test_adapter_loads_into_torch_npu_and_reports_the_missing_op_package(oracle_dir, adapter):
    report_path = adapter / "report.json"
    run_oracle_script(oracle_dir, "npu_adapter_probe.py", report_path, cwd=adapter,
                      env={"QCONV_NATIVE_DIR": str(adapter)})
    report = json.loads(report_path.read_text())
    status = report["status"]
    assert status["torch_npu_imported"] and status["adapter_loaded"] and status["kernel_registered"]
    assert not status["npu_device"] and not status["op_package_installed"]
    assert report["privateuse1_kernel"]
    assert report["schema"].startswith("qconv_npu::aclnn_quant_conv2d_custom(Tensor x, Tensor filter, Tensor scale, "
                                       "Tensor? bias, int[] strides, int[] pads, int[] dilations, int groups, "
                                       "str data_format, int offset_x, str round_mode, int dtype, Tensor(a!) y)")
    message = report["missing_package_error"]
    assert message and "op package" in message and "./build.sh pkg" in message and "--install-path" in message
    assert report["bad_input_error"] == "scale.shape[0] = 7 must equal weight.shape[0] = 8"


def test_kernel_and_converter_register_when_torch_npu_is_imported_after_qconv(oracle_dir, tmp_path):
    run_oracle_script(oracle_dir, "import_hooks_probe.py", tmp_path / "seen.json", cwd=tmp_path)
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert seen["before"] == {"torch_npu_loaded": False, "kernel": False, "converter": False,
                              "dispatch_has_privateuse1": False}
    assert seen["after"] == {"torch_npu_loaded": True, "kernel": True, "converter": True,
                             "dispatch_has_privateuse1": True}
