"""The kernel in the CPU twin is bit-exact with the golden (python/qconv/reference.py) on every SoC.

Per SoC: a fixed list of edge cases (channel tails, Ho*Wo tails, 1x1, 7x7, kernels wider than 32, stride 63,
dilation, padding with offset_x != 0, output width 1 where the SoC allows it, N > 1, bias on/off, int64 and
float32 scale, outputs in the +-65504 clamp) plus seeded random problems, >= 200 in all. Spatial sizes stay
small so that the three SoCs run in a few minutes.
"""
from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from qconv import _native, reference
from qconv.scale import trans_quant_param
from qconv.weight_format import pack_fractal_z
from qconv.shapes import pair

try:
    _native.load("_sim")
except _native.NativeModuleMissing as e:  # pragma: no cover - reported, not hidden
    pytest.fail(str(e), pytrace=False)

from qconv import sim  # noqa: E402

SOCS = ("ascend910b", "ascend910_93", "ascend310p")
CASES_PER_SOC = 200
MAX_MACS = 600_000  # per problem, keeps the twin fast

# (n, cin, h, w, cout, kh, kw, stride, padding, dilation, offset_x, bias, scale kind)
EDGE_CASES = [
    (1, 3, 5, 5, 5, 1, 1, 1, 0, 1, 0, True, "int64"),          # 1x1, tiny
    (1, 33, 6, 7, 17, 3, 3, 1, 1, 1, 3, True, "int64"),        # Cin 33, Cout 17, Ho*Wo = 42
    (1, 1, 9, 9, 1, 3, 3, 1, 0, 1, 0, False, "float32"),       # single channels
    (2, 47, 5, 5, 31, 3, 3, 1, 1, 1, -128, True, "float32"),   # N 2, padding with offset -128
    (3, 8, 4, 6, 16, 2, 3, (1, 2), (1, 0), 1, 127, False, "int64"),
    (1, 3, 16, 16, 8, 7, 7, 2, 3, 1, -7, True, "int64"),       # 7x7 stride 2
    (1, 4, 3, 40, 6, 1, 33, 1, 0, 1, 0, True, "int64"),        # kernel width 33
    (1, 5, 5, 38, 3, 3, 35, 1, (1, 2), 1, 9, True, "float32"),  # kernel width 35 with padding
    (1, 16, 70, 70, 16, 3, 3, 63, 0, 1, 0, True, "int64"),     # stride 63
    (1, 6, 70, 9, 5, 3, 3, (63, 1), 1, 1, -1, False, "int64"),  # stride (63, 1)
    (1, 12, 11, 11, 10, 3, 3, 1, 2, 2, 4, True, "int64"),      # dilation 2, padding 2
    (1, 7, 13, 12, 9, 3, 2, (2, 1), (1, 1), (3, 2), 0, True, "float32"),  # dilation (3, 2)
    (1, 32, 8, 8, 16, 3, 3, 1, 1, 1, 0, True, "int64"),        # exact multiples
    (1, 64, 6, 6, 48, 1, 1, 1, 0, 1, 0, False, "int64"),       # C1 = 2, N1 = 3
    (1, 96, 5, 5, 80, 3, 3, 1, 1, 1, 11, True, "float32"),     # C1 = 3, N1 = 5
    (1, 10, 4, 4, 12, 3, 3, 1, 10, 1, -50, True, "int64"),     # padding far larger than the input
    (1, 3, 1, 1, 4, 1, 1, 1, 0, 1, 0, True, "int64"),          # 1 x 1 input
    (1, 5, 1, 9, 6, 1, 3, 1, 0, 1, 0, False, "int64"),         # H = 1
    (2, 20, 9, 9, 24, 5, 5, 1, 2, 1, 100, True, "float32"),
    (1, 17, 18, 18, 33, 3, 3, 2, 1, 1, -3, True, "int64"),     # Ho*Wo = 81
    (1, 24, 7, 7, 16, 3, 3, 1, 1, 1, 0, True, "clamp"),        # outputs beyond +-65504
    (2, 8, 2, 3, 3, 1, 1, 1, 0, 1, -3, True, "int64"),         # 2002: channel rows < one block, packed in UB
    (2, 8, 2, 2, 3, 1, 1, 1, 0, 1, -3, False, "int64"),        # 2002: a group's output < one block (scalar)
    # Larger problems that reach other tiling regimes (checked against op_host's choices when written):
    (1, 64, 3, 4000, 16, 3, 3, 1, 1, 1, -9, True, "int64"),    # W 4000: several K chunks of one kernel row
    (1, 1024, 4, 4, 32, 1, 1, 1, 0, 1, 0, True, "float32"),    # K 1024: tiles inside one output row
    (1, 8, 5, 300, 8, 1, 255, 1, 0, 1, 1, True, "int64"),      # kernel width 255
    (4, 16, 20, 20, 16, 3, 3, 1, 1, 1, 2, False, "int64"),     # blocks split the batch
    (2, 256, 10, 10, 300, 3, 3, 1, 1, 1, -2, True, "float32"),  # several n tiles, Cout 300
    (1, 512, 9, 9, 64, 3, 3, 1, 1, 1, 0, True, "int64"),       # C1 16 in one K chunk
]
WIDTH_ONE_CASES = [
    (1, 9, 7, 3, 11, 3, 3, 1, 0, 1, 0, True, "int64"),         # Wo = 1
    (2, 4, 6, 1, 5, 2, 1, 1, 0, 1, 2, False, "float32"),       # W = 1, Wo = 1
]


def _random_case(rng: random.Random):
    while True:
        n = rng.choice((1, 1, 1, 2, 3))
        cin = rng.choice((rng.randint(1, 40), rng.randint(1, 100)))
        cout = rng.choice((rng.randint(1, 40), rng.randint(1, 90)))
        if rng.random() < 0.1:
            kh, kw = rng.randint(1, 3), rng.randint(30, 40)
        else:
            kh, kw = rng.randint(1, 7), rng.randint(1, 7)
        stride = (rng.choice((1, 1, 2, 3, rng.randint(1, 63))), rng.choice((1, 1, 2, 3, rng.randint(1, 63))))
        dilation = (rng.choice((1, 1, 1, 2, 3)), rng.choice((1, 1, 1, 2, 3)))
        padding = (rng.randint(0, 3), rng.randint(0, 3))
        h = rng.randint(1, 24)
        w = rng.randint(1, 24) if kw < 30 else rng.randint(kw, kw + 8)
        ho, wo = reference.output_size(h, w, kh, kw, stride, padding, dilation)
        if ho <= 0 or wo <= 0 or n * cout * ho * wo * cin * kh * kw > MAX_MACS:
            continue
        return (n, cin, h, w, cout, kh, kw, stride, padding, dilation, rng.randint(-128, 127),
                rng.random() < 0.6, rng.choice(("int64", "float32")))


def _allowed(soc: str, case) -> bool:
    """310P does not support an output width of 1."""
    return soc != "ascend310p" or reference.output_size(*case[2:4], *case[5:10])[1] != 1


def cases_for(soc: str) -> list[tuple]:
    cases = [c for c in EDGE_CASES + WIDTH_ONE_CASES if _allowed(soc, c)]
    rng = random.Random(f"qconv-sim-{soc}")
    while len(cases) < CASES_PER_SOC:
        case = _random_case(rng)
        if _allowed(soc, case):
            cases.append(case)
    return cases


def make_problem(case, seed: int):
    n, cin, h, w, cout, kh, kw, stride, padding, dilation, offset_x, with_bias, scale_kind = case
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(-128, 128, (n, cin, h, w), generator=g, dtype=torch.int8)
    weight = torch.randint(-128, 128, (cout, cin, kh, kw), generator=g, dtype=torch.int8)
    magnitude = 2.0 ** 4 if scale_kind == "clamp" else 1.0 / (128.0 * max(1, cin * kh * kw) ** 0.5)
    scale = (torch.rand(cout, generator=g) - 0.3) * magnitude
    if scale_kind in ("int64", "clamp"):
        # QUANT_PRE words with junk in the bits the hardware ignores (above bit 47).
        scale = trans_quant_param(scale) | (torch.randint(0, 2 ** 15, (cout,), generator=g) << 48)
    bias = torch.randint(-2 ** 20, 2 ** 20, (cout,), generator=g, dtype=torch.int32) if with_bias else None
    return dict(x=x, weight=weight, scale=scale, bias=bias, stride=pair(stride), padding=pair(padding),
                dilation=pair(dilation), offset_x=offset_x)


def assert_bit_exact(y: torch.Tensor, problem: dict, soc: str | None = None) -> None:
    """y against the golden of `soc`'s offset_x semantics (None: qconv.target's SoC)."""
    golden = reference.quant_conv2d(problem["x"].numpy(), problem["weight"].numpy(), problem["scale"].numpy(),
                                    None if problem["bias"] is None else problem["bias"].numpy(),
                                    problem["stride"], problem["padding"], problem["dilation"], problem["offset_x"],
                                    soc=soc)
    assert y.dtype == torch.float16 and tuple(y.shape) == golden.shape
    got, want = y.numpy().view(np.uint16), golden.view(np.uint16)
    if not np.array_equal(got, want):
        bad = np.argwhere(got != want)
        i = tuple(bad[0])
        raise AssertionError(f"{len(bad)} of {got.size} outputs differ; first at {i}: twin {y.numpy()[i]!r} "
                             f"(0x{got[i]:04x}), golden {golden[i]!r} (0x{want[i]:04x})")


@pytest.mark.parametrize("soc", SOCS)
@pytest.mark.parametrize("index", range(CASES_PER_SOC))
def test_twin_matches_golden(soc, index):
    case = cases_for(soc)[index]
    problem = make_problem(case, seed=index)
    # Every other case hands the kernel its filter pre-packed (FRACTAL_Z): no weight layout pass.
    weight = pack_fractal_z(problem["weight"]) if index % 2 else problem["weight"]
    y, counters = sim.run(soc=soc, **{**problem, "weight": weight})
    assert_bit_exact(y, problem, soc)
    assert counters.total("CUBE", "elements") > 0


def test_the_case_lists_cover_the_required_edges():
    for soc in SOCS:
        cases = cases_for(soc)
        assert len(cases) >= 200
        assert any(c[1] % 32 for c in cases) and any(c[4] % 16 for c in cases)
        assert any(c[5] == c[6] == 1 for c in cases) and any(c[5] == c[6] == 7 for c in cases)
        assert any(c[6] > 32 for c in cases)
        assert any(63 in pair(c[7]) for c in cases) and any(max(pair(c[9])) > 1 for c in cases)
        assert any(max(pair(c[8])) > 0 and c[10] != 0 for c in cases)
        assert any(c[0] > 1 for c in cases)
        assert {c[11] for c in cases} == {True, False} and {"int64", "float32"} <= {c[12] for c in cases}
        hw_tail = [c for c in cases if np.prod(reference.output_size(c[2], c[3], c[5], c[6], c[7], c[8], c[9])) % 16]
        assert hw_tail
        width_one = [c for c in cases if reference.output_size(c[2], c[3], c[5], c[6], c[7], c[8], c[9])[1] == 1]
        assert bool(width_one) == (soc != "ascend310p")


# ---- the same kernel built with ASan + UBSan (./build.sh test builds that tree) ----------------------------

_SANITIZED_RUN = """
import sys
sys.path.insert(0, {tests!r})
import test_sim_exact as t
from qconv import sim
for soc in t.SOCS:
    cases = t.cases_for(soc)
    for i in range({count}):
        problem = t.make_problem(cases[i], seed=i)
        y, _ = sim.run(soc=soc, **problem)
        t.assert_bit_exact(y, problem, soc)
print("sanitized twin exact")
"""


def _sanitized_native_dir():
    from kit_paths import ASAN_BUILD_DIR
    return ASAN_BUILD_DIR / "native"


@pytest.mark.skipif(not list(_sanitized_native_dir().glob("_sim.*")),
                    reason="no ASan+UBSan build of qconv._sim (./build.sh test builds it)")
def test_sanitized_twin_is_clean_and_exact():
    import os
    import pathlib
    import subprocess
    import sys

    runtime = [subprocess.run(["gcc", f"-print-file-name={lib}"], capture_output=True, text=True,
                              check=True).stdout.strip() for lib in ("libasan.so", "libubsan.so")]
    env = dict(os.environ, QCONV_NATIVE_DIR=str(_sanitized_native_dir()), LD_PRELOAD=":".join(runtime),
               ASAN_OPTIONS="detect_leaks=0:abort_on_error=1", UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    tests = str(pathlib.Path(__file__).resolve().parent)
    proc = subprocess.run([sys.executable, "-c", _SANITIZED_RUN.format(tests=tests, count=30)], env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0 and "sanitized twin exact" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-4000:]
