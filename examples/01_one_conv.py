"""Example 1: one int8 QuantConv2d on the CPU, three ways, each bit for bit the golden.

    .venv/bin/python examples/01_one_conv.py

The module (torch_npu.contrib.module.QuantConv2d's signature), the op every front end calls
(torch.ops.qconv.quant_conv2d, torch_npu.npu_quant_conv2d's schema) and the functional wrapper give
the same float16 output; python/qconv/reference.py, the numpy golden, says what that output must be.
"""
import torch

import qconv
from qconv import reference

torch.manual_seed(0)
x = torch.randint(-128, 128, (1, 16, 14, 14), dtype=torch.int8)         # int8 NCHW input
weight = torch.randint(-128, 128, (32, 16, 3, 3), dtype=torch.int8)     # int8 (Cout, Cin, kh, kw)
bias = torch.randint(-5000, 5000, (32,), dtype=torch.int32)             # int32, added to the int32 sum
scale = qconv.trans_quant_param(torch.rand(32) * 1e-3)                  # int64 QUANT_PRE words (fp19 scale)
offset_x = -3                                                           # the value the padding is filled with

conv = qconv.QuantConv2d(16, 32, 3, torch.float16, padding=1, offset_x=offset_x)
conv.weight.data, conv.bias.data, conv.scale.data = weight, bias, scale
y_module = conv(x)
y_op = torch.ops.qconv.quant_conv2d(x, weight, scale, [1, 1], [1, 1], [1, 1], 1, offset_x, "rint",
                                    torch.float16, bias)
y_functional = qconv.quant_conv2d(x, weight, scale, 1, 1, 1, 1, offset_x, bias=bias)
golden = torch.from_numpy(reference.quant_conv2d(x.numpy(), weight.numpy(), scale.numpy(), bias.numpy(),
                                                 stride=1, padding=1, offset_x=offset_x))

for name, y in (("module", y_module), ("op", y_op), ("functional", y_functional)):
    differ = int((y.view(torch.int16) != golden.view(torch.int16)).sum())   # compare the float16 bits
    print(f"{name:<11} {tuple(y.shape)} {y.dtype}: {differ} of {golden.numel()} outputs differ from the golden")
    assert differ == 0
print("OK: bit-exact")
