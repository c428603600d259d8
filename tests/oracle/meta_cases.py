"""Random QuantConv2d argument sets for the meta-parity oracle test (pure Python, no torch).

A case is JSON: tensors as [shape, dtype name] (or None), attributes as plain values, and `mutation`:
"valid" or the one thing made wrong. The mutations are grouped by what the test expects:

AGREE         both kernels must reach the same verdict (and the same shape and dtype when they accept)
OURS_STRICTER deliberate: we reject what torch_npu 2.13's meta accepts (documented limits it does not check)
OURS_LOOSER   deliberate: we accept what torch_npu's meta rejects; the shape must match torch_npu's on
              the normalised case (int64 scale, explicit float16)
"""
from __future__ import annotations

import copy
import random

# Why each deliberate difference exists (printed by the test, listed in framework/README.md).
OURS_STRICTER = {
    "groups_gt_1": "groups: documented only 1 (QuantConv2d docs, limits.yaml); torch_npu 2.13's meta accepts "
                   "groups > 1 from its Ascend 950 rework",
    "stride_above_63": "stride: documented range [1, 63]; torch_npu's meta checks only > 0",
    "pad_above_255": "padding: documented range [0, 255]; torch_npu's meta checks only >= 0",
    "dilation_above_255": "dilation: documented range [1, 255]; torch_npu's meta checks only > 0",
    "kernel_above_255": "kernel_size: documented range [1, 255]; torch_npu's meta does not check it",
    "kernel_zero": "kernel_size: documented range [1, 255]; torch_npu's meta accepts a 0-sized kernel",
    "input_w_above_4096": "input W: documented range [1, 4096] (GE QuantConv2D); torch_npu's meta does not check it",
    "input_h_above_100000": "input H: documented range [1, 100000]; torch_npu's meta does not check it",
    "round_mode_other": "round_mode: only 'rint' (docs: reserved); torch_npu 2.13's meta dropped the check",
    "offset_given": "offset: reserved, must be None; torch_npu's meta ignores it (its GE converter rejects it)",
    "float8_input": "input/weight: int8 only; torch_npu 2.13 also takes float8_e4m3fn (Ascend 950 only)",
}
OURS_LOOSER = {
    "float32_scale": "scale: we take float32 too (converted with npu_trans_quant_param round_mode 0 "
                     "semantics); torch_npu's op takes int64 only (its module converts first)",
    "output_dtype_none": "output_dtype None means float16 for us; torch_npu 2.13's meta requires it",
}
AGREE = (
    "valid", "input_rank", "weight_rank", "scale_rank", "cin_mismatch", "scale_length", "input_dtype",
    "weight_dtype", "scale_dtype", "bias_dtype", "bias_rank", "bias_length", "negative_pad", "zero_stride",
    "zero_dilation", "offset_x_range", "empty_output", "groups_zero", "output_dtype_float32",
)
MUTATIONS = AGREE + tuple(OURS_STRICTER) + tuple(OURS_LOOSER)


def _valid(rng: random.Random) -> dict:
    n, cin, cout = rng.randint(1, 4), rng.randint(1, 64), rng.randint(1, 64)
    kh, kw = rng.randint(1, 7), rng.randint(1, 7)
    sh, sw = rng.randint(1, 4), rng.randint(1, 4)
    ph, pw = rng.randint(0, 3), rng.randint(0, 3)
    dh, dw = rng.randint(1, 3), rng.randint(1, 3)
    h = max(1, dh * (kh - 1) + 1 - 2 * ph) + rng.randint(0, 40)
    w = max(1, dw * (kw - 1) + 1 - 2 * pw) + rng.randint(0, 40)
    return {
        "input": [[n, cin, h, w], "int8"],
        "weight": [[cout, cin, kh, kw], "int8"],
        "scale": [[cout], "int64"],
        "bias": [[cout], "int32"] if rng.random() < 0.5 else None,
        "offset": None,
        "strides": [sh, sw], "pads": [ph, pw], "dilations": [dh, dw],
        "groups": 1, "offset_x": rng.randint(-128, 127), "round_mode": "rint", "output_dtype": "float16",
    }


def _mutate(case: dict, mutation: str, rng: random.Random) -> None:
    x, wt, s = case["input"], case["weight"], case["scale"]
    cout = wt[0][0]
    axis = rng.randint(0, 1)
    if mutation == "input_rank":
        x[0] = x[0][:3] if rng.random() < 0.5 else x[0] + [1]
    elif mutation == "weight_rank":
        wt[0] = wt[0][:3] if rng.random() < 0.5 else wt[0] + [1]
    elif mutation == "scale_rank":
        s[0] = [1, cout]
    elif mutation == "cin_mismatch":
        wt[0][1] += rng.randint(1, 3)
    elif mutation == "scale_length":
        s[0] = [cout + rng.randint(1, 3)]
    elif mutation == "input_dtype":
        x[1] = rng.choice(["uint8", "int32", "float16"])
    elif mutation == "weight_dtype":
        wt[1] = rng.choice(["uint8", "int32", "float16"])
    elif mutation == "scale_dtype":
        s[1] = rng.choice(["int32", "float16"])
    elif mutation == "bias_dtype":
        case["bias"] = [[cout], rng.choice(["int64", "float32", "int8"])]
    elif mutation == "bias_rank":
        case["bias"] = [[1, cout], "int32"]
    elif mutation == "bias_length":
        case["bias"] = [[cout + rng.randint(1, 3)], "int32"]
    elif mutation == "negative_pad":
        case["pads"][axis] = -rng.randint(1, 3)
    elif mutation == "zero_stride":
        case["strides"][axis] = rng.choice([0, -1])
    elif mutation == "zero_dilation":
        case["dilations"][axis] = rng.choice([0, -2])
    elif mutation == "offset_x_range":
        case["offset_x"] = rng.choice([128, -129, 1000, -1000])
    elif mutation == "empty_output":
        # kernel extent larger than the padded input along one axis
        k = wt[0][2 + axis]
        d = case["dilations"][axis]
        if d * (k - 1) + 1 <= 2 * case["pads"][axis] + 1:
            wt[0][2 + axis] = k = 7
            case["dilations"][axis] = d = 3
        x[0][2 + axis] = rng.randint(1, max(1, d * (k - 1) - 2 * case["pads"][axis]))
    elif mutation == "groups_zero":
        case["groups"] = 0
    elif mutation == "output_dtype_float32":
        case["output_dtype"] = "float32"
    elif mutation == "groups_gt_1":
        g = rng.choice([2, 4])
        x[0][1] = wt[0][1] * g
        wt[0][0] = s[0][0] = cout * g
        if case["bias"] is not None:
            case["bias"][0] = [cout * g]
        case["groups"] = g
    elif mutation == "stride_above_63":
        case["strides"][axis] = rng.randint(64, 200)
    elif mutation == "pad_above_255":
        case["pads"][axis] = rng.randint(256, 400)
    elif mutation == "dilation_above_255":
        case["dilations"][axis] = rng.randint(256, 300)
        wt[0][2 + axis] = 2
        x[0][2 + axis] = rng.randint(300, 600)
    elif mutation == "kernel_above_255":
        wt[0][2 + axis] = rng.randint(256, 300)
        case["dilations"][axis] = 1
        x[0][2 + axis] = rng.randint(300, 400)
    elif mutation == "kernel_zero":
        wt[0][2 + axis] = 0
    elif mutation == "input_w_above_4096":
        x[0][3] = rng.randint(4097, 9000)
    elif mutation == "input_h_above_100000":
        x[0][2] = rng.randint(100001, 200000)
    elif mutation == "round_mode_other":
        case["round_mode"] = rng.choice(["round", "floor", "ceil", ""])
    elif mutation == "offset_given":
        case["offset"] = [[cout], "float32"]
    elif mutation == "float8_input":
        x[1] = wt[1] = "float8_e4m3fn"
        if case["bias"] is not None:
            case["bias"][1] = "float32"
    elif mutation == "float32_scale":
        s[1] = "float32"
    elif mutation == "output_dtype_none":
        case["output_dtype"] = None
    elif mutation != "valid":
        raise ValueError(f"unknown mutation {mutation}")


def make_cases(count: int, seed: int) -> list[dict]:
    """`count` cases: a third valid, the rest cycling through every mutation, each from a fresh valid set."""
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        mutation = "valid" if i % 3 == 0 else MUTATIONS[1 + (i // 3 * 2 + i % 3 - 1) % (len(MUTATIONS) - 1)]
        case = _valid(rng)
        _mutate(case, mutation, rng)
        case["mutation"] = mutation
        cases.append(case)
    return cases


def normalised_for_torch_npu(case: dict) -> dict:
    """The same case with the arguments torch_npu insists on: int64 scale, explicit float16."""
    out = copy.deepcopy(case)
    if out["scale"][1] == "float32":
        out["scale"][1] = "int64"
    if out["output_dtype"] is None:
        out["output_dtype"] = "float16"
    return out
