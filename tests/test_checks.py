"""Every documented check of the op, with the wording of configs/limits.yaml."""
import re

import pytest
import torch

import qconv
from qconv import checks
from qconv._generated import limits


def op_args(**over):
    args = dict(input=torch.zeros(1, 4, 8, 8, dtype=torch.int8), weight=torch.zeros(2, 4, 3, 3, dtype=torch.int8),
                scale=torch.ones(2), strides=[1, 1], pads=[0, 0], dilations=[1, 1], groups=1, offset_x=0,
                round_mode="rint", output_dtype=None, bias=None, offset=None)
    args.update(over)
    return args


def call_op(**over):
    a = op_args(**over)
    return torch.ops.qconv.quant_conv2d(*a.values())


def expect(exc, text, **over):
    # Both the shared checker and the registered op (CPU kernel, then the fake kernel on meta tensors).
    with pytest.raises(exc, match=re.escape(text)):
        checks.check_op_args(**op_args(**over))
    with pytest.raises(exc, match=re.escape(text)):
        call_op(**over)


@pytest.mark.parametrize("name,index,value", [
    ("strides", 0, 0), ("strides", 1, 64), ("pads", 0, -1), ("pads", 1, 256),
    ("dilations", 0, 0), ("dilations", 1, 256)])
def test_attribute_ranges(name, index, value):
    pair = [1, 1] if name != "pads" else [0, 0]
    pair[index] = value
    key = {"strides": "stride", "pads": "padding", "dilations": "dilation"}[name]
    lo, hi = limits.RANGES[key]
    expect(ValueError, f"{name}[{index}] = {value} is out of the allowed range [{lo}, {hi}]", **{name: pair})


def test_groups_offset_x_and_kernel_size():
    expect(ValueError, "groups = 2 is out of the allowed range [1, 1]", groups=2)
    expect(ValueError, "offset_x = 128 is out of the allowed range [-128, 127]", offset_x=128)
    expect(ValueError, "offset_x = -129 is out of the allowed range [-128, 127]", offset_x=-129)
    expect(ValueError, "kernel_size[1] = 256 is out of the allowed range [1, 255]",
           input=torch.zeros(1, 1, 4, 300, dtype=torch.int8), weight=torch.zeros(2, 1, 1, 256, dtype=torch.int8))
    expect(ValueError, "kernel_size[0] = 0 is out of the allowed range [1, 255]",
           weight=torch.zeros(2, 4, 0, 3, dtype=torch.int8))


def test_input_size_ranges():
    expect(ValueError, "input.shape[3] = 4097 is out of the allowed range [1, 4096]",
           input=torch.zeros(1, 4, 3, 4097, dtype=torch.int8))
    expect(ValueError, "input.shape[2] = 0 is out of the allowed range [1, 100000]",
           input=torch.zeros(1, 4, 0, 8, dtype=torch.int8))


def test_dtypes():
    expect(TypeError, "input must have dtype torch.int8, got torch.uint8", input=torch.zeros(1, 4, 8, 8, dtype=torch.uint8))
    expect(TypeError, "weight must have dtype torch.int8, got torch.float32", weight=torch.zeros(2, 4, 3, 3))
    expect(TypeError, "scale must have dtype torch.int64 or torch.float32, got torch.float16",
           scale=torch.ones(2, dtype=torch.float16))
    expect(TypeError, "bias must have dtype torch.int32, got torch.int64", bias=torch.zeros(2, dtype=torch.int64))


def test_ranks_and_channel_agreement():
    expect(ValueError, "input must be a 4-D tensor, got a 3-D tensor", input=torch.zeros(4, 8, 8, dtype=torch.int8))
    expect(ValueError, "weight must be a 4-D tensor, got a 5-D tensor", weight=torch.zeros(2, 4, 3, 3, 1, dtype=torch.int8))
    expect(ValueError, "scale must be a 1-D tensor, got a 2-D tensor", scale=torch.ones(1, 2))
    expect(ValueError, "bias must be a 1-D tensor, got a 0-D tensor", bias=torch.tensor(1, dtype=torch.int32))
    expect(ValueError, "weight.shape[1] = 3 must equal input.shape[1] = 4", weight=torch.zeros(2, 3, 3, 3, dtype=torch.int8))
    expect(ValueError, "scale.shape[0] = 3 must equal weight.shape[0] = 2", scale=torch.ones(3))
    expect(ValueError, "bias.shape[0] = 1 must equal weight.shape[0] = 2", bias=torch.zeros(1, dtype=torch.int32))


def test_output_size_must_be_positive():
    expect(ValueError, "output size (Ho, Wo) = (-2, 6) must be positive: input (H, W) = (8, 8), kernel_size = (3, 3), "
                       "stride = (1, 1), padding = (0, 0), dilation = (5, 1)", dilations=[5, 1])


def test_reserved_and_unsupported_arguments():
    expect(ValueError, "round_mode = 'round' is not supported; allowed: 'rint'", round_mode="round")
    expect(ValueError, "output_dtype = torch.float32 is not supported", output_dtype=torch.float32)
    expect(ValueError, "offset = a tensor is not supported; allowed: None (reserved)", offset=torch.zeros(2))


def test_output_dtype_float16_and_none_accepted():
    assert call_op(output_dtype=torch.float16).shape == (1, 2, 6, 6)
    assert call_op().dtype == torch.float16


def test_wrong_length_attribute():
    expect(ValueError, "strides must have 2 elements, got 3", strides=[1, 1, 1])
    expect(ValueError, "pads must have 2 elements, got 1", pads=[1])


def test_device_mismatch():
    with pytest.raises(ValueError, match=re.escape("weight is on device meta, but input is on device cpu")):
        checks.check_op_args(**op_args(weight=torch.zeros(2, 4, 3, 3, dtype=torch.int8, device="meta")))


def test_fake_kernel_checks_the_same():
    from torch._subclasses.fake_tensor import FakeTensorMode
    with FakeTensorMode():
        with pytest.raises(ValueError, match=re.escape("offset_x = 200 is out of the allowed range")):
            call_op(offset_x=200)
        with pytest.raises(ValueError, match=re.escape("weight.shape[1] = 3 must equal input.shape[1] = 4")):
            call_op(weight=torch.zeros(2, 3, 3, 3, dtype=torch.int8))


def test_non_finite_scale_values():
    for bad, shown in ((float("nan"), "nan"), (float("inf"), "inf"), (float("-inf"), "-inf")):
        scale = torch.tensor([1.0, bad])
        with pytest.raises(ValueError, match=re.escape(f"scale must be finite, but scale[1] = {shown}")):
            call_op(scale=scale)
    word = torch.tensor([0x3F800000, (5 << 40) | 0x7F800000], dtype=torch.int64)   # fp19 +inf
    with pytest.raises(ValueError, match=re.escape("scale must be finite, but scale[1] = 0x5007f800000 (fp19 value inf)")):
        call_op(scale=word)


def test_functional_wrapper_accepts_ints():
    out = qconv.quant_conv2d(torch.ones(1, 1, 5, 5, dtype=torch.int8), torch.ones(1, 1, 3, 3, dtype=torch.int8),
                             torch.ones(1), strides=2, pads=1, dilations=1)
    assert out.shape == (1, 1, 3, 3) and out[0, 0, 1, 1] == 9
