"""qconv-kit: int8 QuantConv2d for Ascend NPUs, with an exact golden and an exact CPU op.

Importing qconv registers torch.ops.qconv.quant_conv2d (CPU and fake kernels). It never needs
torch_npu or a compiled module of the kit; those are loaded by the parts that use them.
"""
from qconv import ops as _ops  # noqa: F401  (registers torch.ops.qconv.quant_conv2d)
from qconv.module import QuantConv2d
from qconv.ops import quant_conv2d
from qconv.scale import decode_quant_param, trans_quant_param

__all__ = ["QuantConv2d", "quant_conv2d", "trans_quant_param", "decode_quant_param"]
