"""K slices (tiling k_dim > 1, arch 2201): layers whose weight is large and whose output is too small to give every
cube core a tile of its own (ResNet-50's layer4 at batch 1) split K over the cores as well. Each block writes its
int32 partial into ws.acc, a second SyncAll, then the AIVs of the blocks sharing a tile add the partials and
dequantize (op_kernel/quant_conv2d_schedule.h, "K slices"). Wrapping int32 addition makes the sum the full-K
accumulator in any order, so the result must stay bit-exact with the golden: every fmap path (img2col, direct
GEMM, subsampled), channel tails, padding with offset_x, stride and dilation, both scale dtypes, both filter
formats. The tiling's own rules for the split are checked too (a corrupted split is refused)."""
from __future__ import annotations

import pytest

from qconv import _native, host
from qconv.weight_format import pack_fractal_z
from test_sim_exact import assert_bit_exact, make_problem  # fails the run if the native twin is not built

from qconv import sim  # noqa: E402

SOCS = ["ascend910b", "ascend910_93"]

# (n, cin, h, w, cout, kh, kw, stride, padding, dilation, offset_x, bias, scale dtype)
CASES = [
    (1, 512, 7, 7, 512, 3, 3, 1, 1, 1, 0, True, "int64"),        # ResNet-50 layer4 3x3: img2col
    (1, 2048, 7, 7, 512, 1, 1, 1, 0, 1, 0, True, "float32"),     # ResNet-50 layer4 1x1 reduce: direct GEMM
    (1, 2048, 14, 14, 1024, 1, 1, 2, 0, 1, 0, False, "int64"),   # strided 1x1: subsampled path
    (1, 1000, 5, 6, 200, 3, 3, 1, 1, 1, -7, True, "float32"),    # Cin and Cout tails, padding value offset_x
    (1, 768, 9, 9, 144, 3, 3, 2, 2, 2, 3, True, "int64"),        # stride and dilation
]


def _ids(c):
    return f"{c[0]}x{c[1]}x{c[2]}x{c[3]}-{c[4]}k{c[5]}s{c[7]}"


@pytest.mark.parametrize("prepacked", [False, True], ids=["nchw_filter", "fractal_z_filter"])
@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
@pytest.mark.parametrize("soc", SOCS)
def test_k_slices_exact(soc, case, prepacked):
    problem = make_problem(case, seed=11)
    weight = pack_fractal_z(problem["weight"]) if prepacked else problem["weight"]
    y, counters = sim.run(soc=soc, **{**problem, "weight": weight})
    assert counters.tiling["k_dim"] > 1, "the shape no longer takes K slices: pick another"
    assert_bit_exact(y, problem, soc)
    # The reduction runs after its own barrier: one more phase than the layout (if any) and the cube.
    phases = max(len(core["phases"]) for core in counters.cores)
    layout = counters.tiling["fmap_path"] != 1 or not prepacked
    assert phases == (3 if layout else 2)


def test_k_slices_stay_off_the_coupled_core_and_large_outputs():
    # 2002 has no hard SyncAll to wait for the partials; a large output already fills the cores without them.
    small = host.tiling((1, 512, 7, 7), (512, 512, 3, 3), None, None, [1, 1], [1, 1], [1, 1], 1, 0,
                        soc="ascend310p")["data"]
    assert small["k_dim"] <= 1
    large = host.tiling((1, 64, 56, 56), (64, 64, 3, 3), None, None, [1, 1], [1, 1], [1, 1], 1, 0,
                        soc="ascend910b")["data"]
    assert large["k_dim"] <= 1


def _sliced_shape():
    return host.conv_shape((1, 512, 7, 7), (512, 512, 3, 3), strides=1, pads=1)


@pytest.mark.parametrize("corrupt, expected", [
    (lambda d: {"k_dim": d["k_dim"] - 1, "block_dim": d["block_dim"] // d["k_dim"] * (d["k_dim"] - 1)},
     "coverage: K slices"),
    (lambda d: {"k_chunks_per_block": d["k_chunks"]}, "K slices: last slice not idle"),
    (lambda d: {"k_dim": d["k_dim"] + 1}, "blocks: block_dim"),
    (lambda d: {"acc_slots": 1, "m_dim": 1, "m_per_block": d["m_units"], "m_l0": 16,
                "acc_slot_bytes": 16 * d["n_l0"] * 4}, "K slices: every tile"),
], ids=["chunks-uncovered", "idle-slice", "block-dim", "slot-reuse"])
@pytest.mark.parametrize("soc", SOCS)
def test_a_corrupted_k_split_is_refused(soc, corrupt, expected):
    module = _native.load("_host")
    data = module.tiling(_sliced_shape(), soc)["data"]
    assert data["k_dim"] > 1 and data["k_chunks"] >= data["k_dim"]
    v = module.verify_tiling(_sliced_shape(), soc, corrupt(data))
    assert not v["ok"]
    assert expected in v["message"], v["message"]


def test_random_small_outputs_with_large_k_exact():
    """A seeded sweep of the shapes K slices are for (small outputs, hundreds of input channels), every fmap path
    and attribute mixed: the ones the tiling slices, and the ones it does not, all bit-exact."""
    import random
    rng = random.Random(20261208)
    ran = sliced = 0
    while ran < 40:
        k = rng.choice([1, 1, 3, 3, 5])
        h, w, p, d = rng.randint(2, 12), rng.randint(2, 12), rng.choice([0, k // 2]), rng.choice([1, 1, 2])
        if min(h, w) + 2 * p - d * (k - 1) - 1 < 0:
            continue
        case = (rng.choice([1, 1, 2, 3]), rng.choice([96, 200, 256, 384, 512, 700, 1024]), h, w,
                rng.choice([16, 40, 96, 128, 200, 256, 512]), k, k, rng.choice([1, 1, 2]), p, d,
                rng.choice([0, 0, -5, 7]), rng.random() < 0.7, rng.choice(["int64", "float32"]))
        soc = rng.choice(SOCS)
        problem = make_problem(case, seed=ran)
        weight = pack_fractal_z(problem["weight"]) if rng.random() < 0.5 else problem["weight"]
        y, counters = sim.run(soc=soc, **{**problem, "weight": weight})
        assert_bit_exact(y, problem, soc)
        ran += 1
        sliced += counters.tiling["k_dim"] > 1
    assert sliced >= 10, f"only {sliced} of {ran} shapes took K slices: the sweep no longer tests them"
