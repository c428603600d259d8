"""The subsampled fmap path (tiling fmap_path kFmapSubsampled: 1x1, pad 0, stride > 1): which shapes the tiling
sends down it, and the kernel on it in the twin bit-exact with the golden on 910b (2201) and 310p (2002), both
item kinds (one DMA per kept row; whole planes of small images; spans of rows for few channels), both filter
formats."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qconv import _native, host
from qconv.weight_format import pack_fractal_z

try:
    _native.load("_sim")
except _native.NativeModuleMissing as e:  # pragma: no cover - reported, not hidden
    pytest.fail(str(e), pytrace=False)

from qconv import sim  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_sim_exact import assert_bit_exact, make_problem  # noqa: E402

KW_PACKED, SUBSAMPLED = 2, 3  # QuantConv2dFmapPath (op_kernel/quant_conv2d_tiling_data.h)
ROWS, PLANES, SPANS = 0, 1, 2  # QuantConv2dSubsampleKind
SOCS = ("ascend910b", "ascend310p")


def _tiling(case, soc):
    n, cin, h, w, cout, kh, kw, stride, padding, dilation = case[:10]
    return host.tiling((n, cin, h, w), (cout, cin, kh, kw), strides=stride, pads=padding, dilations=dilation,
                       offset_x=case[10], soc=soc)["data"]


# (n, cin, h, w, cout, kh, kw, stride, padding, dilation, offset_x, bias, scale kind)
RESNET50_DOWNSAMPLE = [
    (1, 256, 56, 56, 512, 1, 1, 2, 0, 1, 0, True, "int64"),    # layer2.0.downsample
    (1, 512, 28, 28, 1024, 1, 1, 2, 0, 1, 0, True, "float32"),  # layer3.0.downsample
    (1, 1024, 14, 14, 2048, 1, 1, 2, 0, 1, -5, False, "int64"),  # layer4.0.downsample
]
ODD_CASES = [
    (1, 40, 9, 11, 20, 1, 1, 2, 0, 1, 0, True, "float32"),      # Cin not a multiple of 32, odd H and W
    (2, 33, 13, 7, 17, 1, 1, (2, 1), 0, 1, -5, False, "int64"),  # stride (2, 1), batch 2, channel tail of 1
    (1, 70, 10, 10, 30, 1, 1, 3, 0, 2, 9, True, "float32"),      # stride 3 (dilation irrelevant for 1x1)
    (2, 64, 8, 9, 16, 1, 1, (1, 3), 0, 1, 127, True, "int64"),   # stride (1, 3), offset_x 127
    (1, 96, 15, 15, 48, 1, 1, 2, 0, 1, -128, True, "int64"),     # odd plane, C1 3
    (1, 300, 23, 40, 40, 1, 1, (3, 2), 0, 1, 3, False, "float32"),  # C1 10, Ho 8, Wo 20
    (3, 5, 5, 5, 7, 1, 1, 4, 0, 1, -1, True, "int64"),           # a few channels, Ho = Wo = 2
    (1, 32, 2, 65, 16, 1, 1, 2, 0, 1, 0, True, "int64"),         # H 2: one kept row
    (1, 48, 40, 255, 24, 1, 1, 2, 0, 1, 1, True, "float32"),     # the widest kept row (Wo 128)
    (1, 3, 224, 224, 16, 1, 1, 2, 0, 1, -9, True, "int64"),      # RGB input, few channels: spans of rows
    (2, 16, 63, 64, 24, 1, 1, (3, 2), 0, 1, 5, False, "float32"),
]


@pytest.mark.parametrize("soc", SOCS + ("ascend910_93",))
def test_the_tiling_takes_the_path_for_strided_1x1_without_padding(soc):
    for case in RESNET50_DOWNSAMPLE + ODD_CASES:
        td = _tiling(case, soc)
        assert td["fmap_path"] == SUBSAMPLED, case
        n, cin, h, w = case[:4]
        ho, wo = td["hout"], td["wout"]
        # The cube's conv is the 1x1 stride-1 conv on the kept positions; x's axes are in the subsample fields.
        assert (td["hin"], td["win"], td["stride_h"], td["stride_w"]) == (ho, wo, 1, 1)
        assert (td["subsample_hin"], td["subsample_win"]) == (h, w)
        assert td["ws_fmap_bytes"] == n * -(-cin // 32) * ho * wo * 32
        assert host.verify_tiling((n, cin, h, w), (case[4], cin, 1, 1), strides=case[7], pads=0, dilations=case[9],
                                  offset_x=case[10], soc=soc)["ok"]


@pytest.mark.parametrize("soc", SOCS)
def test_the_tiling_keeps_other_shapes_off_the_path(soc):
    others = [
        (1, 256, 56, 56, 512, 1, 1, 2, 1, 1, 0),   # padding
        (1, 256, 56, 56, 512, 1, 1, (2, 2), (0, 1), 1, 0),
        (1, 64, 56, 56, 64, 3, 3, 2, 0, 1, 0),     # kernel > 1
        (1, 64, 56, 56, 64, 1, 3, 2, 0, 1, 0),
        (1, 256, 56, 56, 512, 1, 1, 1, 0, 1, 0),   # stride 1 (the direct GEMM path on 2201)
        (1, 3, 4, 4096, 16, 1, 1, 2, 0, 1, 0),     # a kept row too wide for phase 1's buffers (Wo 2048)
    ]
    for case in others:
        assert _tiling(case, soc)["fmap_path"] != SUBSAMPLED, case


def test_a_kw_packed_conv_whose_packed_form_is_a_plain_gemm_tiles_and_runs():
    # kh 1, kw * Cin = 32, stride 1, no padding: the packed conv is 1x1 with whole channel groups, which the
    # direct GEMM path would read from x; the cube must img2col ws.fmap instead (was an internal tiling error).
    case = (1, 16, 8, 8, 16, 1, 2, 1, 0, 1, 3, True, "int64")
    assert _tiling(case, "ascend910b")["fmap_path"] == KW_PACKED
    problem = make_problem(case, seed=1)
    y, _ = sim.run(soc="ascend910b", **problem)
    assert_bit_exact(y, problem, "ascend910b")


@pytest.mark.parametrize("soc", SOCS)
@pytest.mark.parametrize("index", range(len(RESNET50_DOWNSAMPLE + ODD_CASES)))
@pytest.mark.parametrize("weight_format", ("NCHW", "FRACTAL_Z"))
def test_the_kernel_on_the_path_is_bit_exact(soc, index, weight_format):
    case = (RESNET50_DOWNSAMPLE + ODD_CASES)[index]
    problem = make_problem(case, seed=100 + index)
    weight = pack_fractal_z(problem["weight"]) if weight_format == "FRACTAL_Z" else problem["weight"]
    y, counters = sim.run(soc=soc, **{**problem, "weight": weight})
    assert_bit_exact(y, problem, soc)
    if soc == "ascend910b":  # DataCopyPad reads exact bytes: phase 1 read only kept rows, or whole small planes
        x_read = sum(core["phases"][0].get("MTE2", {}).get("gm", {}).get("x", {}).get("read", 0)
                     for core in counters.cores if core["phases"])
        td = _tiling(case, soc)
        n, cin, h, w = case[:4]
        span = (td["wout"] - 1) * td["subsample_stride_w"] + 1
        if td["subsample_kind"] == PLANES:
            assert x_read == n * cin * h * w
        elif td["subsample_kind"] == ROWS:
            assert x_read == n * cin * td["hout"] * span
        else:  # spans: every row from an item's first kept row to its last
            assert n * cin * td["hout"] * span <= x_read <= n * cin * h * w


def test_the_cases_reach_every_item_kind():
    kinds = {soc: {_tiling(case, soc)["subsample_kind"] for case in RESNET50_DOWNSAMPLE + ODD_CASES} for soc in SOCS}
    assert kinds["ascend910b"] == {ROWS, SPANS}  # DataCopyPad reads exact runs: whole planes never win on 2201
    assert kinds["ascend310p"] == {ROWS, PLANES, SPANS}


# Every item kind on both arches, whatever the tiling would choose (qconv._sim_faults overrides the item fields;
# each (kind, rows, groups) fits vector_ub's rule for this shape). Cin 40: a full group and a tail of 8.
FORCED_ITEMS = [(ROWS, 1, 1), (ROWS, 3, 2), (PLANES, 7, 1), (PLANES, 7, 2), (SPANS, 1, 2), (SPANS, 3, 1), (SPANS, 4, 2)]


@pytest.mark.parametrize("soc", SOCS)
@pytest.mark.parametrize("kind,rows,groups", FORCED_ITEMS)
def test_every_item_kind_is_bit_exact_on_both_arches(soc, kind, rows, groups):
    import torch

    case = (2, 40, 14, 13, 24, 1, 1, 2, 0, 1, -3, True, "int64")
    problem = make_problem(case, seed=7)
    y = _faults_module().run_with_tiling(problem["x"].numpy(), problem["weight"].numpy(), problem["scale"].numpy(),
                                         problem["bias"].numpy(), [2, 2], [0, 0], [1, 1], -3, soc,
                                         {"subsample_kind": kind, "subsample_rows": rows, "subsample_groups": groups})[0]
    assert_bit_exact(torch.from_numpy(y), problem, soc)


def _faults_module():
    """qconv._sim_faults, built on demand as tests/test_sim_sanitizers.py does."""
    import os
    import subprocess

    from kit_paths import ASAN_BUILD_DIR, BUILD_DIR

    try:
        return _native.load("_sim_faults")
    except _native.NativeModuleMissing:
        build = ASAN_BUILD_DIR if os.environ.get("QCONV_NATIVE_DIR") else BUILD_DIR
        subprocess.run(["cmake", "--build", str(build), "--target", "_sim_faults", "-j", "2"], check=True,
                       stdout=subprocess.DEVNULL)
        return _native.load("_sim_faults")
