"""qconv-kit roofline and qconv.roofline: a network's layers in the twin beside the minimal-traffic bound,
the table, the plot, and the refusals of bad arguments by name."""
from __future__ import annotations

import pytest

from qconv import roofline
from qconv.cli import main as cli_main

LAYERS = "layer4.1.conv3,layer4.2.conv2"


def test_rows_put_the_model_beside_the_bound():
    rows = roofline.run("resnet50", "ascend910b", names=LAYERS.split(","))
    assert [r.name for r in rows] == LAYERS.split(",")
    for r in rows:
        assert r.model_us > 0 and r.bound_us > 0 and r.ratio == pytest.approx(r.model_us / r.bound_us)
        assert r.limit in ("cube", "mem") and r.blocks >= 1
        # A 1x1 layer with a pre-packed filter is one phase (direct GEMM, nothing to lay out); a 3x3 two; K slices
        # add the reduction of their partials.
        assert len(r.phases_us) == (1 if " 1x1" in r.shape else 2) + (r.k_slices > 1)
        # The bound is a floor no modelled kernel gets under (the model's per-core rates sum below the chip's),
        # and the model's floor for the data path (fixed DMA costs, first reads spread evenly) lies between.
        assert r.model_us >= r.floor_us >= r.bound_us
    # 512 -> 2048 1x1 at 7x7: x 25 KB + w 1 MB + y 200 KB + scale/bias at 1.6 TB/s
    assert rows[0].bound_us == pytest.approx((512 * 49 + 512 * 2048 + 2 * 2048 * 49 + 12 * 2048) / 1.6e12 * 1e6)
    # Its floor: two GM reads of 307 cycles per cube core, and x and w read once over 24 cores at 32 B/cycle
    # (1.8 GHz); the 3x3 pays a layout phase first: one read of x over the 48 AIVs.
    assert rows[0].floor_us == pytest.approx(max((2 * 307 + (512 * 49 + 512 * 2048) / 24 / 32) / 1.8e3,
                                                 rows[0].bound_us))
    layout = (307 + 512 * 49 / 48 / 32) / 1.8e3
    assert rows[1].floor_us == pytest.approx(layout + max((2 * 307 + (512 * 49 + 512 * 512 * 9) / 24 / 32) / 1.8e3,
                                                          rows[1].bound_us))


def test_cli_prints_the_table_and_draws_the_plot(tmp_path, capsys):
    png = tmp_path / "r50.png"
    assert cli_main(["roofline", "--soc", "ascend310p", "--layers", LAYERS, "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert "layer4.1.conv3" in out and "layer4.2.conv2" in out and "total ascend310p: model" in out
    assert "the model's floor for this data path" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("args, named", [
    (["--soc", "ascend9000"], "--soc = 'ascend9000'"),
    (["--batch", "x"], "--batch = 'x'"),
    (["--batch", "0"], "batch = 0"),
    (["--model", "vgg"], "model = 'vgg'"),
    (["--layers", "conv9"], "layers = conv9"),
    (["--weight-format", "NHWC"], "--weight-format = 'NHWC'"),
])
def test_bad_arguments_are_usage_errors_naming_them(args, named, capsys):
    assert cli_main(["roofline", *args]) == 2
    assert named in capsys.readouterr().err
