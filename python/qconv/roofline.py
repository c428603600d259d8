"""A network's convolutions in the twin against the minimal-traffic roofline: per layer the modelled time
(qconv.cycle_model on the twin's exact counts), the bound (x, weight, y moved once at the chip's HBM bandwidth,
or the cube's peak), their ratio and what bounds the model, and the model's floor for the kit's data path
(cycle_model.floor: the fixed DMA costs no tiling avoids); `qconv-kit roofline` and bench/bench_roofline.py
print it, `plot` draws it.

Weights go in as the deployed module passes them: packed once into FRACTAL_Z (qconv.pack_fractal_z), so no
launch lays a weight out; `weight_format="NCHW"` measures the plain-filter path instead.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Iterable

from qconv import cases, cycle_model

MODELS = {"resnet50": cases.RESNET50}
WEIGHT_FORMATS = ("FRACTAL_Z", "NCHW")


@dataclass(frozen=True)
class LayerRow:
    name: str
    shape: str
    model_us: float
    bound_us: float
    limit: str          # "cube" or "mem": what sets the bound
    bound_by: str       # what sets the model's longest phase: "core aic3 MTE2", "hbm", "l2"
    phases_us: tuple
    blocks: int
    floor_us: float = 0.0  # cycle_model.floor: the least the model charges the kit's data path for the layer
    k_slices: int = 1      # the tiling's K slices (k_dim): > 1 adds the partials' reduction phase

    @property
    def ratio(self) -> float:
        return self.model_us / self.bound_us


def layers(model: str, batch: int, names: Iterable[str] | None = None) -> list[cases.Case]:
    """The network's convolutions at `batch` images (only those called `names`, in that order, if given)."""
    if model not in MODELS:
        raise ValueError(f"model = {model!r} is not supported; allowed: {', '.join(MODELS)}")
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise ValueError(f"batch = {batch!r} is not supported; allowed: an integer >= 1")
    chosen = cases.by_name(MODELS[model], names, param="layers")
    return [dataclasses.replace(c, n=batch) for c in chosen]


def measure(case: cases.Case, soc: str, weight_format: str = "FRACTAL_Z", seed: int = 0) -> LayerRow:
    """Run `case` once in the twin of `soc` and put its counts through the cycle model."""
    from qconv import sim
    from qconv.weight_format import pack_fractal_z

    if weight_format not in WEIGHT_FORMATS:
        raise ValueError(f"weight_format = {weight_format!r} is not supported; allowed: {', '.join(WEIGHT_FORMATS)}")
    x, w, scale, bias = cases.make_inputs(case, seed)
    weight = pack_fractal_z(w) if weight_format == "FRACTAL_Z" else w
    _, counters = sim.run(x, weight, scale, bias, soc=soc, **case.attrs)
    m = cycle_model.model_launch(counters, soc)
    ho, wo = case.out_hw
    b = cycle_model.bound(soc, case.n, case.cin, *case.hw, case.cout, *case.kernel, ho, wo)
    path = counters.tiling.get("fmap_path")
    layout_pass = path != 1 or weight_format != "FRACTAL_Z"  # 1: direct GEMM
    # 3: subsampled (1x1, pad 0, stride > 1): only the kept input rows are read.
    x_read = case.n * case.cin * ho * case.hw[1] if path == 3 else None
    floor_us = cycle_model.floor(soc, case.n, case.cin, *case.hw, case.cout, *case.kernel, ho, wo, layout_pass,
                                 x_read)
    return LayerRow(case.name, case.shape(), m.time_us, b.time_us, b.limit, m.bound_by, tuple(m.phases_us),
                    counters.tiling.get("block_dim", 0), floor_us, max(counters.tiling.get("k_dim", 1), 1))


def run(model: str, soc: str, batch: int = 1, weight_format: str = "FRACTAL_Z",
        progress: Callable[[Iterable], Iterable] | None = None, names: Iterable[str] | None = None) -> list[LayerRow]:
    todo = layers(model, batch, names)
    return [measure(c, soc, weight_format) for c in (progress(todo) if progress else todo)]


def format_table(rows: list[LayerRow], soc: str) -> str:
    width = max(len(r.name) for r in rows)
    lines = [f"{'layer':<{width}} {'shape':<32} {'model_us':>9} {'bound_us':>9} {'ratio':>6} {'bound':>5} "
             f"{'floor_us':>9} {'blocks':>6}  model bound by (phases us)"]
    for r in rows:
        phases = ", ".join(f"{p:.2f}" for p in r.phases_us)
        lines.append(f"{r.name:<{width}} {r.shape:<32} {r.model_us:>9.2f} {r.bound_us:>9.2f} {r.ratio:>6.2f} "
                     f"{r.limit:>5} {r.floor_us:>9.2f} {r.blocks:>6}  {r.bound_by} ({phases})")
    lines.append(summary(rows, soc))
    return "\n".join(lines)


def summary(rows: list[LayerRow], soc: str) -> str:
    model = sum(r.model_us for r in rows)
    bound = sum(r.bound_us for r in rows)
    worst = max(rows, key=lambda r: r.ratio)
    floor = sum(r.floor_us for r in rows)
    return (f"total {soc}: model {model:.1f} us, bound {bound:.1f} us, ratio {model / bound:.2f}; "
            f"worst layer {worst.name} {worst.ratio:.2f}x; layers above 3x: {sum(r.ratio > 3 for r in rows)}; "
            f"the model's floor for this data path {floor:.1f} us ({floor / bound:.2f}x the bound)")


def plot(rows: list[LayerRow], soc: str, path: str, title: str = "") -> None:
    """Modelled time and bound per layer as a PNG (matplotlib)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(8.0, 0.22 * len(rows)), 4.5))
    xs = range(len(rows))
    ax.bar(xs, [r.model_us for r in rows], color="tab:orange", label="modelled (twin counts x cited rates)")
    ax.plot(xs, [r.bound_us for r in rows], "k_", markersize=9, mew=2, label="minimal-traffic bound")
    ax.set_xticks(list(xs))
    ax.set_xticklabels([r.name for r in rows], rotation=90, fontsize=6)
    ax.set_ylabel("microseconds")
    ax.set_title(title or summary(rows, soc), fontsize=8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
