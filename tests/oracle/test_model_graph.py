"""The torchair GE graph of a whole converted network: torchvision's ResNet-50 through qconv.quantize_model,
compiled by the real torchair of the oracle environment (tests/oracle/model_graph_build.py), checked node
by node: one QuantConv2dCustom per converted convolution with that layer's attributes and shapes, the
quantize step before each (AscendQuantV2's arithmetic as torchair lowers the aten ops: Mul, Add, Round,
ClipByValueV2, Cast to int8), a Cast of each float16 result, and the float layers between them."""
from __future__ import annotations

import collections
import json

import pytest

from oracle_run import run_oracle_script

GE_DT_FLOAT16 = 1
QUANTIZE_CHAIN = ["Cast", "ClipByValueV2", "Round", "Add"]     # walking back from the node's x input


@pytest.fixture(scope="module")
def model_graph(oracle_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("model_graph")
    run_oracle_script(oracle_dir, "model_graph_build.py", out, cwd=out)
    return json.loads((out / "summary.json").read_text())


def _meta(shape, dtype):
    return f"Tensor(dtype=torch.{dtype}, shape=torch.Size({list(shape)})"


def _walk_back(ops, tensor, steps):
    types, name = [], tensor.split(":")[0]
    for _ in range(steps):
        op = ops[name]
        types.append(op["type"])
        name = op["inputs"][0].split(":")[0]
    return types


def test_one_node_per_converted_convolution(model_graph):
    assert len(model_graph["converted"]) == 53 and model_graph["left_float"] == {}
    assert len(model_graph["nodes"]) == len(model_graph["layers"]) == 53
    types = collections.Counter(op["type"] for op in model_graph["ops"])
    assert types["QuantConv2dCustom"] == 53 and types["QuantConv2D"] == 0      # never CANN's built-in op


def test_nodes_carry_their_layers(model_graph):
    for node, spec in zip(model_graph["nodes"], model_graph["layers"]):
        (sh, sw), (ph, pw), (dh, dw) = spec["stride"], spec["padding"], spec["dilation"]
        assert node["attrs"] == {
            "strides": [1, 1, sh, sw], "pads": [ph, ph, pw, pw], "dilations": [1, 1, dh, dw], "groups": 1,
            "data_format": "NCHW", "offset_x": spec["offset_x"], "round_mode": "rint", "dtype": GE_DT_FLOAT16,
        }, spec["name"]
        x, w, scale, bias = node["input_descs"]
        cout, cin = spec["output_shape"][1], spec["input_shape"][1]
        assert x["dtype"] == "DT_INT8" and x["meta"] == _meta(spec["input_shape"], "int8"), spec["name"]
        assert w["dtype"] == "DT_INT8" and w["meta"] == _meta([cout, cin, *spec["kernel"]], "int8")
        assert scale["dtype"] == "DT_INT64" and bias["dtype"] == "DT_INT32"
        [y] = node["output_descs"]
        assert y["dtype"] == "DT_FLOAT16" and y["meta"] == _meta(spec["output_shape"], "float16"), spec["name"]
        # weight, scale words and bias are the module's parameters: graph inputs, not computed
        assert [model_graph["producers"][i.split(":")[0]] for i in node["inputs"][1:]] == ["Data"] * 3


def test_quantize_step_before_and_cast_after_every_node(model_graph):
    ops = {op["name"]: op for op in model_graph["ops"]}
    consumers = collections.defaultdict(list)
    for op in model_graph["ops"]:
        for tensor in op["inputs"]:
            consumers[tensor.split(":")[0]].append(op["type"])
    for node in model_graph["nodes"]:
        chain = _walk_back(ops, node["inputs"][0], 6)
        assert chain[:4] == QUANTIZE_CHAIN and "Mul" in chain[4:], (node["name"], chain)
        assert consumers[node["name"]] == ["Cast"], node["name"]        # float16 -> float32 for the float layers
    types = collections.Counter(op["type"] for op in model_graph["ops"])
    # the float layers ResNet-50 keeps: 49 ReLUs, the stem's max pool, 16 residual adds (+ 53 quantize adds),
    # the global average pool and the classifier
    assert types["Round"] == types["ClipByValueV2"] == 53
    assert types["Relu"] == 49 and types["MaxPoolWithArgmaxV1"] == 1 and types["ReduceMean"] == 1
    assert types["Add"] >= 53 + 16 and types["MatMulV2"] == 1
    assert model_graph["eager_output_shape"] == [1, 1000]
