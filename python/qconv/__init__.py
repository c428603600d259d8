"""qconv-kit: int8 QuantConv2d for Ascend NPUs, with an exact golden and an exact CPU op.

Importing qconv registers torch.ops.qconv.quant_conv2d (CPU and fake kernels) and arranges for its
NPU kernel and torchair converter to register once torch_npu / torchair are imported (qconv.npu).
It never imports torch_npu and needs no compiled module of the kit.
"""
import warnings as _warnings

from qconv import ops as _ops  # noqa: F401  (registers torch.ops.qconv.quant_conv2d)
from qconv.module import QuantConv2d
from qconv.ops import quant_conv2d
from qconv.quantize import quantize_model
from qconv.scale import decode_quant_param, trans_quant_param
from qconv.weight_format import PackedWeight, pack_fractal_z, unpack_fractal_z

try:
    from qconv import npu as _npu
    _npu.install()
except Exception as _e:  # the CPU kit must stay usable if the device glue is broken; say so
    _warnings.warn(f"qconv: the NPU kernel / torchair converter hooks were not installed: {_e!r}")

__all__ = ["QuantConv2d", "quant_conv2d", "quantize_model", "trans_quant_param", "decode_quant_param", "PackedWeight",
           "pack_fractal_z", "unpack_fractal_z"]

# Submodules reachable as attributes (qconv.sim.run(...) after `import qconv`), imported on first use:
# the twin and the host core load compiled modules, which a plain `import qconv` must not need.
_LAZY_SUBMODULES = ("cases", "host", "profiling", "reference", "shapes", "sim", "target")


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        import importlib
        return importlib.import_module(f"qconv.{name}")
    raise AttributeError(f"module 'qconv' has no attribute {name!r}")
