"""Per-shape profile summaries in one format, from an NPU (msprof op CSVs) or from the CPU twin.

    time_us  block_dim  mix_block_dim  cube  fixpipe  mte1  mte2  vector  vec_mte2  vec_mte3  bound

NPU: `msprof op` (or `msopprof`) writes per kernel launch an OpBasicInfo.csv (Op Name, Op Type,
Task Duration(us), Block Dim, Mix Block Dim, ...) and a PipeUtilization.csv with one row per core
(block_id, sub_block_id, aic_time(us), aic_total_cycles, aiv_time(us), aiv_total_cycles,
aic_cube_ratio, aic_fixpipe_ratio, aic_mte1_ratio, ai*_mte2_ratio, ai*_mte3_ratio, aiv_vec_ratio,
...; on Atlas inference (310P) the vector ratio is aic_vec_ratio). Column names: Ascend msopprof
csrc/op_profiling/profiling/device/data_parse/metric_csv_header.h. A ratio of the summary is a pipe's time
summed over the cores that report it over those cores' summed time (aic_cube_time(us) / aic_time(us), ...):
msopprof's own *_ratio of a MIX kernel divides by the launch's whole Task Duration, not the core's busy
time (pmu_calculate.cpp, CalRatio), so those columns are not comparable between cores, chips or the twin.
A launch with Task Duration "NA" or no PipeUtilization data is a row of "-" (msopprof treats partial
failures as normal); Current Freq against Rated Freq is shown because it scales every time.

Twin: qconv.sim.run counts per core and pipe the instructions, bytes and elements the kernel issued;
qconv.cycle_model (the kit's one cycle model, docs/measurement.md) turns them into a time and per-core pipe
cycles, and a pipe's ratio here is its cycles over its cores' busy cycles. It is an ideal-overlap bound, not
a measurement: compare where the bottleneck pipe is and how the ratios move between shapes.
"""
from __future__ import annotations

import csv
import math
import pathlib
from dataclasses import dataclass, field

from qconv import cases
from qconv.cases import PROFILE_CASES, Case

RATIO_KEYS = ("cube", "fixpipe", "mte1", "mte2", "vector", "vec_mte2", "vec_mte3")

# summary key -> (the pipe's time column, its core's time column) in PipeUtilization.csv, in preference order.
PIPE_COLUMNS = {
    "cube": [("aic_cube_time(us)", "aic_time(us)")],
    "fixpipe": [("aic_fixpipe_time(us)", "aic_time(us)")],
    "mte1": [("aic_mte1_time(us)", "aic_time(us)")],
    "mte2": [("aic_mte2_time(us)", "aic_time(us)")],
    "vector": [("aiv_vec_time(us)", "aiv_time(us)"), ("aic_vec_time(us)", "aic_time(us)")],
    "vec_mte2": [("aiv_mte2_time(us)", "aiv_time(us)")],
    "vec_mte3": [("aiv_mte3_time(us)", "aiv_time(us)"), ("aic_mte3_time(us)", "aic_time(us)")],
}
BASIC_COLUMNS = ("Op Name", "Task Duration(us)", "Block Dim")


@dataclass
class ProfileSummary:
    shape: str
    time_us: float | None                        # None: the launch has no duration (msprof's "NA")
    block_dim: int | None
    mix_block_dim: int | None = None
    ratios: dict = field(default_factory=dict)   # RATIO_KEYS -> ratio in [0, 1], or None when not reported
    source: str = ""
    current_freq: float | None = None            # MHz during the launch (msprof's Current Freq), NPU only
    rated_freq: float | None = None              # MHz the chip is rated for (Rated Freq)

    @property
    def bound(self) -> str:
        """The pipe with the highest ratio: where the time goes."""
        known = {k: v for k, v in self.ratios.items() if v is not None}
        return max(known, key=known.get) if known else "-"


class ProfileDataError(ValueError):
    pass


def _number(value):
    """A CSV cell as float, or None for N/A, empty or missing cells."""
    if value is None:
        return None
    text = str(value).strip().rstrip("%")
    if text in ("", "N/A", "NA", "-"):
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None     # inf in a count or a ratio is no number either


def _count(directory: pathlib.Path, row: dict, column: str):
    """A block count cell: None when missing or N/A, else a whole number >= 0; anything else (inf, 1.5,
    text) is malformed data, refused naming the file and the column rather than truncated."""
    value = row.get(column)
    number = _number(value)
    if number is None:
        if value is None or str(value).strip() in ("", "N/A", "NA", "-"):
            return None
    elif number >= 0 and number == int(number):
        return int(number)
    raise ProfileDataError(f"{directory}/OpBasicInfo.csv: {column} = {value!r} is not a block count "
                           "(a whole number >= 0 or N/A)")


def _read_csv(path: pathlib.Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [{(k or "").strip(): v for k, v in row.items()} for row in csv.DictReader(f)]


def _find(directory: pathlib.Path, stem: str) -> pathlib.Path:
    """<stem>.csv or msprof's timestamped <stem>_<time>.csv in `directory`."""
    exact = directory / f"{stem}.csv"
    if exact.exists():
        return exact
    matches = sorted(directory.glob(f"{stem}_*.csv"))
    if not matches:
        raise ProfileDataError(f"{directory} has no {stem}.csv")
    return matches[-1]


def pipe_time_ratios(pipe_rows: list[dict]) -> dict:
    """Per summary key: the pipe's time summed over the cores that report it / those cores' summed time."""
    ratios = {}
    for key, candidates in PIPE_COLUMNS.items():
        ratios[key] = None
        for column, core_column in candidates:
            pairs = [(_number(r.get(column)), _number(r.get(core_column))) for r in pipe_rows]
            pairs = [(t, c) for t, c in pairs if t is not None and c is not None]
            if pairs and sum(c for _, c in pairs) > 0:
                ratios[key] = sum(t for t, _ in pairs) / sum(c for _, c in pairs)
                break
    return ratios


def summarise_launch(directory, shape: str = "") -> ProfileSummary:
    """One kernel launch directory (OpBasicInfo.csv + PipeUtilization.csv) -> summary; what the launch
    lacks (duration "NA", no PipeUtilization data) stays None."""
    directory = pathlib.Path(directory)
    basic_rows = _read_csv(_find(directory, "OpBasicInfo"))
    if not basic_rows:
        raise ProfileDataError(f"{directory}/OpBasicInfo.csv has no rows")
    basic = basic_rows[0]
    missing = [c for c in BASIC_COLUMNS if c not in basic]
    if missing:
        raise ProfileDataError(f"{directory}/OpBasicInfo.csv lacks the column(s) {', '.join(missing)}")
    block_dim, mix = _count(directory, basic, "Block Dim"), _count(directory, basic, "Mix Block Dim")
    try:
        pipe_rows = _read_csv(_find(directory, "PipeUtilization"))
    except ProfileDataError:
        pipe_rows = []
    return ProfileSummary(shape or basic["Op Name"], _number(basic["Task Duration(us)"]),
                          block_dim, mix,
                          pipe_time_ratios(pipe_rows), source=str(directory),
                          current_freq=_number(basic.get("Current Freq")), rated_freq=_number(basic.get("Rated Freq")))


def _launch_order(path: pathlib.Path) -> tuple:
    """msprof numbers launches 0, 1, ..., 10, 11 without padding: numeric parts compare as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in path.parts)


LAUNCHES_FILE = "launches.txt"


def summarise_msprof_output(root) -> list[ProfileSummary]:
    """Every launch under an msprof op output tree (OPPROF_*/<kernel name>/<n>/, deviceN/...), in launch order.

    bench/profile_cases.py writes <root>/launches.txt, one shape label per profiled launch in launch
    order; it labels the rows when all launches are numbered siblings of one directory (one kernel name on
    one device) and its line count matches, else each launch is labelled with its path relative to `root`."""
    root = pathlib.Path(root)
    if not root.is_dir():
        raise ProfileDataError(f"{root} is not a directory")
    launches = sorted({p.parent for p in root.rglob("OpBasicInfo*.csv")}, key=_launch_order)
    if not launches:
        raise ProfileDataError(f"no OpBasicInfo.csv under {root}: is it an msprof op --output directory?")
    labels = [str(p.relative_to(root)) for p in launches]
    if (root / LAUNCHES_FILE).exists():
        written = [line for line in (root / LAUNCHES_FILE).read_text().splitlines() if line.strip()]
        if len(written) == len(launches) and len({p.parent for p in launches}) == 1:
            labels = written
    return [summarise_launch(launch, label) for launch, label in zip(launches, labels)]


# --- the twin -------------------------------------------------------------------------------------

# summary key -> (core kind, pipe). Split SoCs: "aic*" cube cores, "aiv*" vector cores; coupled
# SoCs (310P): "core*" does both, as in msprof's aic_* columns there.
SIM_RATIOS = {
    "cube": ("aic", "CUBE"), "fixpipe": ("aic", "FIXPIPE"), "mte1": ("aic", "MTE1"), "mte2": ("aic", "MTE2"),
    "vector": ("aiv", "VECTOR"), "vec_mte2": ("aiv", "MTE2"), "vec_mte3": ("aiv", "MTE3"),
}


def _core_kind(name: str, topology: str) -> str:
    if name.startswith("aic"):
        return "aic"
    if name.startswith("aiv"):
        return "aiv"
    return "core" if topology == "coupled" else name.rstrip("0123456789")


def summarise_sim(counters, soc: str, shape: str = "") -> ProfileSummary:
    """qconv.sim.SimCounters of one run on `soc` -> summary: the time and the per-core pipe cycles of the
    kit's one cycle model (qconv.cycle_model); a pipe's ratio is its cycles over its cores' busy cycles, as
    msprof computes a ratio from pipe time over core time."""
    from qconv import cycle_model
    from qconv._generated.socs import SOCS

    facts = SOCS[soc]
    model = cycle_model.model_launch(counters, soc)
    per_kind: dict[str, list[str]] = {}
    for core in counters.cores:
        per_kind.setdefault(_core_kind(core["name"], facts["topology"]), []).append(core["name"])
    ratios = {}
    for key, (kind, pipe) in SIM_RATIOS.items():
        if "core" in per_kind:   # coupled: one core does everything; its MTE2 is the "mte2" column
            names = None if key == "vec_mte2" else per_kind["core"]
        else:
            names = per_kind.get(kind)
        if not names:
            ratios[key] = None
            continue
        busy = sum(model.core_cycles.get(n, 0.0) for n in names)
        ratios[key] = sum(model.pipe_cycles.get(n, {}).get(pipe, 0.0) for n in names) / busy if busy else 0.0
    cube_cores = len(per_kind.get("aic", [])) or len(per_kind.get("core", []))
    vector_cores = len(per_kind.get("aiv", []))
    return ProfileSummary(shape, model.time_us, cube_cores, vector_cores or None, ratios, source=f"twin {soc}")


# --- printing -------------------------------------------------------------------------------------

def format_table(summaries: list[ProfileSummary]) -> str:
    """One row per summary; a value the launch lacks prints as "-". freq_mhz: Current/Rated Freq (NPU)."""
    def cell(value, spec):
        return "-" if value is None else format(value, spec)

    width = max([len("shape")] + [len(s.shape) for s in summaries])
    lines = [f"{'shape':<{width}} {'time_us':>10} {'blocks':>6} {'mix':>4}" + "".join(f" {k:>8}" for k in RATIO_KEYS)
             + f" {'freq_mhz':>9}  bound"]
    for s in summaries:
        cells = "".join(f" {cell(s.ratios.get(k), '.3f'):>8}" for k in RATIO_KEYS)
        freq = "-" if s.current_freq is None and s.rated_freq is None else \
            f"{cell(s.current_freq, '.0f')}/{cell(s.rated_freq, '.0f')}"
        lines.append(f"{s.shape:<{width}} {cell(s.time_us, '>10.2f'):>10} {cell(s.block_dim, 'd'):>6} "
                     f"{cell(s.mix_block_dim, 'd'):>4}{cells} {freq:>9}  {s.bound}")
    return "\n".join(lines)


# --- the shapes both sides profile (qconv.cases.PROFILE_CASES) ------------------------------------

def find_cases(names: str | None) -> list[Case]:
    """Comma-separated case names (None: all) -> cases, with a clear error for an unknown name."""
    return cases.by_name(PROFILE_CASES, names.split(",") if names else None, "--cases")


def profile_sim(profile_cases: list[Case], soc: str) -> list[ProfileSummary]:
    """Run each case in the twin of `soc` and summarise its counters."""
    from qconv import sim

    summaries = []
    for case in profile_cases:
        _, counters = sim.run(*cases.make_inputs(case), **case.attrs, soc=soc)
        summaries.append(summarise_sim(counters, soc, case.label))
    return summaries
