"""`qconv-kit run`: execute built-in QuantConv2d cases on a backend and compare every output bit with
the golden (qconv.reference). Prints one row per case; exits non-zero on any mismatch or failure."""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
import torch

DEFAULT_SOC = "ascend910b"


@dataclass(frozen=True)
class Case:
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
    default: bool = True              # in the default set (kept small: the twin runs ~1 GMAC/s)

    @property
    def macs(self) -> int:
        ho = (self.hw[0] + 2 * self.padding[0] - self.dilation[0] * (self.kernel[0] - 1) - 1) // self.stride[0] + 1
        wo = (self.hw[1] + 2 * self.padding[1] - self.dilation[1] * (self.kernel[1] - 1) - 1) // self.stride[1] + 1
        return self.n * self.cout * ho * wo * self.cin * self.kernel[0] * self.kernel[1]

    def shape(self) -> str:
        s = f"{self.n}x{self.cin}x{self.hw[0]}x{self.hw[1]} -> {self.cout} {self.kernel[0]}x{self.kernel[1]}"
        if self.stride != (1, 1):
            s += f" s{self.stride[0]}" if self.stride[0] == self.stride[1] else f" s{self.stride}"
        if self.padding != (0, 0):
            s += f" p{self.padding[0]}" if self.padding[0] == self.padding[1] else f" p{self.padding}"
        if self.dilation != (1, 1):
            s += f" d{self.dilation[0]}"
        if self.offset_x:
            s += f" ox{self.offset_x}"
        return (s + f" {self.scale_dtype}" + ("" if self.bias else " nobias")
                + ("" if self.data == "uniform" else f" {self.data}"))


CASES = [
    # ResNet-50 layer shapes (batch 1)
    Case("r50_l1_3x3", 1, 64, 64, (56, 56), (3, 3), padding=(1, 1)),
    Case("r50_l1_1x1", 1, 256, 64, (56, 56), (1, 1), scale_dtype="float32"),
    Case("r50_stem_7x7", 1, 3, 64, (224, 224), (7, 7), (2, 2), (3, 3), offset_x=-128),
    Case("r50_l4_3x3", 1, 512, 512, (7, 7), (3, 3), padding=(1, 1), offset_x=3, scale_dtype="float32"),
    # the semantics that matter: offset_x fills the padding, both scale dtypes, no bias, K > 1024
    Case("offset_pad_int64", 1, 32, 16, (14, 14), (3, 3), padding=(2, 1), offset_x=-7),
    Case("offset_pad_float32", 2, 32, 16, (14, 13), (3, 3), padding=(1, 2), offset_x=11, scale_dtype="float32"),
    Case("no_bias_stride2", 1, 64, 32, (28, 28), (3, 3), (2, 2), (1, 1), offset_x=5, bias=False),
    Case("dilated_5x3", 1, 16, 24, (20, 18), (5, 3), (1, 2), (2, 1), (2, 1), offset_x=-1),
    Case("k1152", 1, 128, 64, (14, 14), (3, 3), padding=(1, 1), offset_x=-20),
    Case("saturated_k2304", 1, 256, 32, (8, 8), (3, 3), padding=(1, 1), offset_x=-128, data="saturated"),
    # larger ones, run with --cases NAME or --all
    Case("r50_l2_3x3", 1, 128, 128, (28, 28), (3, 3), padding=(1, 1), default=False),
    Case("r50_l2_3x3_b8", 8, 128, 128, (28, 28), (3, 3), padding=(1, 1), default=False),
    Case("r50_l3_1x1_k1024", 1, 1024, 256, (14, 14), (1, 1), offset_x=9, default=False),
]
CASES_BY_NAME = {c.name: c for c in CASES}


def make_inputs(case: Case, seed: int = 0):
    """Seeded int8 data; scales chosen so outputs span the float16 range, a few channels saturate."""
    from qconv.scale import trans_quant_param
    g = torch.Generator().manual_seed(seed)
    lo, hi = (-128, 128) if case.data == "uniform" else (-128, -126)
    x = torch.randint(lo, hi, (case.n, case.cin, *case.hw), generator=g, dtype=torch.int8)
    w = torch.randint(lo, hi, (case.cout, case.cin, *case.kernel), generator=g, dtype=torch.int8)
    taps = case.cin * case.kernel[0] * case.kernel[1]
    typical_acc = 128 * 128 / 3 * taps ** 0.5 if case.data == "uniform" else 127.5**2 * taps
    scale = torch.rand(case.cout, generator=g) * (2000.0 / typical_acc)
    scale[::7] *= 64                                        # push some channels past +-65504
    scale[1::5] = -scale[1::5]
    if case.scale_dtype == "int64":
        scale = trans_quant_param(scale)
    bias = torch.randint(-2**20, 2**20, (case.cout,), generator=g, dtype=torch.int32) if case.bias else None
    return x, w, scale, bias


@dataclass
class Result:
    case: Case
    backend: str
    max_abs_diff: float
    mismatches: int
    numel: int
    ms: float
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and self.mismatches == 0


def compare(out: torch.Tensor, expected: torch.Tensor) -> tuple[float, int]:
    """(max |out - golden| over finite pairs, number of outputs whose float16 bits differ)."""
    if out.shape != expected.shape or out.dtype != torch.float16:
        raise ValueError(f"backend returned {out.dtype} {tuple(out.shape)}, expected float16 {tuple(expected.shape)}")
    a, b = out.contiguous(), expected.contiguous()
    mismatches = int((a.view(torch.int16) != b.view(torch.int16)).sum())
    diff = (a.double() - b.double()).abs()
    diff = diff[torch.isfinite(diff)]
    return (float(diff.max()) if diff.numel() else 0.0), mismatches


def run_case(case: Case, backend, soc: str, repeat: int = 1) -> Result:
    """Runs `repeat` times (the first of several is a warm-up: weight packing, JIT) and reports the
    fastest timed run; every run's output is compared."""
    from qconv import reference
    x, w, scale, bias = make_inputs(case)
    expected = reference.quant_conv2d(x, w, scale, bias, case.stride, case.padding, case.dilation, case.offset_x)
    try:
        times, max_abs, mismatches = [], 0.0, 0
        for _ in range(repeat):
            start = time.perf_counter()
            out = backend.run(x, w, scale, bias, case.stride, case.padding, case.dilation, case.offset_x, soc)
            times.append((time.perf_counter() - start) * 1e3)
            diff, bad = compare(out, expected)
            max_abs, mismatches = max(max_abs, diff), max(mismatches, bad)
        ms = min(times[1:] or times)
    except Exception as e:  # report the case as failed and keep going
        return Result(case, backend.name, float("nan"), -1, expected.numel(), float("nan"), f"{type(e).__name__}: {e}")
    return Result(case, backend.name, max_abs, mismatches, expected.numel(), ms)


def format_table(results: list[Result]) -> str:
    header = ("case", "shape", "backend", "max abs diff", "ulp mismatches", "time ms")
    rows = []
    for r in results:
        if r.error:
            rows.append((r.case.name, r.case.shape(), r.backend, "-", "FAILED", "-"))
        else:
            rows.append((r.case.name, r.case.shape(), r.backend, f"{r.max_abs_diff:g}",
                         f"{r.mismatches}/{r.numel}", f"{r.ms:.1f}"))
    widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]
    align = ["<", "<", "<", ">", ">", ">"]
    lines = ["  ".join(f"{v:{a}{w}}" for v, a, w in zip(row, align, widths)) for row in [header] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", default="auto", help="auto (best available: npu > sim > cpu), cpu, sim or npu")
    parser.add_argument("--soc", default=DEFAULT_SOC, help=f"SoC the sim/npu backends target (default {DEFAULT_SOC})")
    parser.add_argument("--cases", nargs="+", metavar="NAME", help="run these cases (default: the default set)")
    parser.add_argument("--all", action="store_true", help="run every built-in case")
    parser.add_argument("--repeat", type=int, default=1, metavar="R",
                        help="run each case R times; with R > 1 the first run is a warm-up and the time is the "
                             "fastest of the others (default 1: time includes one-off set-up)")
    parser.add_argument("--list", action="store_true", help="list the built-in cases and backends, then exit")


def main(args: argparse.Namespace) -> int:
    from qconv import backends
    if args.list:
        for c in CASES:
            print(f"{c.name:<20} {c.shape():<48} {c.macs / 1e6:8.1f} MMAC{'' if c.default else '  (extra)'}")
        print("backends:", ", ".join(f"{b.name}{'' if b.available() else ' (not available)'}"
                                     for b in backends.registered()))
        return 0
    unknown = [n for n in args.cases or [] if n not in CASES_BY_NAME]
    if unknown:
        print(f"error: cases = {', '.join(unknown)} are not built-in cases; allowed: {', '.join(CASES_BY_NAME)}")
        return 2
    try:
        backend = backends.get(args.backend)
    except ValueError as e:
        print(f"error: {e}")
        return 2
    cases = ([CASES_BY_NAME[n] for n in args.cases] if args.cases else
             CASES if args.all else [c for c in CASES if c.default])
    print(f"qconv-kit run: {len(cases)} cases on backend {backend.name!r} (soc {args.soc}), "
          "each compared bit for bit with the golden")
    results = []
    for case in cases:
        results.append(run_case(case, backend, args.soc, max(1, args.repeat)))
    print(format_table(results))
    for r in results:
        if r.error:
            print(f"{r.case.name}: {r.error}")
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"FAILED: {len(failed)} of {len(results)} cases differ from the golden or did not run")
        return 1
    print(f"OK: all {len(results)} cases bit-identical to the golden on {backend.name}")
    return 0
