"""Import order, oracle side: qconv imported first (torch_npu not yet loaded, as with
TORCH_DEVICE_BACKEND_AUTOLOAD=0), torch_npu afterwards. The NPU kernel and the torchair converter must
register when torch_npu arrives, not before. Writes what it saw as JSON.

    QCONV_ORACLE_DIR=<oracle> python import_hooks_probe.py <out.json>
"""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_env  # noqa: E402

oracle_env.activate()
os.environ["TORCH_DEVICE_BACKEND_AUTOLOAD"] = "0"     # torch must not pull torch_npu in by itself

import torch  # noqa: E402

import qconv  # noqa: E402
from qconv import npu, torchair_converter  # noqa: E402


def seen():
    return {"torch_npu_loaded": "torch_npu" in sys.modules, "kernel": npu.status()["kernel_registered"],
            "converter": torchair_converter.is_registered(),
            "dispatch_has_privateuse1": torch._C._dispatch_has_kernel_for_dispatch_key("qconv::quant_conv2d",
                                                                                       "PrivateUse1")}


def main(argv):
    npu.install()                  # what `import qconv` runs
    before = seen()
    import torch_npu  # noqa: F401
    after = seen()
    with open(argv[1], "w") as f:
        json.dump({"before": before, "after": after}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
