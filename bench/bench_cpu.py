"""CPU speed of torch.ops.qconv.quant_conv2d against torch's float32 F.conv2d and fbgemm's int8 conv.

Prints, for each ResNet-50 shape, the median time of three paths and the ratios; asserts nothing about
time. Hygiene: every shape runs in a fresh process with glibc
malloc kept from returning memory to the OS (otherwise every call re-faults its temporaries), 2
threads, warm-up calls, then repetitions for at least --min-time seconds; medians reported.
By default the three paths of a shape alternate call by call in that process, so a load change on a
shared machine hits all of them alike and the ratios stay meaningful (all three use torch's one
OpenMP pool, so they do not fight over threads); --isolated gives every (shape, path) its own
process instead. Differences below ~20% are noise on this VM.

    .venv/bin/python bench/bench_cpu.py [--min-time 1.0] [--threads 2] [--shapes NAME...] [--rounds 1]
                                        [--isolated] [--stat median|min] [--kernel auto|quads|pairs|float]
                                        [--torch-passes]

Paths:
    qconv    torch.ops.qconv.quant_conv2d: int8 NCHW in, float16 NCHW out, bias, offset_x = 3,
             bit-exact (weights packed once, as they are for a model's parameters). --kernel picks
             its path (python/qconv/cpu_conv.py): auto = what the op takes on this CPU (the integer
             kernel when qconv._cpu is built: quads with AVX-512 VNNI, else pairs with AVX2), quads /
             pairs = that integer kernel, float = the float32 path (native cast and epilogue, or
             torch's with --torch-passes)
    fp32     F.conv2d on float32 NCHW (input, weight and output float32; no cast, no epilogue)
    fbgemm   torch.ao quantized::conv2d (fbgemm engine), quint8 channels_last in, quint8 out:
             requantized to 8 bits, never exact. Its input is quantized and made channels_last
             outside the timed region (its users hold quantized tensors), so it does less work per
             call than qconv, which converts int8 NCHW and writes float16 NCHW
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from qconv import target
from qconv.cases import CPU_BENCH_CASES, make_inputs

SHAPES = {case.name: case for case in CPU_BENCH_CASES}
PATHS = ("qconv", "fp32", "fbgemm")
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "4294967296", "MALLOC_TRIM_THRESHOLD_": "68719476736"}


KERNELS = {"auto": None, "quads": 4, "pairs": 2, "float": 0}


def make_call(path: str, shape, torch_passes: bool = False, kernel: str = "auto"):
    """The timed callable of one path (set-up such as weight packing happens here, untimed)."""
    import torch
    import torch.nn.functional as F
    x, w, scale, bias = make_inputs(shape)
    cout, cin, k, s, p = shape.cout, shape.cin, shape.kernel[0], shape.stride[0], shape.padding[0]
    if path == "qconv":
        import qconv  # noqa: F401  (registers the op)
        from qconv import cpu_conv
        cpu_conv.set_int_kernel(KERNELS[kernel])
        if torch_passes:
            cpu_conv.set_native_module(None)
        op = torch.ops.qconv.quant_conv2d
        return lambda: op(x, w, scale, list(shape.stride), list(shape.padding), list(shape.dilation), 1,
                          shape.offset_x, "rint", None, bias, None)
    if path == "fp32":
        xf, wf = x.float(), w.float()
        return lambda: F.conv2d(xf, wf, None, shape.stride, shape.padding, shape.dilation)
    if path == "fbgemm":
        torch.backends.quantized.engine = "fbgemm"
        xq = torch.quantize_per_tensor(x.float() + 128, 1.0, 0, torch.quint8).contiguous(
            memory_format=torch.channels_last)
        wq = torch.quantize_per_channel(w.float(), torch.ones(cout, dtype=torch.float64),
                                        torch.zeros(cout, dtype=torch.int64), 0, torch.qint8)
        packed = torch.ops.quantized.conv2d_prepack(wq, None, [s, s], [p, p], [1, 1], 1)
        out_scale = float(128 * 128 * (cin * k * k) ** 0.5 / 64)
        return lambda: torch.ops.quantized.conv2d(xq, packed, out_scale, 128)
    raise ValueError(f"path = {path!r} is not supported; allowed: {', '.join(PATHS)}")


def worker(paths: list[str], shape_name: str, threads: int, min_time: float, stat: str,
           torch_passes: bool = False, kernel: str = "auto") -> dict:
    """Median (or min) ms per path; the paths' calls alternate (one call each per round)."""
    import torch
    torch.set_num_threads(threads)
    calls = {p: make_call(p, SHAPES[shape_name], torch_passes, kernel) for p in paths}
    times = {p: [] for p in paths}
    with torch.no_grad():
        for call in calls.values():
            for _ in range(3):
                call()
        start = time.perf_counter()
        while time.perf_counter() - start < min_time * len(paths) or min(map(len, times.values())) < 15:
            for p, call in calls.items():
                t0 = time.perf_counter()
                call()
                times[p].append(time.perf_counter() - t0)
    reduce = statistics.median if stat == "median" else min
    return {p: reduce(t) * 1e3 for p, t in times.items()}


def measure(paths: list[str], shape_name: str, threads: int, min_time: float, stat: str,
            torch_passes: bool = False, kernel: str = "auto") -> dict:
    env = dict(os.environ, **MALLOC_ENV, OMP_NUM_THREADS=str(threads))
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", ",".join(paths), shape_name,
           "--threads", str(threads), "--min-time", str(min_time), "--stat", stat, "--kernel", kernel]
    if torch_passes:
        cmd.append("--torch-passes")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{paths} on {shape_name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_shape(name: str, args) -> dict:
    best = {}
    for _ in range(args.rounds):
        if args.isolated:
            got = {}
            for p in PATHS:
                got.update(measure([p], name, args.threads, args.min_time, args.stat, args.torch_passes, args.kernel))
        else:
            got = measure(list(PATHS), name, args.threads, args.min_time, args.stat, args.torch_passes, args.kernel)
        best = {p: min(best.get(p, float("inf")), got[p]) for p in PATHS}
    return best


def cpu_summary() -> str:
    """Model name and the instruction sets the kernels choose between (Linux /proc/cpuinfo)."""
    try:
        info = open("/proc/cpuinfo").read()
    except OSError:
        return "unknown CPU"
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), "?")
    flags = set(next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), []))
    have = [name for name, flag in (("AVX2", "avx2"), ("F16C", "f16c"), ("AVX-512 VNNI", "avx512_vnni"),
                                    ("AVX-VNNI", "avx_vnni")) if flag in flags]
    return f"{model}, {os.cpu_count()} CPUs, {' '.join(have) or 'no AVX2'}"


def gops(shape, ms: float) -> float:
    return 2 * shape.macs / (ms * 1e6)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-time", type=float, default=1.0, help="seconds of timed repetitions per point")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every point this many times (fresh processes) and keep the lowest median")
    parser.add_argument("--shapes", nargs="+", choices=sorted(SHAPES), default=list(SHAPES))
    parser.add_argument("--stat", choices=("median", "min"), default="median",
                        help="per-path statistic; min resists load from other processes on a shared machine")
    parser.add_argument("--isolated", action="store_true", help="one process per (shape, path)")
    parser.add_argument("--kernel", choices=sorted(KERNELS), default="auto",
                        help="qconv's path: auto (as the op chooses), quads, pairs (integer kernels), float")
    parser.add_argument("--torch-passes", action="store_true",
                        help="qconv without qconv._cpu, as when it is not built (the float32 path, torch's passes)")
    parser.add_argument("--worker", nargs=2, metavar=("PATHS", "SHAPE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        paths, shape_name = args.worker
        print(json.dumps(worker(paths.split(","), shape_name, args.threads, args.min_time, args.stat,
                                args.torch_passes, args.kernel)))
        return 0
    print(cpu_summary())
    print(f"semantics: {target.describe()}")
    print(f"{args.stat} ms per call (GOPS), {args.threads} threads, lowest of {args.rounds} round(s), "
          f"{'one process per path' if args.isolated else 'paths interleaved'}, "
          f"qconv kernel: {args.kernel}{', torch passes' if args.torch_passes else ''}; "
          "ratio = qconv time / other time (<= 1.0: qconv is as fast or faster)")
    header = f"{'shape':<15}{'qconv':>16}{'fp32 F.conv2d':>16}{'fbgemm u8':>16}{'qconv/fp32':>12}{'qconv/fbgemm':>14}"
    print(header)
    print("-" * len(header))
    for name in args.shapes:
        ms = measure_shape(name, args)
        cells = "".join(f"{f'{ms[p]:.2f} ({gops(SHAPES[name], ms[p]):.0f})':>16}" for p in PATHS)
        print(f"{name:<15}{cells}{ms['qconv'] / ms['fp32']:>12.2f}{ms['qconv'] / ms['fbgemm']:>14.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
