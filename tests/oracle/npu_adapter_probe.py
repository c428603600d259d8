"""NPU adapter, oracle side: load the compiled adapter (libqconv_npu.so) into real torch_npu and report
what the eager NPU path does on this machine, as JSON. test_npu_adapter.py judges it.

    QCONV_ORACLE_DIR=<oracle> QCONV_NATIVE_DIR=<dir with libqconv_npu.so> python npu_adapter_probe.py <out.json>
"""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_env  # noqa: E402

oracle_env.activate()

import torch  # noqa: E402
import torch_npu  # noqa: E402,F401

import qconv  # noqa: E402
from qconv import npu  # noqa: E402


def main(argv):
    npu.install()      # what `import qconv` does once torch_npu is imported
    report = {"status": npu.status()}
    report["schema"] = str(torch.ops.qconv_npu.aclnn_quant_conv2d_custom.default._schema)
    report["privateuse1_kernel"] = torch._C._dispatch_has_kernel_for_dispatch_key(
        "qconv::quant_conv2d", "PrivateUse1")
    x = torch.zeros(1, 4, 6, 6, dtype=torch.int8)
    w = torch.zeros(8, 4, 3, 3, dtype=torch.int8)
    try:   # the kernel itself, on CPU tensors: checks pass, then the missing op package is reported
        npu.npu_kernel(x, w, torch.ones(8), [1, 1], [1, 1], [1, 1], 1, 0, "rint", torch.float16, None, None)
        report["missing_package_error"] = None
    except npu.NpuPathUnavailable as exc:
        report["missing_package_error"] = str(exc)
    try:   # bad input is reported before anything NPU-specific
        npu.npu_kernel(x, w, torch.ones(7), [1, 1], [1, 1], [1, 1], 1, 0, "rint", torch.float16, None, None)
        report["bad_input_error"] = None
    except ValueError as exc:
        report["bad_input_error"] = str(exc)
    with open(argv[1], "w") as f:
        json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
