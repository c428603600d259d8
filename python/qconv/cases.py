"""The kit's catalogue of QuantConv2d problems: one case type, one seeded input maker, and the named sets
every tool draws from.

    RESNET50         the 53 convolutions of ResNet-50 (torchvision v1.5: stride on the 3x3 of a
                     bottleneck), batch 1, 224 x 224: the twin's tests and benchmark
    RUN_CASES        `qconv-kit run`'s default set: ResNet-50 shapes and the semantics that matter
                     (offset_x fills the padding, both scale dtypes, no bias, K > 1024, saturated sums)
    RUN_EXTRA_CASES  larger ones, run with `qconv-kit run --all` or `--cases NAME`
    PROFILE_CASES    the shapes `qconv-kit profile` runs in the twin and bench/profile_cases.py on an NPU
    CPU_BENCH_CASES  the shapes bench/bench_cpu.py times

The named shapes of the last three sets are ResNet-50 layers taken from RESNET50 by layer name, so a
layer's geometry is written once.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable, Sequence

import torch

from qconv.shapes import output_size


@dataclass(frozen=True)
class Case:
    """One QuantConv2d call: int8 input (n, cin, *hw), int8 weight (cout, cin, *kernel), a per-channel
    scale of `scale_dtype`, an int32 bias unless bias=False, and the attributes."""
    name: str
    n: int
    cin: int
    cout: int
    hw: tuple[int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    offset_x: int = 0
    scale_dtype: str = "int64"        # "int64" (trans_quant_param words) or "float32"
    bias: bool = True
    data: str = "uniform"             # "uniform" int8, or "saturated": x, w in {-128, -127} (sums past 2^24)

    @property
    def out_hw(self) -> tuple[int, int]:
        return output_size(*self.hw, *self.kernel, self.stride, self.padding, self.dilation)

    @property
    def macs(self) -> int:
        """Multiply-accumulates of the whole call (every image of the batch)."""
        ho, wo = self.out_hw
        return self.n * self.cout * ho * wo * self.cin * self.kernel[0] * self.kernel[1]

    @property
    def attrs(self) -> dict:
        """The keyword attributes of qconv.sim.run and qconv.reference.quant_conv2d."""
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation, "offset_x": self.offset_x}

    def shape(self) -> str:
        """Short text of the problem, e.g. '1x64x56x56 -> 64 3x3 p1 int64'."""
        s = f"{self.n}x{self.cin}x{self.hw[0]}x{self.hw[1]} -> {self.cout} {self.kernel[0]}x{self.kernel[1]}"
        for prefix, value, neutral in (("s", self.stride, (1, 1)), ("p", self.padding, (0, 0)),
                                       ("d", self.dilation, (1, 1))):
            if value != neutral:
                s += f" {prefix}{value[0]}" if value[0] == value[1] else f" {prefix}({value[0]}, {value[1]})"
        if self.offset_x:
            s += f" ox{self.offset_x}"
        return (s + f" {self.scale_dtype}" + ("" if self.bias else " nobias")
                + ("" if self.data == "uniform" else f" {self.data}"))

    @property
    def label(self) -> str:
        """Name and compact shape in four words, e.g. 'r50_l1_3x3 1x64x56x56->64 k3x3 s1': how profile
        tables and msprof launch lists label the case."""
        return (f"{self.name} {self.n}x{self.cin}x{self.hw[0]}x{self.hw[1]}->{self.cout}"
                f" k{self.kernel[0]}x{self.kernel[1]} s{self.stride[0]}")


def make_inputs(case: Case, seed: int = 0) -> tuple:
    """Seeded (x, weight, scale, bias) of `case` on the CPU (bias None when case.bias is False). Scales
    are chosen so that outputs span the float16 range; every 7th channel saturates at +-65504 and every
    5th (from the second) has a negative scale."""
    from qconv.scale import trans_quant_param
    g = torch.Generator().manual_seed(seed)
    lo, hi = (-128, 128) if case.data == "uniform" else (-128, -126)
    x = torch.randint(lo, hi, (case.n, case.cin, *case.hw), generator=g, dtype=torch.int8)
    w = torch.randint(lo, hi, (case.cout, case.cin, *case.kernel), generator=g, dtype=torch.int8)
    taps = case.cin * case.kernel[0] * case.kernel[1]
    typical_acc = 128 * 128 / 3 * taps ** 0.5 if case.data == "uniform" else 127.5**2 * taps
    scale = torch.rand(case.cout, generator=g) * (2000.0 / typical_acc)
    scale[::7] *= 64
    scale[1::5] = -scale[1::5]
    if case.scale_dtype == "int64":
        scale = trans_quant_param(scale)
    bias = torch.randint(-2**20, 2**20, (case.cout,), generator=g, dtype=torch.int32) if case.bias else None
    return x, w, scale, bias


def by_name(cases: Sequence[Case], names: Iterable[str] | None, param: str = "cases") -> list[Case]:
    """The cases called `names`, in that order (None: all of `cases`); an unknown name is refused naming
    `param`, the value and the allowed names."""
    if names is None:
        return list(cases)
    names = list(names)
    known = {c.name: c for c in cases}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"{param} = {','.join(unknown)} is not supported; allowed: {', '.join(known)}")
    return [known[n] for n in names]


def _resnet50() -> tuple[Case, ...]:
    def conv(name, cin, cout, hw, k, s, p):
        return Case(name, 1, cin, cout, (hw, hw), (k, k), (s, s), (p, p))
    layers = [conv("conv1", 3, 64, 224, 7, 2, 3)]
    cin, hw = 64, 56
    for stage, (mid, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], start=1):
        out = mid * 4
        for b in range(blocks):
            s = stride if b == 0 else 1
            prefix = f"layer{stage}.{b}"
            layers.append(conv(f"{prefix}.conv1", cin, mid, hw, 1, 1, 0))
            layers.append(conv(f"{prefix}.conv2", mid, mid, hw, 3, s, 1))
            layers.append(conv(f"{prefix}.conv3", mid, out, hw // s, 1, 1, 0))
            if b == 0:
                layers.append(conv(f"{prefix}.downsample", cin, out, hw, 1, s, 0))
            cin, hw = out, hw // s
    return tuple(layers)


RESNET50: tuple[Case, ...] = _resnet50()
assert len(RESNET50) == 53


def _r50(layer: str, name: str, **changes) -> Case:
    """The ResNet-50 layer `layer` under the name `name`, with `changes` (batch, offset_x, ...)."""
    return dataclasses.replace(by_name(RESNET50, [layer])[0], name=name, **changes)


RUN_CASES: tuple[Case, ...] = (
    _r50("layer1.0.conv2", "r50_l1_3x3"),
    _r50("layer1.1.conv1", "r50_l1_1x1", scale_dtype="float32"),
    _r50("conv1", "r50_stem_7x7", offset_x=-128),
    _r50("layer4.1.conv2", "r50_l4_3x3", offset_x=3, scale_dtype="float32"),
    Case("offset_pad_int64", 1, 32, 16, (14, 14), (3, 3), padding=(2, 1), offset_x=-7),
    Case("offset_pad_float32", 2, 32, 16, (14, 13), (3, 3), padding=(1, 2), offset_x=11, scale_dtype="float32"),
    Case("no_bias_stride2", 1, 64, 32, (28, 28), (3, 3), (2, 2), (1, 1), offset_x=5, bias=False),
    Case("dilated_5x3", 1, 16, 24, (20, 18), (5, 3), (1, 2), (2, 1), (2, 1), offset_x=-1),
    Case("k1152", 1, 128, 64, (14, 14), (3, 3), padding=(1, 1), offset_x=-20),
    Case("saturated_k2304", 1, 256, 32, (8, 8), (3, 3), padding=(1, 1), offset_x=-128, data="saturated"),
)

RUN_EXTRA_CASES: tuple[Case, ...] = (
    _r50("layer2.1.conv2", "r50_l2_3x3"),
    _r50("layer2.1.conv2", "r50_l2_3x3_b8", n=8),
    _r50("layer3.1.conv1", "r50_l3_1x1_k1024", offset_x=9),
)

PROFILE_CASES: tuple[Case, ...] = (
    Case("small_3x3", 1, 16, 32, (16, 16), (3, 3), padding=(1, 1)),
    _r50("conv1", "r50_stem_7x7"),
    _r50("layer1.0.conv2", "r50_l1_3x3"),
    _r50("layer1.1.conv1", "r50_l1_1x1"),
    _r50("layer2.0.conv2", "r50_l2_3x3_s2"),
    _r50("layer3.1.conv2", "r50_l3_3x3"),
    _r50("layer4.1.conv1", "r50_l4_1x1"),
)

# offset_x = 3: the timed op fills its padding with a non-zero value, as a quantized model's layers do.
CPU_BENCH_CASES: tuple[Case, ...] = tuple(
    _r50(layer, name, n=n, offset_x=3, scale_dtype="float32") for layer, name, n in (
        ("layer1.0.conv2", "r50_l1_3x3", 1), ("layer1.1.conv1", "r50_l1_1x1", 1),
        ("layer2.1.conv2", "r50_l2_3x3", 1), ("layer4.1.conv2", "r50_l4_3x3", 1),
        ("conv1", "r50_stem_7x7", 1), ("layer2.1.conv2", "r50_l2_3x3_b8", 8)))
