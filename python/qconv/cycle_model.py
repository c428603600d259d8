"""The twin's cycle model: a launch's exact counts (qconv.sim.run) -> a modelled device time, with the cited
rates of configs/socs.yaml. It is an optimistic bound for the counted work, never a measurement:

- A launch runs in phases, split where every core passes an all-core barrier (SyncAll); phases add up.
- Inside a phase every pipe of a core runs in parallel with the others (ideal overlap, the best case); a
  pipe's cycles are the sum over its instructions of a fixed cost per DMA instruction plus bytes over the
  pipe's rate, and a core's cycles are those of its busiest pipe. The fixed costs are Huawei's own A2/A3
  instruction-level model's (configs/socs.yaml [PYPTO]): a GM read 307 cycles, a GM write 153, an L1 -> L0
  load 27, each paid in full by every instruction, as that model serialises the DMAs of one queue.
- Rates: CUBE multiply-accumulates / cube_int8_macs_per_cycle; MTE1 bytes written into L0A /
  l1_to_l0a_bytes_per_cycle plus those into L0B / l1_to_l0b_bytes_per_cycle; VECTOR bytes written / 256 (one repeat of
  8 x 32 B blocks); SCALAR one instruction per cycle; GM traffic (the twin attributes each byte to the GM
  buffer it is read from or written to) at gm_bytes_per_cycle_per_core, except, while the launch's working
  set (x, weight, y, workspace) fits the L2 cache, at l2_bytes_per_cycle_per_core: the workspace's own
  traffic, and the re-reads of an input (bytes of x, weight, scale or bias that an earlier read of the
  launch, by any core, already brought in; the twin counts each buffer's first reads). "The first read comes
  from HBM, later reads from L2" is Huawei's own A2 model (mirror-cann/asc-devkit @82b89a15
  examples/01_simd_cpp_api/05_best_practices/01_matrix_compute/matmul_basic_api_high_performance/README.md
  lines 397-401; examples/01_simd_cpp_api/04_advanced_api/00_matmul/matmul_l2cache/README.md line 5: other
  cores' and later reads hit L2). Each core's reads of a buffer are split between the two rates in the
  launch's proportion of first reads (which core reads first is not modelled).
- The whole chip: in each phase, the bytes every core moves to or from HBM cannot go faster than
  hbm_bytes_per_second, nor the L2-resident bytes faster than l2_bytes_per_second.

`bound(...)` is the minimal-traffic roofline the model is judged against: x, weight, y (and the int64 scale
and int32 bias) each moved once between HBM and the chip at hbm_bytes_per_second, or the cube's peak,
whichever is slower (docs/measurement.md). `floor(...)` is the least this model can charge the kit's data path
(docs/measurement.md, "The model's floor"): what no tiling of it can go below.
"""
from __future__ import annotations

from dataclasses import dataclass, field

GM_PIPES = ("MTE2", "MTE3", "FIXPIPE")
VECTOR_BYTES_PER_CYCLE = 256   # one vector repeat: 8 data blocks of 32 B (Ascend C vector API docs)


@dataclass
class LaunchModel:
    """Modelled time of one launch and where it goes."""
    time_us: float
    phases_us: list[float]
    bound_by: str                       # "core <name> <pipe>", "hbm" or "l2": what set the longest phase
    hbm_bytes: int
    l2_bytes: int
    pipe_cycles: dict = field(default_factory=dict)  # core name -> {pipe: cycles}, whole launch
    core_cycles: dict = field(default_factory=dict)  # core name -> busy cycles: its busiest pipe, per phase, summed


def _facts(soc: str) -> dict:
    from qconv._generated.socs import SOCS
    return SOCS[soc]


def _rate(facts: dict, name: str) -> float:
    return float(facts.get(name, facts.get("rates", {}).get(name)))


def working_set_bytes(gm_buffer_bytes: dict) -> int:
    return sum(v for k, v in gm_buffer_bytes.items() if k in ("x", "weight", "y", "workspace", "scale", "bias"))


def model_launch(counters, soc: str) -> LaunchModel:
    """qconv.sim.SimCounters of one launch on `soc` -> LaunchModel."""
    facts = _facts(soc)
    clock_hz = facts["clock_mhz"] * 1e6
    gm_rate = _rate(facts, "gm_bytes_per_cycle_per_core")
    l2_rate = _rate(facts, "l2_bytes_per_cycle_per_core")
    fixed = {"MTE2": _rate(facts, "gm_read_dma_cycles"), "MTE3": _rate(facts, "gm_write_dma_cycles"),
             "FIXPIPE": _rate(facts, "gm_write_dma_cycles"), "MTE1": _rate(facts, "l1_to_l0_dma_cycles")}
    fits_l2 = working_set_bytes(counters.tiling.get("gm_buffer_bytes", {})) <= _rate(facts, "l2_bytes")
    totals = gm_bytes(counters)
    first_share = {buf: t["first_read"] / t["read"] for buf, t in totals.items() if t["read"]}
    l0a_rate, l0b_rate = _rate(facts, "l1_to_l0a_bytes_per_cycle"), _rate(facts, "l1_to_l0b_bytes_per_cycle")
    rates = {"CUBE": ("elements", facts["cube_int8_macs_per_cycle"]),
             "VECTOR": ("bytes", VECTOR_BYTES_PER_CYCLE), "SCALAR": ("instructions", 1)}
    phases = max(len(c.get("phases", [])) for c in counters.cores)
    phase_times, whole, busy, hbm_total, l2_total = [], {}, {}, 0, 0
    longest, bound_by = -1.0, "-"
    for ph in range(phases):
        slowest, slowest_what = 0.0, "-"
        hbm = l2 = 0
        for core in counters.cores:
            if ph >= len(core["phases"]):
                continue
            pipes = core["phases"][ph]
            cycles = {}
            for pipe, data in pipes.items():
                c = data["instructions"] * fixed.get(pipe, 0.0)
                if pipe in GM_PIPES:
                    gm_counted = 0
                    for buf, rw in data.get("gm", {}).items():
                        moved = rw["read"] + rw["written"]
                        gm_counted += moved
                        if buf == "workspace":
                            in_l2 = moved if fits_l2 else 0
                        else:  # an input's re-reads hit L2; its first reads and every write go to HBM
                            in_l2 = rw["read"] * (1.0 - first_share.get(buf, 1.0)) if fits_l2 else 0
                        c += (moved - in_l2) / gm_rate + in_l2 / l2_rate
                        hbm += moved - in_l2
                        l2 += in_l2
                    # Bytes of the pipe that touched no GM buffer (e.g. 2002 UB -> L1 on MTE3).
                    c += max(0, data["bytes"] - gm_counted) / gm_rate if pipe != "MTE2" else 0.0
                elif pipe == "MTE1":
                    # L1 -> L0A (img2col) and L1 -> L0B run at their own rates; anything else at the slower one.
                    local = data.get("local", {})
                    l0a, l0b = local.get("L0A", 0), local.get("L0B", 0)
                    c += l0a / l0a_rate + (data["bytes"] - l0a) / l0b_rate
                elif pipe in rates:
                    unit, rate = rates[pipe]
                    c += data[unit] / rate
                cycles[pipe] = c
                whole.setdefault(core["name"], {}).setdefault(pipe, 0.0)
                whole[core["name"]][pipe] += c
            busiest = max(cycles, key=cycles.get)
            busy[core["name"]] = busy.get(core["name"], 0.0) + cycles[busiest]
            if cycles[busiest] > slowest:
                slowest, slowest_what = cycles[busiest], f"core {core['name']} {busiest}"
        t_core = slowest / clock_hz
        t_hbm = hbm / _rate(facts, "hbm_bytes_per_second")
        t_l2 = l2 / _rate(facts, "l2_bytes_per_second")
        t = max(t_core, t_hbm, t_l2)
        what = slowest_what if t == t_core else ("hbm" if t == t_hbm else "l2")
        if t > longest:
            longest, bound_by = t, what
        phase_times.append(t * 1e6)
        hbm_total += hbm
        l2_total += l2
    return LaunchModel(sum(phase_times), phase_times, bound_by, hbm_total, l2_total, whole, busy)


def gm_bytes(counters) -> dict:
    """Bytes read and written per GM buffer over every core and phase: {"x": {"read": n, "written": n,
    "first_read": n}, ...}; first_read counts the bytes read for the first time in the launch."""
    out: dict = {}
    for core in counters.cores:
        for pipes in core.get("phases", []):
            for data in pipes.values():
                for buf, rw in data.get("gm", {}).items():
                    t = out.setdefault(buf, {"read": 0, "written": 0, "first_read": 0})
                    t["read"] += rw["read"]
                    t["written"] += rw["written"]
                    t["first_read"] += rw.get("first_read", rw["read"])  # hand-built counters: every read a first
    return out


@dataclass(frozen=True)
class Bound:
    """The minimal-traffic roofline of one convolution."""
    t_cube_us: float
    t_mem_us: float
    min_bytes: int

    @property
    def time_us(self) -> float:
        return max(self.t_cube_us, self.t_mem_us)

    @property
    def limit(self) -> str:
        return "cube" if self.t_cube_us >= self.t_mem_us else "mem"


def bound(soc: str, n: int, cin: int, h: int, w: int, cout: int, kh: int, kw: int, ho: int, wo: int) -> Bound:
    """x (int8), weight (int8) and y (float16) moved once at the chip's HBM bandwidth, or the cube's peak."""
    facts = _facts(soc)
    min_bytes = n * cin * h * w + cout * cin * kh * kw + 2 * n * cout * ho * wo + (8 + 4) * cout  # + scale, bias
    macs = n * cout * ho * wo * cin * kh * kw
    peak = facts["cube_cores"] * facts["cube_int8_macs_per_cycle"] * facts["clock_mhz"] * 1e6
    return Bound(macs / peak * 1e6, min_bytes / _rate(facts, "hbm_bytes_per_second") * 1e6, min_bytes)


def floor(soc: str, n: int, cin: int, h: int, w: int, cout: int, kh: int, kw: int, ho: int, wo: int,
          layout_pass: bool, x_bytes_read: int | None = None) -> float:
    """The least time in us the model charges the kit's data path for one convolution, whatever the tiling:
    every cube core reads its operands with at least two DMAs (x's and the weight's slab), each paying the
    fixed GM-read cost, and all first reads of x and the weight spread evenly over the cube cores at the
    per-core GM rate (no re-read at all); with `layout_pass` (the convolutions the cube cannot read from NCHW x:
    all but the direct GEMM path's) a phase before it in which every vector core reads its even share of x
    with one DMA; never faster than the cube's peak or the chip's HBM moving what is read and y.
    `x_bytes_read`: the bytes of x the data path must read when it is not all of x (a strided 1x1 without
    padding reads only the kept rows)."""
    facts = _facts(soc)
    clock_hz = facts["clock_mhz"] * 1e6
    gm_rate = _rate(facts, "gm_bytes_per_cycle_per_core")
    read_dma = _rate(facts, "gm_read_dma_cycles")
    cores = facts["cube_cores"]
    vector_cores = cores * max(facts.get("vector_per_cube", 1), 1) if facts.get("topology") == "split" else cores
    x_bytes = n * cin * h * w if x_bytes_read is None else x_bytes_read
    w_bytes = cout * cin * kh * kw
    cube = (2 * read_dma + (x_bytes + w_bytes) / cores / gm_rate) / clock_hz * 1e6
    layout = (read_dma + x_bytes / vector_cores / gm_rate) / clock_hz * 1e6 if layout_pass else 0.0
    b = bound(soc, n, cin, h, w, cout, kh, kw, ho, wo)
    hbm = (x_bytes + w_bytes + 2 * n * cout * ho * wo) / _rate(facts, "hbm_bytes_per_second") * 1e6
    return layout + max(cube, b.t_cube_us, hbm)
