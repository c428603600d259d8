"""Graph build of a whole converted network, oracle side: torchvision's ResNet-50 (random init) converted by
qconv.quantize_model, torch.compile'd with torchair's GE backend (dynamic=False), stopped where GE would
load the graph (as graph_build.py does, which says why and how), summarised to JSON for
tests/oracle/test_model_graph.py.

    QCONV_ORACLE_DIR=<oracle> python tests/oracle/model_graph_build.py <out dir>
"""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# graph_build activates the oracle environment on import (before torch) and lends its registry stand-in
# and node summary.
import graph_build  # noqa: E402

import torch  # noqa: E402
import torch_npu  # noqa: E402,F401
import torchair  # noqa: E402
import torchair.ge.ge_custom as ge_custom  # noqa: E402
from torchair._ge_concrete_graph import fx2ge_converter  # noqa: E402

import qconv  # noqa: E402
from qconv import models, torchair_converter  # noqa: E402
from qconv.quantize import quantized_layers  # noqa: E402

INPUT_SHAPE = (1, 3, 64, 64)     # small: the graph does not depend on the resolution


def layer_specs(qmodel, x):
    """The converted layers in execution order, with what their GE node must carry; and the eager output."""
    seen = []
    layers = quantized_layers(qmodel)
    handles = [layer.conv.register_forward_hook(
        lambda m, inputs, output, name=name: seen.append((name, list(inputs[0].shape), list(output.shape))))
        for name, layer in layers.items()]
    with torch.no_grad():
        out = qmodel(x)
    for h in handles:
        h.remove()
    specs = []
    for name, in_shape, out_shape in seen:
        conv = layers[name].conv
        specs.append({"name": name, "input_shape": in_shape, "output_shape": out_shape,
                      "kernel": list(conv.kernel_size), "stride": list(conv.stride), "padding": list(conv.padding),
                      "dilation": list(conv.dilation), "offset_x": conv.offset_x})
    return specs, out


def main(argv):
    out_dir = argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torchair_converter.autoregister()
    ge_custom._torchair = graph_build._Registry(ge_custom._torchair)
    fx2ge_converter.initialize_graph_engine = lambda *args, **kwargs: None
    # Converters that differ by chip (max_pool2d's, via torchair/_utils/check_platform.py is_arch35) ask
    # torch_npu for the device name, which needs a device: answer as an Atlas A2 (ascend910b) does.
    torch_npu.npu.get_device_name = lambda *args, **kwargs: "Ascend910B1"
    captured = []

    def dump_instead_of_run(self, *args, **kwargs):
        captured.append(self.graph)
        return [torch.zeros(t.shape, dtype=t.dtype) for t in expected_outputs]

    fx2ge_converter.GeConcreteGraph.__call__ = dump_instead_of_run

    model = models.resnet50(seed=0)
    calibration = models.random_images(2, size=INPUT_SHAPE[2], seed=1)
    qmodel, report = qconv.quantize_model(model, calibration)
    x = models.random_images(1, size=INPUT_SHAPE[2], seed=2)
    specs, eager = layer_specs(qmodel, x)
    expected_outputs = [eager]
    compiled = torch.compile(qmodel, backend=torchair.get_npu_backend(compiler_config=torchair.CompilerConfig()),
                             dynamic=False, fullgraph=True)
    with torch.no_grad():
        compiled(x)
    if len(captured) != 1:
        raise SystemExit(f"expected one GE graph, got {len(captured)}")
    graph = captured[0]
    nodes, producers = graph_build.summarise(graph)
    ops = [{"name": op.name, "type": op.type, "inputs": list(op.input)} for op in graph.op]
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump({"input_shape": INPUT_SHAPE, "converted": report.converted, "left_float": report.left_float,
                   "layers": specs, "nodes": nodes, "ops": ops, "producers": producers,
                   "eager_output_shape": list(eager.shape)}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
