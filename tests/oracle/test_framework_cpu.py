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


def test_after_import_runs_every_waiting_callback_once(tmp_path, monkeypatch):
    from qconv._after_import import call_after_import
    (tmp_path / "qconv_probe_a.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    calls = []
    call_after_import(("qconv_probe_a",), lambda: calls.append("first"), "probe 1")
    call_after_import(("qconv_probe_b_absent", "qconv_probe_a"), lambda: calls.append("second"), "probe 2")
    call_after_import(("qconv_probe_never_there",), lambda: calls.append("never"), "probe 3")   # not importable
    assert calls == []
    import qconv_probe_a  # noqa: F401
    assert sorted(calls) == ["first", "second"]
    call_after_import(("qconv_probe_a",), lambda: calls.append("third"), "probe 4")              # already imported
    assert calls[-1] == "third" and len(calls) == 3
    sys.modules.pop("qconv_probe_a", None)


def test_failing_callback_warns_instead_of_breaking_the_import(tmp_path, monkeypatch):
    from qconv._after_import import call_after_import
    (tmp_path / "qconv_probe_c.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    def broken():
        raise RuntimeError("no device")
    call_after_import(("qconv_probe_c",), broken, "the probe integration")
    with pytest.warns(UserWarning, match="qconv: the probe integration is not registered: no device"):
        import qconv_probe_c  # noqa: F401
    sys.modules.pop("qconv_probe_c", None)


@pytest.fixture
def recording_adapter(monkeypatch):
    """A stand-in for libqconv_npu.so's ops (CPU impls) that records what the NPU kernel passes to aclnn."""
    calls = []
    lib = torch.library.Library("qconv_npu", "DEF")
    lib.define("aclnn_quant_conv2d_custom(Tensor x, Tensor filter, Tensor scale, Tensor? bias, int[] strides, "
               "int[] pads, int[] dilations, int groups, str data_format, int offset_x, str round_mode, int dtype, "
               "Tensor(a!) y) -> Tensor(a!)")
    lib.define("op_package_available() -> bool")

    def launch(*args):
        calls.append(args)
        return args[-1]
    lib.impl("aclnn_quant_conv2d_custom", launch, "CPU")
    lib.impl("op_package_available", lambda: True, "CompositeExplicitAutograd")
    monkeypatch.setitem(npu._state, "adapter", True)
    yield calls
    lib._destroy()


@pytest.mark.parametrize("scale_dtype", [torch.int64, torch.float32])
def test_eager_npu_kernel_sends_what_the_graph_node_gets(recording_adapter, scale_dtype):
    x = torch.zeros(2, 4, 9, 7, dtype=torch.int8)
    w = torch.zeros(6, 4, 3, 2, dtype=torch.int8)
    scale = torch.full((6,), 0.25) if scale_dtype == torch.float32 else qconv.trans_quant_param(torch.full((6,), 0.25))
    bias = torch.arange(6, dtype=torch.int32)
    y = npu.npu_kernel(x, w, scale, [2, 1], [1, 0], [1, 2], 1, -4, "rint", torch.float16, bias, None)
    [args] = recording_adapter
    assert args[0] is x and args[1] is w and args[3] is bias
    assert args[2] is scale               # unconverted, like the graph node's scale input (same kernel)
    assert list(args[4:12]) == [[1, 1, 2, 1], [1, 1, 0, 0], [1, 1, 1, 2], 1, "NCHW", -4, "rint", 1]
    assert args[12] is y and y.dtype == torch.float16 and tuple(y.shape) == (2, 6, 5, 5)

