"""The 53 convolutions of ResNet-50 (torchvision v1.5: stride on the 3x3 of a bottleneck), batch 1, 224 x 224:
the kit's standard workload for the twin's tests, its benchmark and `qconv-kit run`."""
from __future__ import annotations

from typing import NamedTuple

import torch

from qconv.scale import trans_quant_param


class ConvLayer(NamedTuple):
    name: str
    cin: int
    cout: int
    hw: int       # input height = width
    kernel: int
    stride: int
    padding: int

    @property
    def out_hw(self) -> int:
        return (self.hw + 2 * self.padding - self.kernel) // self.stride + 1

    @property
    def macs(self) -> int:
        """Multiply-accumulates of one image."""
        return self.cout * self.out_hw ** 2 * self.cin * self.kernel ** 2


def _layers() -> list[ConvLayer]:
    layers = [ConvLayer("conv1", 3, 64, 224, 7, 2, 3)]
    cin, hw = 64, 56
    for stage, (mid, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], start=1):
        out = mid * 4
        for b in range(blocks):
            s = stride if b == 0 else 1
            prefix = f"layer{stage}.{b}"
            layers.append(ConvLayer(f"{prefix}.conv1", cin, mid, hw, 1, 1, 0))
            layers.append(ConvLayer(f"{prefix}.conv2", mid, mid, hw, 3, s, 1))
            layers.append(ConvLayer(f"{prefix}.conv3", mid, out, hw // s, 1, 1, 0))
            if b == 0:
                layers.append(ConvLayer(f"{prefix}.downsample", cin, out, hw, 1, s, 0))
            cin, hw = out, hw // s
    return layers


LAYERS: list[ConvLayer] = _layers()
assert len(LAYERS) == 53


def make_inputs(layer: ConvLayer, seed: int = 0, float_scale: bool = False, offset_x: int = 0):
    """Deterministic int8 input and weight, a per-channel scale (int64 QUANT_PRE words, or float32) and an
    int32 bias for `layer`: {'x', 'weight', 'scale', 'bias', 'stride', 'padding', 'offset_x'}."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(-128, 128, (1, layer.cin, layer.hw, layer.hw), generator=g, dtype=torch.int8)
    w = torch.randint(-128, 128, (layer.cout, layer.cin, layer.kernel, layer.kernel), generator=g, dtype=torch.int8)
    # Scale so that typical outputs land in float16's normal range, a few in the clamp.
    fan_in = layer.cin * layer.kernel ** 2
    scale = (torch.rand(layer.cout, generator=g) + 0.05) * (4.0 / (fan_in ** 0.5 * 128.0))
    bias = torch.randint(-2 ** 16, 2 ** 16, (layer.cout,), generator=g, dtype=torch.int32)
    return {"x": x, "weight": w, "scale": scale if float_scale else trans_quant_param(scale), "bias": bias,
            "stride": layer.stride, "padding": layer.padding, "offset_x": offset_x}
