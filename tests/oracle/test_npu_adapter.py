"""The NPU eager adapter (framework/torch_npu) against the headers and libraries of the torch-npu wheel.

No CANN here, so CMake does not build it (framework/torch_npu/CMakeLists.txt needs ASCEND_HOME_PATH).
This test compiles it the same way (-Wall -Wextra -Werror, torch_npu and CANN headers as system headers,
CURRENT_VERSION from torch's minor version), links it with --no-undefined against the real
libtorch_npu.so, then loads it into real torch_npu and checks what the eager path reports without an
op package. Only the aclnn calls themselves stay unexercised (they need an NPU and the package).
"""
from __future__ import annotations

import json
import subprocess
import sysconfig

import pytest
import torch
from torch.utils.cpp_extension import include_paths, library_paths

from oracle_run import ROOT, run_oracle_script

SOURCE = ROOT / "framework" / "torch_npu" / "aclnn_quant_conv2d.cpp"


@pytest.fixture(scope="module")
def adapter(oracle_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("adapter")
    npu = oracle_dir / "site" / "torch_npu"
    inc = npu / "include"
    minor = torch.__version__.split(".")[1]
    cmd = ["g++", "-std=c++17", "-O1", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror",
           f"-DCURRENT_VERSION=V2R{minor}", f"-D_GLIBCXX_USE_CXX11_ABI={int(torch._C._GLIBCXX_USE_CXX11_ABI)}"]
    for d in [*include_paths(), sysconfig.get_paths()["include"], inc, inc / "third_party" / "op-plugin",
              inc / "third_party" / "acl" / "inc"]:
        cmd += ["-isystem", str(d)]
    cmd += [str(SOURCE), "-o", str(out / "libqconv_npu.so"), f"-L{library_paths()[0]}", f"-L{npu / 'lib'}",
            "-ltorch_npu", "-ltorch_cpu", "-lc10", "-Wl,--no-undefined"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-6000:]
    return out


def test_adapter_compiles_and_links_against_torch_npu(adapter):
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
