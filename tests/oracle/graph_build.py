"""Graph build, oracle side: torch.compile a model of several QuantConv2d layers with torchair's GE
backend (dynamic=False), stop where GE would load the graph, dump it, and write a JSON summary of
every GE node of our op type. tests/oracle/test_oracle.py judges the summary.

    QCONV_ORACLE_DIR=<oracle> python tests/oracle/graph_build.py <out dir>

Without an NPU two things must be stood in for (read in Ascend/torchair: python/torchair/ge/ge_custom.py
queries GE's op registry; python/torchair/_ge_concrete_graph/fx2ge_converter.py starts and loads GE):
- GE's op registry: torchair.ge.custom_op asks it for the op's IR. On an NPU the installed op package
  answers; here the stand-in libraries return nothing, so the query answers with our declaration.
- the GE session: initialize_graph_engine needs a device, and running the graph would load it into
  GE (which crashes on the stand-ins). GeConcreteGraph.__call__ is replaced by: dump, capture, and
  return zeros of the traced output shapes.
"""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_env  # noqa: E402

oracle_env.activate()

import torch  # noqa: E402
import torch_npu  # noqa: E402,F401
import torchair  # noqa: E402
import torchair.ge.ge_custom as ge_custom  # noqa: E402
from torchair._ge_concrete_graph import fx2ge_converter  # noqa: E402

import qconv  # noqa: E402
from qconv import torchair_converter  # noqa: E402
from qconv._generated import op_decl  # noqa: E402

# Layer specs: both scale dtypes, with and without bias, non-square stride/padding/dilation.
LAYERS = [
    {"cin": 8, "cout": 16, "kernel": (3, 3), "stride": (1, 1), "padding": (1, 1), "dilation": (1, 1),
     "offset_x": 0, "bias": True, "scale_dtype": "int64"},
    {"cin": 16, "cout": 12, "kernel": (3, 1), "stride": (2, 1), "padding": (0, 2), "dilation": (1, 2),
     "offset_x": -3, "bias": False, "scale_dtype": "float32"},
    {"cin": 12, "cout": 8, "kernel": (1, 3), "stride": (1, 2), "padding": (2, 1), "dilation": (2, 1),
     "offset_x": 7, "bias": True, "scale_dtype": "float32"},
    {"cin": 8, "cout": 4, "kernel": (2, 2), "stride": (1, 1), "padding": (0, 0), "dilation": (1, 1),
     "offset_x": 127, "bias": False, "scale_dtype": "int64"},
]
INPUT_SHAPE = (2, 8, 20, 18)


class Net(torch.nn.Module):
    """QuantConv2d layers chained by re-quantizing each float16 output to int8."""

    def __init__(self):
        super().__init__()
        gen = torch.Generator().manual_seed(0)
        self.layers = torch.nn.ModuleList()
        for spec in LAYERS:
            layer = qconv.QuantConv2d(spec["cin"], spec["cout"], spec["kernel"], torch.float16, spec["stride"],
                                      spec["padding"], spec["dilation"], bias=spec["bias"], offset_x=spec["offset_x"])
            layer.weight.data = torch.randint(-128, 128, layer.weight.shape, dtype=torch.int8, generator=gen)
            scale = torch.rand(spec["cout"], generator=gen) * 1e-3
            layer.scale.data = scale if spec["scale_dtype"] == "float32" else qconv.trans_quant_param(scale)
            if spec["bias"]:
                layer.bias.data = torch.randint(-1000, 1000, (spec["cout"],), dtype=torch.int32, generator=gen)
            self.layers.append(layer)

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            y = layer(x)
            x = y if i == len(self.layers) - 1 else torch.clamp(torch.round(y), -128, 127).to(torch.int8)
        return y


def registry_answer(op_type):
    """What GE's registry reports for our op once the op package is installed (the stand-ins know nothing)."""
    if op_type != op_decl.GE_OP_TYPE:
        return ("None", [], [], [])
    return ("SUCCESS", [(d["name"], d["param_type"]) for d in op_decl.GE_INPUTS],
            [(d["name"], d["param_type"]) for d in op_decl.GE_OUTPUTS], [(a["name"], a["type"]) for a in op_decl.GE_ATTRS])


class _Registry:
    def __init__(self, real):
        self._real = real

    def get_registered_ir_def(self, op_type):
        return registry_answer(op_type)

    def __getattr__(self, name):
        return getattr(self._real, name)


def _attr_value(attr):
    kind = attr.WhichOneof("value")
    if kind == "list":
        if attr.list.s:
            return [s.decode() for s in attr.list.s]
        return list(attr.list.i)
    value = getattr(attr, kind)
    return value.decode() if isinstance(value, bytes) else value


def _desc(desc):
    """Name, dtype, and the traced (FakeTensor) description torchair keeps for every tensor: GE fills
    the shapes of intermediate tensors only when it optimises the graph."""
    meta = desc.attr["_meta"].s.decode() if "_meta" in desc.attr else ""
    dtype = desc.DESCRIPTOR.fields_by_name["dtype"].enum_type.values_by_number[desc.dtype].name
    return {"name": desc.name, "dtype": dtype, "shape": list(desc.shape.dim), "meta": meta}


def summarise(graph):
    nodes = []
    for op in graph.op:
        if op.type != op_decl.GE_OP_TYPE:
            continue
        nodes.append({
            "name": op.name,
            "type": op.type,
            "inputs": list(op.input),
            "input_descs": [_desc(d) for d in op.input_desc],
            "output_descs": [_desc(d) for d in op.output_desc],
            "attrs": {k: _attr_value(v) for k, v in op.attr.items() if not k.startswith("_")},
        })
    producers = {op.name: op.type for op in graph.op}
    return nodes, producers


def main(argv):
    out_dir = argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torchair_converter.autoregister()          # what `import qconv` does once torch_npu is loaded
    ge_custom._torchair = _Registry(ge_custom._torchair)
    fx2ge_converter.initialize_graph_engine = lambda *args, **kwargs: None
    captured = []

    def dump_instead_of_run(self, *args, **kwargs):
        self.dump(os.path.join(out_dir, "ge_graph.txt"))
        captured.append(self.graph)
        return [torch.zeros(t.shape, dtype=t.dtype) for t in expected_outputs]

    fx2ge_converter.GeConcreteGraph.__call__ = dump_instead_of_run

    model = Net()
    x = torch.randint(-128, 128, INPUT_SHAPE, dtype=torch.int8, generator=torch.Generator().manual_seed(1))
    expected_outputs = [model(x)]              # eager CPU run: the traced output shapes and dtypes
    config = torchair.CompilerConfig()
    config.debug.graph_dump.type = "pbtxt"     # torchair's own dump of the graph it built
    compiled = torch.compile(model, backend=torchair.get_npu_backend(compiler_config=config), dynamic=False)
    compiled(x)
    if len(captured) != 1:
        raise SystemExit(f"expected one GE graph, got {len(captured)}")
    nodes, producers = summarise(captured[0])
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump({"layers": LAYERS, "input_shape": INPUT_SHAPE, "nodes": nodes, "producers": producers,
                   "eager_output_shape": list(expected_outputs[0].shape),
                   "converter_registered": torchair_converter.is_registered()}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
