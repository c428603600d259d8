"""Tiles of several whole images (tiling field m_images > 1, arch 2201): chosen for small outputs at a large
batch, where one image per tile leaves the cube's L0B and the weight's L1 traffic high per output row. The
random sweeps of test_sim_exact.py are too small to take this path, so these shapes are picked to: both fmap
paths (img2col and direct GEMM), a block whose last tile holds fewer images (odd batch), offset_x != 0, both
scale dtypes, both filter formats; bit-exact with the golden."""
from __future__ import annotations

import pytest

from qconv import host
from qconv.weight_format import pack_fractal_z
from test_sim_exact import assert_bit_exact, make_problem  # fails the run if the native twin is not built

from qconv import sim  # noqa: E402

# (n, cin, h, w, cout, kh, kw, stride, padding, dilation, offset_x, bias, scale dtype)
CASES = [
    (13, 512, 3, 3, 1024, 1, 1, 1, 0, 1, 0, True, "int64"),     # direct GEMM; odd batch: a last tile of fewer images
    (16, 128, 7, 7, 96, 3, 3, 1, 1, 1, -3, False, "float32"),   # img2col, 3x3 pad 1, padding value offset_x
    (16, 512, 3, 3, 1024, 1, 1, 1, 0, 1, 5, True, "float32"),   # direct GEMM, scale float32
]


@pytest.mark.parametrize("prepacked", [False, True], ids=["nchw_filter", "fractal_z_filter"])
@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}x{c[1]}x{c[2]}x{c[3]}-{c[4]}k{c[5]}" for c in CASES])
def test_several_images_per_tile_exact(case, prepacked):
    problem = make_problem(case, seed=7)
    weight = pack_fractal_z(problem["weight"]) if prepacked else problem["weight"]
    y, counters = sim.run(soc="ascend910b", **{**problem, "weight": weight})
    assert counters.tiling["m_images"] > 1, "the shape no longer takes the several-images path: pick another"
    assert_bit_exact(y, problem, "ascend910b")


def test_the_tiling_keeps_several_images_to_split_cores_and_whole_images():
    t = host.tiling((16, 512, 7, 7), (512, 512, 3, 3), None, None, [1, 1], [1, 1], [1, 1], 1, 0,
                    soc="ascend910b")["data"]
    # ResNet-50 layer4's 3x3 at batch 16: two images per tile, every block owning whole images.
    assert t["m_images"] >= 2 and t["m_dim"] == 1 and t["m_l0"] >= t["m_images"] * 64
    t310 = host.tiling((16, 512, 7, 7), (512, 512, 3, 3), None, None, [1, 1], [1, 1], [1, 1], 1, 0,
                       soc="ascend310p")["data"]
    assert t310["m_images"] <= 1  # the coupled core's epilogue takes one image per tile
