"""CheckParams (C++, through qconv.host) against the Python checks (qconv.checks) and the templates.

Every documented range is tried at each boundary and one past it; every shape/dtype rule once broken.
For each case the C++ message, the Python message and the template filled by str.format must be the
same string (or all three say "valid"). Tensors are on the meta device: shapes up to 100000 x 4096
cost no memory. The C++ unit tests (op_host/tests) run here too.
"""
from __future__ import annotations

import os
import pathlib
import subprocess

import pytest
import torch

from qconv import checks, host
from qconv._generated import limits

from kit_paths import BUILD_DIR

BASE = dict(input=(1, 64, 56, 56), weight=(64, 64, 3, 3), scale=(64,), scale_dtype=torch.int64, bias=None,
            input_dtype=torch.int8, weight_dtype=torch.int8, bias_dtype=torch.int32, strides=[1, 1], pads=[1, 1],
            dilations=[1, 1], groups=1, offset_x=0, round_mode="rint", output_dtype=None, offset=None)


def _meta(shape, dtype):
    return torch.empty(shape, dtype=dtype, device="meta")


def python_message(case: dict) -> str | None:
    bias = None if case["bias"] is None else _meta(case["bias"], case["bias_dtype"])
    offset = None if case["offset"] is None else _meta(case["offset"], torch.float32)
    try:
        checks.check_op_args(_meta(case["input"], case["input_dtype"]), _meta(case["weight"], case["weight_dtype"]),
                             _meta(case["scale"], case["scale_dtype"]), case["strides"], case["pads"],
                             case["dilations"], case["groups"], case["offset_x"], case["round_mode"],
                             case["output_dtype"], bias, offset)
    except (ValueError, TypeError) as e:
        return str(e)
    return None


def cpp_message(case: dict, soc=None) -> str | None:
    bias = None if case["bias"] is None else (case["bias"], case["bias_dtype"])
    offset = None if case["offset"] is None else case["offset"]
    return host.check_params((case["input"], case["input_dtype"]), (case["weight"], case["weight_dtype"]),
                             (case["scale"], case["scale_dtype"]), bias, case["strides"], case["pads"],
                             case["dilations"], case["groups"], case["offset_x"], case["round_mode"],
                             case["output_dtype"], offset, soc=soc)["message"]


def with_(**changes) -> dict:
    case = dict(BASE)
    case.update(changes)
    return case


def oor(param, value, name):
    return limits.out_of_range_message(param, value, name)


def range_cases():
    """(id, case, expected message or None) at and one past both ends of every documented range."""
    lo_hi = limits.RANGES
    cases = []

    def both(name, make, param_of):
        lo, hi = lo_hi[name]
        for value, ok in ((lo, True), (lo - 1, False), (hi, True), (hi + 1, False)):
            cases.append((f"{param_of}={value}", make(value), None if ok else oor(param_of, value, name)))

    for i in range(2):
        def stride(v, i=i):
            s = [1, 1]
            s[i] = v
            return with_(strides=s, input=(1, 64, 300, 300))
        both("stride", stride, f"strides[{i}]")

        def pad(v, i=i):
            p = [1, 1]
            p[i] = v
            return with_(pads=p)
        both("padding", pad, f"pads[{i}]")

        def dilation(v, i=i):
            d = [1, 1]
            d[i] = v
            return with_(dilations=d, weight=(64, 64, 1, 1))
        both("dilation", dilation, f"dilations[{i}]")

        def kernel(v, i=i):
            k = [3, 3]
            k[i] = v
            return with_(weight=(64, 64, *k), input=(1, 64, 300, 300))
        both("kernel_size", kernel, f"kernel_size[{i}]")

    both("groups", lambda v: with_(groups=v), "groups")
    both("offset_x", lambda v: with_(offset_x=v), "offset_x")
    both("input_h", lambda v: with_(input=(1, 2, v, 8), weight=(4, 2, 1, 1), scale=(4,), pads=[0, 0]),
         "input.shape[2]")
    both("input_w", lambda v: with_(input=(1, 2, 8, v), weight=(4, 2, 1, 1), scale=(4,), pads=[0, 0]),
         "input.shape[3]")
    return cases


def rule_cases():
    m = limits.message
    return [
        ("valid", with_(), None),
        ("valid-float32-scale-bias", with_(scale_dtype=torch.float32, bias=(64,)), None),
        ("input-dtype", with_(input_dtype=torch.float32),
         m("wrong_dtype", param="input", expected="torch.int8", actual="torch.float32")),
        ("weight-dtype", with_(weight_dtype=torch.uint8),
         m("wrong_dtype", param="weight", expected="torch.int8", actual="torch.uint8")),
        ("scale-dtype", with_(scale_dtype=torch.int32),
         m("wrong_dtype", param="scale", expected="torch.int64 or torch.float32", actual="torch.int32")),
        ("bias-dtype", with_(bias=(64,), bias_dtype=torch.int64),
         m("wrong_dtype", param="bias", expected="torch.int32", actual="torch.int64")),
        ("input-rank", with_(input=(64, 56, 56)), m("wrong_rank", param="input", expected=4, actual=3)),
        ("weight-rank", with_(weight=(64, 64, 3, 3, 1)), m("wrong_rank", param="weight", expected=4, actual=5)),
        ("scale-rank", with_(scale=(64, 1)), m("wrong_rank", param="scale", expected=1, actual=2)),
        ("bias-rank", with_(bias=(64, 1)), m("wrong_rank", param="bias", expected=1, actual=2)),
        ("cin-mismatch", with_(weight=(64, 32, 3, 3)),
         m("mismatch", param="weight.shape[1]", actual=32, other="input.shape[1]", expected=64)),
        ("scale-length", with_(scale=(63,)),
         m("mismatch", param="scale.shape[0]", actual=63, other="weight.shape[0]", expected=64)),
        ("bias-length", with_(bias=(65,)),
         m("mismatch", param="bias.shape[0]", actual=65, other="weight.shape[0]", expected=64)),
        ("offset", with_(offset=(64,)), m("not_supported", param="offset", value="a tensor", allowed="None (reserved)")),
        ("round-mode", with_(round_mode="floor"),
         m("not_supported", param="round_mode", value="'floor'", allowed="'rint'")),
        ("output-dtype", with_(output_dtype=torch.float32),
         m("not_supported", param="output_dtype", value="torch.float32", allowed="torch.float16 (None means torch.float16)")),
        ("output-dtype-fp16", with_(output_dtype=torch.float16), None),
        ("strides-length", with_(strides=[1, 1, 1]), m("wrong_length", param="strides", expected=2, actual=3)),
        ("pads-length", with_(pads=[1]), m("wrong_length", param="pads", expected=2, actual=1)),
        ("dilations-length", with_(dilations=[1, 1, 1, 1]),
         m("wrong_length", param="dilations", expected=2, actual=4)),
        ("output-size-zero", with_(input=(1, 64, 4, 4), weight=(64, 64, 5, 5), pads=[0, 0]),
         m("output_size", ho=0, wo=0, h=4, w=4, kh=5, kw=5, sh=1, sw=1, ph=0, pw=0, dh=1, dw=1)),
        ("output-size-one", with_(input=(1, 64, 5, 4), weight=(64, 64, 5, 4), pads=[0, 0]), None),
        ("output-size-floor", with_(input=(1, 64, 1, 8), weight=(64, 64, 3, 1), pads=[0, 0], strides=[2, 2]),
         m("output_size", ho=0, wo=4, h=1, w=8, kh=3, kw=1, sh=2, sw=2, ph=0, pw=0, dh=1, dw=1)),
        ("output-size-dilated", with_(input=(1, 64, 8, 8), weight=(64, 64, 3, 3), pads=[0, 0], dilations=[5, 1]),
         m("output_size", ho=-2, wo=6, h=8, w=8, kh=3, kw=3, sh=1, sw=1, ph=0, pw=0, dh=5, dw=1)),
    ]


ALL_CASES = range_cases() + rule_cases()


@pytest.mark.parametrize("case_id, case, expected", ALL_CASES, ids=[c[0] for c in ALL_CASES])
def test_cpp_and_python_agree_word_for_word(case_id, case, expected):
    assert cpp_message(case) == expected
    assert python_message(case) == expected


def test_every_range_has_boundary_cases():
    """Each range of limits.yaml is exercised at both ends and one past each."""
    ids = " ".join(c[0] for c in range_cases())
    # test_cpp_limits_of_the_tiling_data and test_kernel_cout_limit cover these
    op_host_only = {"batch", "channels", "tensor_elements", "kernel_cout"}
    for name, (lo, hi) in limits.RANGES.items():
        if name in op_host_only:
            continue
        param = {"stride": "strides[0]", "padding": "pads[0]", "dilation": "dilations[0]",
                 "kernel_size": "kernel_size[0]", "input_h": "input.shape[2]", "input_w": "input.shape[3]"}.get(name, name)
        for v in (lo - 1, lo, hi, hi + 1):
            assert f"{param}={v}" in ids, (name, v)


def test_kernel_cout_limit():
    """The kernel's 16-bit DMA strides over FRACTAL_Z rows: Cout <= 65536 in op_host (the NPU op and the
    twin); the CPU op computes any Cout."""
    lo, hi = limits.RANGES["kernel_cout"]
    assert (lo, hi) == (1, 65536)
    assert cpp_message(with_(input=(1, 1, 2, 3), weight=(hi, 1, 1, 2), scale=(hi,), pads=[0, 0])) is None
    assert cpp_message(with_(input=(1, 1, 2, 3), weight=(hi + 1, 1, 1, 2), scale=(hi + 1,), pads=[0, 0])) == \
        limits.message("out_of_range", param="weight.shape[0]", value=hi + 1, min=lo, max=hi)


def test_soc_quirk_output_width_one():
    case = with_(input=(1, 64, 8, 1), weight=(64, 64, 1, 1), pads=[0, 0])
    assert cpp_message(case, soc="ascend910b") is None
    assert cpp_message(case, soc="ascend910_93") is None
    assert cpp_message(case, soc="ascend310p") == limits.message(
        "not_supported", param="output width Wo", value=1, allowed="Wo >= 2 on ascend310p")
    assert cpp_message(with_(input=(1, 64, 8, 2), weight=(64, 64, 1, 1), pads=[0, 0]), soc="ascend310p") is None


@pytest.mark.parametrize("case, expected", [
    (with_(input=(1, 6, 100000, 4096), weight=(4, 6, 1, 1), scale=(4,), pads=[0, 0]),
     limits.message("out_of_range", param="input.numel()", value=2457600000, min=0, max=2147483647)),
    (with_(input=(1, 5, 100000, 4096), weight=(6, 5, 1, 1), scale=(6,), pads=[0, 0]),
     limits.message("out_of_range", param="output.numel()", value=2457600000, min=0, max=2147483647)),
    (with_(input=(1, 5, 100000, 4096), weight=(5, 5, 1, 1), scale=(5,), pads=[0, 0]), None),
    (with_(input=(1, 0, 8, 8), weight=(4, 0, 1, 1), scale=(4,), pads=[0, 0]),
     limits.message("out_of_range", param="input.shape[1]", value=0, min=1, max=2147483647)),
], ids=["input-numel", "output-numel", "numel-at-limit", "zero-channels"])
def test_cpp_limits_of_the_tiling_data(case, expected):
    """C++-only rules: every dim and element count fits int32 (the tiling data is uint32)."""
    assert cpp_message(case) == expected


def test_unknown_soc_is_a_clear_error():
    with pytest.raises(ValueError, match="soc = ascend910 is not supported; allowed: ascend910b"):
        host.check_params((1, 64, 8, 8), (64, 64, 1, 1), soc="ascend910")


def _host_tests_binary() -> pathlib.Path:
    return BUILD_DIR / "op_host" / "qconv_host_tests"


def test_cpp_unit_tests():
    binary = _host_tests_binary()
    if not binary.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{binary} is missing: the build did not produce the op_host C++ tests")
        pytest.skip(f"{binary} not built (cmake --build <build> --target qconv_host_tests)")
    result = subprocess.run([str(binary)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
