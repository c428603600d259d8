"""The whole-model workflow shared by `qconv-kit model` and bench/bench_model.py: build a network
(qconv.models), convert it (qconv.quantize_model), run it layer by layer on a backend (qconv.model_run)
and measure it against the float network.

digits-cnn  trained on the digits' training split, calibrated on 256 of its images; float vs int8 top-1 on
            the held-out split (449 images), and whether the twin's predictions equal the CPU op's.
resnet50    random init; calibrated on `calibration` random images; SQNR of the int8 logits against the
            float logits on `batch` other random images.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch

from qconv import model_run, models
from qconv.quantize import QuantReport, quantize_model


@dataclass
class ModelResult:
    arch: str
    backend: str
    soc: str
    report: QuantReport
    layers: list[model_run.LayerRecord]
    metrics: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def mismatches(self) -> int:
        return sum(r.mismatches or 0 for r in self.layers)


def _timed(seconds: dict, key: str, fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    seconds[key] = time.perf_counter() - start
    return value


def evaluate_digits(backend: str = "cpu", soc: str | None = None, method: str = "minmax",
                    symmetric: bool = True, progress: bool = False) -> ModelResult:
    seconds: dict[str, float] = {}
    split = models.load_digits()
    model = _timed(seconds, "train", models.train_digits_cnn, split)
    qmodel, report = _timed(seconds, "convert", quantize_model, model, split.train_x[:256], method=method,
                            symmetric=symmetric, soc=soc)
    with torch.no_grad():
        float_logits = model(split.test_x)
    logits, layers = _timed(seconds, "run", model_run.run_model, qmodel, split.test_x, backend, report.soc, progress)
    metrics = {"float_top1": _accuracy(float_logits, split.test_y), "int8_top1": _accuracy(logits, split.test_y),
               "sqnr_db": model_run.sqnr_db(float_logits, logits), "test_images": len(split.test_y)}
    if backend == "sim":
        cpu_logits, _ = model_run.run_model(qmodel, split.test_x, "cpu", report.soc)
        metrics["predictions_differing_from_cpu_op"] = int((cpu_logits.argmax(1) != logits.argmax(1)).sum())
    return ModelResult("digits-cnn", backend, report.soc, report, layers, metrics, seconds)


def evaluate_resnet50(backend: str = "cpu", soc: str | None = None, method: str = "minmax",
                      symmetric: bool = True, size: int = 224, batch: int = 1, calibration: int = 2,
                      progress: bool = False) -> ModelResult:
    seconds: dict[str, float] = {}
    model = models.resnet50(seed=0)
    cal = models.random_images(calibration, size=size, seed=1)
    qmodel, report = _timed(seconds, "convert", quantize_model, model, cal, method=method, symmetric=symmetric,
                            soc=soc)
    x = models.random_images(batch, size=size, seed=2)
    with torch.no_grad():
        float_logits = _timed(seconds, "float", model, x)
    logits, layers = _timed(seconds, "run", model_run.run_model, qmodel, x, backend, report.soc, progress)
    metrics = {"sqnr_db": model_run.sqnr_db(float_logits, logits),
               "top1_agreement": 100.0 * (float_logits.argmax(1) == logits.argmax(1)).double().mean().item()}
    return ModelResult("resnet50", backend, report.soc, report, layers, metrics, seconds)


def _accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    return 100.0 * (logits.argmax(1) == labels).double().mean().item()


def evaluate(arch: str, **kwargs) -> ModelResult:
    if arch not in models.ARCHS:
        raise ValueError(f"arch = {arch!r} is not supported; allowed: {', '.join(map(repr, models.ARCHS))}")
    if arch == "digits-cnn":
        kwargs = {k: v for k, v in kwargs.items() if k not in ("size", "batch", "calibration")}
        return evaluate_digits(**kwargs)
    return evaluate_resnet50(**kwargs)
