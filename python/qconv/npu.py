"""NPU eager path: torch.ops.qconv.quant_conv2d on NPU (PrivateUse1) tensors -> the op package.

    op call on NPU tensors -> npu_kernel (here): the shared argument checks, float16 output allocated
      -> qconv_npu::aclnn_quant_conv2d_custom (framework/torch_npu, C++)
      -> aclnnQuantConv2dCustomGetWorkspaceSize + aclnnQuantConv2dCustom on the current NPU stream

Two pieces must exist on the machine, each built only where CANN and torch_npu are installed:
- the adapter library libqconv_npu.so (built by ./build.sh from framework/torch_npu into this package);
- the op package (./build.sh pkg, then its .run installer), which provides the aclnn API.
Without them a call on NPU tensors raises NpuPathUnavailable saying what to build and install; the
CPU, fake and torchair paths do not need them. install() runs at `import qconv`: it registers the
kernel as soon as torch_npu is imported, and never imports torch_npu itself.
"""
from __future__ import annotations

import os
import pathlib
import sys
import threading

import torch

from qconv import checks, ge_attrs, ops
from qconv._after_import import call_after_import
from qconv._generated import op_decl
from qconv.scale import hardware_scale

ADAPTER_LIBRARY = "libqconv_npu.so"
_HERE = pathlib.Path(__file__).resolve().parent
_LOCK = threading.Lock()
_state = {"kernel_registered": False, "adapter": None, "adapter_error": None}

BUILD_HINT = (
    "On a machine with CANN (ASCEND_HOME_PATH set, e.g. after `source /usr/local/Ascend/ascend-toolkit/set_env.sh`) "
    "and torch_npu: `./build.sh build` builds the adapter ({lib}); `./build.sh pkg` builds the op package "
    "custom_opp_<os>_<arch>.run; install it with `bash build/pkg/custom_opp_<os>_<arch>.run` (or "
    "`--install-path=<dir>` followed by `source <dir>/vendors/qconv/bin/set_env.bash`). See framework/README.md."
).format(lib=ADAPTER_LIBRARY)


class NpuPathUnavailable(RuntimeError):
    """The NPU eager path lacks a piece: the adapter library or the installed op package."""


def _adapter_candidates() -> list[pathlib.Path]:
    dirs = [pathlib.Path(os.environ["QCONV_NATIVE_DIR"])] if os.environ.get("QCONV_NATIVE_DIR") else []
    return [d / ADAPTER_LIBRARY for d in dirs + [_HERE]]


def load_adapter() -> bool:
    """Load libqconv_npu.so once (needs torch_npu imported). True when its ops are registered."""
    with _LOCK:
        if _state["adapter"] is None:
            found = [p for p in _adapter_candidates() if p.exists()]
            if not found:
                _state["adapter"] = False
                _state["adapter_error"] = f"{ADAPTER_LIBRARY} is not built (looked in " \
                    f"{', '.join(str(p.parent) for p in _adapter_candidates())})"
            else:
                try:
                    torch.ops.load_library(str(found[0]))
                    _state["adapter"] = True
                except OSError as exc:
                    _state["adapter"] = False
                    _state["adapter_error"] = f"{found[0]} does not load: {exc}"
        return bool(_state["adapter"])


def op_package_available() -> bool:
    return load_adapter() and bool(torch.ops.qconv_npu.op_package_available())


def status() -> dict:
    """What the NPU path has on this machine (for error messages and the README's check)."""
    torch_npu_loaded = "torch_npu" in sys.modules
    device = bool(torch_npu_loaded and torch.npu.is_available())
    adapter = torch_npu_loaded and load_adapter()
    return {
        "torch_npu_imported": torch_npu_loaded,
        "npu_device": device,
        "kernel_registered": _state["kernel_registered"],
        "adapter_loaded": adapter,
        "adapter_error": _state["adapter_error"],
        "op_package_installed": bool(adapter and torch.ops.qconv_npu.op_package_available()),
    }


def npu_kernel(input, weight, scale, strides=(1, 1), pads=(0, 0), dilations=(1, 1), groups=1, offset_x=0,
               round_mode="rint", output_dtype=None, bias=None, offset=None):
    """PrivateUse1 kernel of torch.ops.qconv.quant_conv2d."""
    g = checks.check_op_args(input, weight, scale, strides, pads, dilations, groups, offset_x, round_mode,
                             output_dtype, bias, offset)
    # Same rule as the CPU kernel; costs one small device-to-host copy of the (Cout,) scale.
    checks.check_scale_values(scale, hardware_scale(scale))
    if g.n == 0:      # nothing to compute: an empty output as on CPU and in the twin, no tiling, no launch
        return torch.empty((0, g.cout, g.ho, g.wo), dtype=torch.float16, device=input.device)
    if not load_adapter():
        raise NpuPathUnavailable(f"{op_decl.QUALIFIED_NAME} on NPU tensors needs the adapter library: "
                                 f"{_state['adapter_error']}. {BUILD_HINT}")
    if not torch.ops.qconv_npu.op_package_available():
        raise NpuPathUnavailable(
            f"{op_decl.QUALIFIED_NAME} on NPU tensors needs the qconv op package (aclnn{op_decl.GE_OP_TYPE}), "
            f"which is not installed or not on ASCEND_CUSTOM_OPP_PATH "
            f"(ASCEND_CUSTOM_OPP_PATH={os.environ.get('ASCEND_CUSTOM_OPP_PATH', '<unset>')}). {BUILD_HINT}")
    bound = ge_attrs.bind_arguments((input, weight, scale, strides, pads, dilations, groups, offset_x, round_mode,
                                     output_dtype, bias, offset), {})
    y = torch.empty((g.n, g.cout, g.ho, g.wo), dtype=torch.float16, device=input.device)
    # aclnn argument order: inputs (kernel-argument order), attributes (REG_OP order), output.
    return torch.ops.qconv_npu.aclnn_quant_conv2d_custom(
        *ge_attrs.ge_input_values(bound).values(), *ge_attrs.ge_attr_values(bound).values(), y)


def register_kernel() -> None:
    """Route NPU tensors of torch.ops.qconv.quant_conv2d to npu_kernel (idempotent)."""
    with _LOCK:
        if _state["kernel_registered"]:
            return
        ops.register_kernel("PrivateUse1", npu_kernel)
        _state["kernel_registered"] = True


def install() -> None:
    """Called by `import qconv`: the NPU kernel and the torchair converter, once torch_npu is there."""
    from qconv import torchair_converter

    call_after_import(("torch_npu",), register_kernel, "the NPU kernel of torch.ops.qconv.quant_conv2d")
    torchair_converter.autoregister()


def backend_available() -> bool:
    s = status()
    return s["npu_device"] and s["op_package_installed"]


def run_backend(x, weight, scale, bias, stride, padding, dilation, offset_x, soc):
    """`qconv-kit run --backend npu`: the case on the current NPU (soc is the device's own)."""
    del soc
    device = torch.device("npu", torch.npu.current_device())
    out = torch.ops.qconv.quant_conv2d(x.to(device), weight.to(device), scale.to(device), list(stride),
                                       list(padding), list(dilation), 1, offset_x, "rint", torch.float16,
                                       None if bias is None else bias.to(device), None)
    return out.cpu()
