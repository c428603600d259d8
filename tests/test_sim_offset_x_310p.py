"""The kernel in the ascend310p twin computes the 310P semantics of offset_x: the zero-point form
acc = sum of (xpad - offset_x) * w (configs/socs.yaml offset_x_form; CANN 8.1.RC1 TBE conv_compute.py,
`offset_d = offset_x if is_support_v200() else 0`), bit-exact with golden(soc="ascend310p").

Two sweeps, every problem with offset_x != 0 (where the two forms differ, padding or not): the 200
ascend310p problems of test_sim_exact.py, and the 53 ResNet-50 convolutions."""
from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
import torch

from qconv import _native, cases, reference, target

try:
    _native.load("_sim")
except _native.NativeModuleMissing as e:  # pragma: no cover - reported, not hidden
    pytest.fail(str(e), pytrace=False)

import test_sim_exact as exact  # noqa: E402  (tests/ is on sys.path: its problem list and helpers)
from qconv import sim  # noqa: E402

SOC = "ascend310p"
OFFSETS = (-128, -5, -1, 1, 3, 127)   # offsets used where a case has offset_x 0


def sweep_cases() -> list[tuple]:
    """test_sim_exact's ascend310p problems, each with a nonzero offset_x (the case's own, else a seeded one)."""
    rng = random.Random("qconv-sim-offset-x-310p")
    return [case[:10] + (case[10] or rng.choice(OFFSETS),) + case[11:] for case in exact.cases_for(SOC)]


def resnet50_case(index: int) -> cases.Case:
    return dataclasses.replace(cases.RESNET50[index], scale_dtype="float32" if index % 2 else "int64",
                               offset_x=OFFSETS[index % len(OFFSETS)])


def test_the_sweeps_exercise_the_difference():
    """Every problem has offset_x != 0, and the two golden forms differ on nearly all of them (else these
    tests could not tell the forms apart)."""
    problems = [exact.make_problem(case, seed=i) for i, case in enumerate(sweep_cases())]
    assert len(problems) == exact.CASES_PER_SOC and all(p["offset_x"] for p in problems)
    assert all(resnet50_case(i).offset_x for i in range(len(cases.RESNET50)))
    differ = 0
    for p in problems:
        args = (p["x"], p["weight"], p["scale"], p["bias"], p["stride"], p["padding"], p["dilation"], p["offset_x"])
        zero_point, pad_only = (reference.quant_conv2d(*args, soc=soc) for soc in (SOC, "ascend910b"))
        differ += not torch.equal(zero_point.view(torch.int16), pad_only.view(torch.int16))
    assert differ >= 0.9 * len(problems)


@pytest.mark.parametrize("index", range(exact.CASES_PER_SOC))
def test_twin_310p_zero_point_form(index):
    problem = exact.make_problem(sweep_cases()[index], seed=index)
    y, _ = sim.run(soc=SOC, **problem)
    with target.using(SOC):           # exact.assert_bit_exact compares with the golden of the target SoC
        exact.assert_bit_exact(y, problem)


@pytest.mark.parametrize("index", range(len(cases.RESNET50)), ids=[layer.name for layer in cases.RESNET50])
def test_resnet50_layer_310p_zero_point_form(index):
    layer = resnet50_case(index)
    x, w, scale, bias = cases.make_inputs(layer, seed=index)
    y, _ = sim.run(x, w, scale, bias, **layer.attrs, soc=SOC)
    golden = reference.quant_conv2d(x.numpy(), w.numpy(), scale.numpy(), bias.numpy(), **layer.attrs, soc=SOC)
    differ = np.count_nonzero(y.numpy().view(np.uint16) != golden.view(np.uint16))
    assert differ == 0, f"{layer.name} (offset_x {layer.offset_x}) on {SOC}: {differ} of {golden.size} outputs differ"
