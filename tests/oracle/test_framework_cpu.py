"""The framework glue without torch_npu: attribute layout, argument binding, and the NPU kernel's
errors when its pieces are missing. Runs in the plain venv (no oracle environment needed)."""
from __future__ import annotations

import subprocess
import sys

import pytest
import torch

import qconv
from qconv import ge_attrs, npu


def test_attribute_layout_and_order():
    bound = ge_attrs.bind_arguments(
        (torch.zeros(1), torch.zeros(1), torch.zeros(1), [2, 3], [4, 5], [6, 7], 1, -9, "rint", torch.float16), {})
    assert list(ge_attrs.ge_attr_values(bound).items()) == [
        ("strides", [1, 1, 2, 3]), ("pads", [4, 4, 5, 5]), ("dilations", [1, 1, 6, 7]), ("groups", 1),
        ("data_format", "NCHW"), ("offset_x", -9), ("round_mode", "rint"), ("dtype", 1)]
    assert list(ge_attrs.ge_input_values(bound)) == ["x", "filter", "scale", "bias"]
    assert ge_attrs.ge_input_values(bound)["bias"] is None


def test_binding_fills_schema_defaults():
    bound = ge_attrs.bind_arguments((torch.zeros(1), torch.zeros(1), torch.zeros(1)), {"pads": [1, 2]})
    values = ge_attrs.ge_attr_values(bound)
    assert values["strides"] == [1, 1, 1, 1] and values["pads"] == [1, 1, 2, 2] and values["dtype"] == 1
    with pytest.raises(TypeError, match="unexpected or repeated argument padding"):
        ge_attrs.bind_arguments((torch.zeros(1),) * 3, {"padding": 1})


def test_output_dtype_other_than_float16_is_refused():
    bound = ge_attrs.bind_arguments((torch.zeros(1),) * 3, {"output_dtype": torch.float32})
    with pytest.raises(NotImplementedError, match="float16 only"):
        ge_attrs.ge_attr_values(bound)


def test_npu_kernel_checks_arguments_first_then_names_the_missing_adapter(monkeypatch, tmp_path):
    monkeypatch.setenv("QCONV_NATIVE_DIR", str(tmp_path))          # no adapter library there
    monkeypatch.setattr(npu, "_HERE", tmp_path)
    monkeypatch.setitem(npu._state, "adapter", None)
    x = torch.zeros(1, 4, 6, 6, dtype=torch.int8)
    w = torch.zeros(8, 4, 3, 3, dtype=torch.int8)
    with pytest.raises(ValueError, match=r"offset_x = 200 is out of the allowed range \[-128, 127\]"):
        npu.npu_kernel(x, w, torch.ones(8), [1, 1], [1, 1], [1, 1], 1, 200)
    with pytest.raises(npu.NpuPathUnavailable, match="libqconv_npu.so is not built") as info:
        npu.npu_kernel(x, w, torch.ones(8), [1, 1], [1, 1], [1, 1], 1, 0)
    assert "./build.sh pkg" in str(info.value) and "set_env.bash" in str(info.value)


def test_status_without_torch_npu():
    s = npu.status()
    assert s["torch_npu_imported"] is False and s["npu_device"] is False and s["op_package_installed"] is False
    assert not npu.backend_available()


def test_importing_qconv_imports_neither_torch_npu_nor_torchair():
    code = "import sys, qconv; print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch_npu', 'torchair')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert hasattr(qconv, "QuantConv2d")
