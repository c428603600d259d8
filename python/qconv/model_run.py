"""Running a model converted by qconv.quantize_model, layer by layer, on a backend:

cpu  every QuantConv2d through the CPU op (torch.ops.qconv.quant_conv2d, bit-exact with the golden), with
     the offset_x semantics of `soc` (qconv.target);
sim  every QuantConv2d also through the Ascend C kernel in the CPU twin (qconv.sim.run) of one SoC, its
     output compared bit for bit with the CPU op's on the same int8 input, and the twin's output passed
     on, so the network's result is the twin's.

Each converted layer gets a LayerRecord: output shape, CPU-op time, twin time, mismatching outputs.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import torch

from qconv import target
from qconv.quantize import quantized_layers

BACKENDS = ("cpu", "sim")


@dataclass
class LayerRecord:
    name: str
    output_shape: tuple
    cpu_seconds: float
    sim_seconds: float | None = None
    mismatches: int | None = None      # outputs whose float16 bits differ between twin and CPU op


def sqnr_db(reference: torch.Tensor, test: torch.Tensor) -> float:
    """10 log10(sum ref^2 / sum (ref - test)^2), in float64; inf when equal."""
    ref, test = reference.double(), test.double()
    noise = (ref - test).pow(2).sum().item()
    return math.inf if noise == 0 else 10.0 * math.log10(ref.pow(2).sum().item() / noise)


def _twin(conv, q: torch.Tensor, soc: str) -> torch.Tensor:
    from qconv import sim
    # The deployed module hands the kernel its filter packed once (FRACTAL_Z): no weight layout per launch.
    y, _ = sim.run(q, conv.packed_weight(), conv.scale, conv.bias, stride=conv.stride, padding=conv.padding,
                   dilation=conv.dilation, offset_x=conv.offset_x, soc=soc)
    return y


def run_model(qmodel: torch.nn.Module, x: torch.Tensor, backend: str = "cpu", soc: str | None = None,
              progress: bool = False) -> tuple[torch.Tensor, list[LayerRecord]]:
    """qmodel(x) with every converted layer run on `backend`; returns (output, one LayerRecord per layer run)."""
    if backend not in BACKENDS:
        raise ValueError(f"backend = {backend!r} is not supported; allowed: {', '.join(map(repr, BACKENDS))}")
    soc = target.check_soc(target.get_soc() if soc is None else soc)
    layers = quantized_layers(qmodel)
    records: list[LayerRecord] = []
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(layers), unit="layer", desc=f"{backend}" + (f" {soc}" if backend == "sim" else ""),
                   leave=False)
    starts: dict[str, float] = {}

    def pre_hook(name):
        def hook(module, inputs):
            starts[name] = time.perf_counter()
        return hook

    def post_hook(name):
        def hook(module, inputs, output):
            record = LayerRecord(name, tuple(output.shape), time.perf_counter() - starts[name])
            if backend == "sim":
                start = time.perf_counter()
                y = _twin(module, inputs[0], soc)
                record.sim_seconds = time.perf_counter() - start
                record.mismatches = int((y.view(torch.int16) != output.view(torch.int16)).sum().item())
                output = y
            records.append(record)
            if bar is not None:
                bar.update(1)
            return output
        return hook

    handles = []
    for name, layer in layers.items():
        handles.append(layer.conv.register_forward_pre_hook(pre_hook(name)))
        handles.append(layer.conv.register_forward_hook(post_hook(name)))
    try:
        with torch.no_grad(), target.using(soc):
            out = qmodel(x)
    finally:
        for h in handles:
            h.remove()
        if bar is not None:
            bar.close()
    return out, records
