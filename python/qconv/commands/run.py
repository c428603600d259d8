"""`qconv-kit run`: execute built-in QuantConv2d cases on a backend and compare every output bit with
the golden (qconv.reference). Prints one row per case; exits non-zero on any mismatch or failure."""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
import torch

from qconv._generated.socs import DEFAULT as DEFAULT_SOC
from qconv.cases import RUN_CASES, RUN_EXTRA_CASES, Case, by_name, make_inputs

CASES = RUN_CASES + RUN_EXTRA_CASES


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
    expected = reference.quant_conv2d(x, w, scale, bias, case.stride, case.padding, case.dilation, case.offset_x,
                                      soc=soc)
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


_MAX_REPEAT = 1000    # a bound, so that a typo cannot run a case for ever


def _repeat(text: str) -> int:
    """--repeat: a whole number in [1, _MAX_REPEAT], else a usage error naming it."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if not 1 <= value <= _MAX_REPEAT:
        raise argparse.ArgumentTypeError(f"R = {value} is out of the allowed range [1, {_MAX_REPEAT}]")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", default="auto", help="auto (best available: npu > sim > cpu), cpu, sim or npu")
    parser.add_argument("--soc", default=DEFAULT_SOC, help=f"SoC the sim/npu backends target (default {DEFAULT_SOC})")
    parser.add_argument("--cases", nargs="+", metavar="NAME", help="run these cases (default: the default set)")
    parser.add_argument("--all", action="store_true", help="run every built-in case")
    parser.add_argument("--repeat", type=_repeat, default=1, metavar="R",
                        help="run each case R times; with R > 1 the first run is a warm-up and the time is the "
                             "fastest of the others (default 1: time includes one-off set-up)")
    parser.add_argument("--list", action="store_true", help="list the built-in cases and backends, then exit")


def main(args: argparse.Namespace) -> int:
    from qconv import backends, target
    if args.list:
        for c in CASES:
            print(f"{c.name:<20} {c.shape():<48} {c.macs / 1e6:8.1f} MMAC{'' if c in RUN_CASES else '  (extra)'}")
        print("backends:", ", ".join(f"{b.name}{'' if b.available() else ' (not available)'}"
                                     for b in backends.registered()))
        return 0
    try:
        cases = by_name(CASES, args.cases, "--cases") if args.cases else CASES if args.all else RUN_CASES
    except ValueError as e:
        print(f"error: {e}")
        return 2
    try:
        backend = backends.get(args.backend)
        semantics = target.describe(args.soc)
    except ValueError as e:
        print(f"error: {e}")
        return 2
    print(f"qconv-kit run: {len(cases)} cases on backend {backend.name!r}, each compared bit for bit with the golden")
    print(f"semantics: {semantics}")
    results = []
    for case in cases:
        results.append(run_case(case, backend, args.soc, args.repeat))
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
