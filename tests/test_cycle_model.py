"""The cycle model (qconv.cycle_model) on hand-built counters, each number computed by hand from the rates
of configs/socs.yaml, and on the real kernel: phases add up, DMA instructions pay their fixed costs, the
workspace is priced at the L2 rate only while the working set fits L2, the chip's HBM bandwidth caps a
phase, and MTE1 bytes go at the rate of their destination."""
from __future__ import annotations

import pytest
import torch

from qconv import cycle_model
from qconv._generated.socs import SOCS

PIPES = ("SCALAR", "VECTOR", "CUBE", "MTE1", "MTE2", "MTE3", "FIXPIPE")


def pipes(**kw):
    full = {p: {"instructions": 0, "bytes": 0, "elements": 0, "gm": {}, "local": {}} for p in PIPES}
    for pipe, fields in kw.items():
        full[pipe].update(fields)
    return full


class Counters:
    def __init__(self, cores, gm_buffer_bytes):
        self.cores = cores
        self.tiling = {"gm_buffer_bytes": gm_buffer_bytes}


def rates(soc):
    return SOCS[soc]["rates"]


def test_phases_add_and_dma_instructions_pay_their_fixed_cost():
    r = rates("ascend910b")
    ph0 = pipes(MTE2={"instructions": 2, "bytes": 3200, "gm": {"x": {"read": 3200, "written": 0}}})
    ph1 = pipes(CUBE={"elements": 8192 * 5000},
                MTE3={"instructions": 1, "bytes": 320, "gm": {"y": {"read": 0, "written": 320}}})
    c = Counters([{"name": "aiv0", "phases": [ph0, ph1]}], {"x": 3200, "y": 320, "workspace": 0})
    m = cycle_model.model_launch(c, "ascend910b")
    clock = SOCS["ascend910b"]["clock_mhz"]
    phase0 = 2 * r["gm_read_dma_cycles"] + 3200 / r["gm_bytes_per_cycle_per_core"]
    assert m.phases_us == pytest.approx([phase0 / clock, 5000 / clock])
    assert m.time_us == pytest.approx((phase0 + 5000) / clock)
    assert m.hbm_bytes == 3520 and m.l2_bytes == 0


def test_workspace_at_the_l2_rate_only_while_the_working_set_fits_l2():
    r = rates("ascend910b")
    ph = pipes(MTE2={"instructions": 0, "bytes": 110 * 1000, "gm": {"workspace": {"read": 110 * 1000, "written": 0}}})
    fits = Counters([{"name": "aic0", "phases": [ph]}], {"workspace": 110 * 1000})
    assert cycle_model.model_launch(fits, "ascend910b").time_us == pytest.approx(1000 / 1800)
    too_big = Counters([{"name": "aic0", "phases": [ph]}], {"workspace": r["l2_bytes"] + 1})
    m = cycle_model.model_launch(too_big, "ascend910b")
    assert m.time_us == pytest.approx(110 * 1000 / r["gm_bytes_per_cycle_per_core"] / 1800)
    assert m.hbm_bytes == 110 * 1000 and m.l2_bytes == 0


def test_the_chips_hbm_bandwidth_caps_a_phase():
    # 48 cores each reading 64 KB at 32 B/cycle would take 2048 cycles (1.14 us); 3 MB at 1.6 TB/s take 1.97 us.
    ph = pipes(MTE2={"bytes": 65536, "gm": {"x": {"read": 65536, "written": 0}}})
    c = Counters([{"name": f"aiv{i}", "phases": [ph]} for i in range(48)], {"x": 48 * 65536})
    m = cycle_model.model_launch(c, "ascend910b")
    assert m.time_us == pytest.approx(48 * 65536 / rates("ascend910b")["hbm_bytes_per_second"] * 1e6)
    assert m.bound_by == "hbm"


def test_mte1_bytes_at_the_rate_of_their_destination():
    r = rates("ascend910b")
    ph = pipes(MTE1={"instructions": 3, "bytes": 256 * 100 + 128 * 50, "local": {"L0A": 256 * 100, "L0B": 128 * 50}})
    m = cycle_model.model_launch(Counters([{"name": "aic0", "phases": [ph]}], {}), "ascend910b")
    assert m.pipe_cycles["aic0"]["MTE1"] == pytest.approx(100 + 50 + 3 * r["l1_to_l0_dma_cycles"])


def test_bound_is_the_resnet50_roofline():
    from qconv import cases
    total = sum(cycle_model.bound("ascend910b", c.n, c.cin, *c.hw, c.cout, *c.kernel, *c.out_hw).time_us
                for c in cases.RESNET50)
    assert total == pytest.approx(35.6, abs=0.1)     # 56.7 MB at 1.6 TB/s, three layers cube-bound


def test_the_real_kernel_counts_every_gm_buffer_it_touches():
    from qconv import pack_fractal_z, sim
    g = torch.Generator().manual_seed(3)
    x = torch.randint(-128, 128, (1, 64, 14, 14), dtype=torch.int8, generator=g)
    w = torch.randint(-128, 128, (32, 64, 3, 3), dtype=torch.int8, generator=g)
    _, c = sim.run(x, pack_fractal_z(w), torch.rand(32, generator=g) * 1e-3,
                   torch.zeros(32, dtype=torch.int32), padding=1, soc="ascend910b")
    gm = c.gm_bytes
    assert gm == cycle_model.gm_bytes(c)
    assert gm["x"]["read"] >= x.numel() and gm["x"]["written"] == 0
    assert gm["weight"]["read"] >= w.numel() and gm["y"]["written"] == 32 * 14 * 14 * 2
    assert gm["workspace"]["written"] > 0 and gm["workspace"]["read"] > 0
    assert len(c.cores[0]["phases"]) == 2          # the layout pass, SyncAll, the cube and the epilogue
    m = cycle_model.model_launch(c, "ascend910b")
    assert m.time_us == pytest.approx(sum(m.phases_us)) and m.time_us > 0
