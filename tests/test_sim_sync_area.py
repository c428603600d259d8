"""The kernel needs no zeroed workspace: GE graph mode hands it uncleared pool memory (op_kernel/README.md,
"GE graph mode"). On 2002 every core clears the soft SyncAll area itself before the barrier
(op_kernel/stage_cross_core.h), so launches on one workspace that nobody clears, filled with another
op's leftovers, stay bit-exact. The twin sees the caller's workspace as undefined at every launch
(qconv._sim_faults.run_on_workspace): a kernel that read the SyncAll area, or any workspace byte, before
writing it would be stopped ("must be zero-initialised but holds undefined data")."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from qconv import _native, host, reference
from qconv.scale import trans_quant_param

try:
    faults = _native.load("_sim_faults")
except _native.NativeModuleMissing as e:  # pragma: no cover - reported, not hidden
    pytest.fail(f"{e} (cmake --build <build> --target _sim_faults)", pytrace=False)

SOCS = ("ascend910b", "ascend310p")
GARBAGE = 0xA5  # what another op left in GE's pool

# (n, cin, h, w, cout, kh, kw, stride, padding): the first uses every core of 310P, the second fewer.
PROBLEMS = [
    (2, 64, 14, 14, 64, 3, 3, 1, 1),
    (1, 5, 6, 6, 7, 3, 3, 2, 0),
]


def _problem(n, cin, h, w, cout, kh, kw, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(-128, 128, (n, cin, h, w), generator=g, dtype=torch.int8).numpy()
    weight = torch.randint(-128, 128, (cout, cin, kh, kw), generator=g, dtype=torch.int8).numpy()
    scale = trans_quant_param(torch.rand(cout, generator=g) * 1e-3).numpy()
    bias = torch.randint(-1000, 1000, (cout,), generator=g, dtype=torch.int32).numpy()
    return x, weight, scale, bias


def _tiling(x, weight, stride, padding, soc):
    return host.tiling(list(x.shape), list(weight.shape), scale=[weight.shape[0]], bias=[weight.shape[0]],
                       strides=stride, pads=padding, soc=soc)["data"]


def _run(x, weight, scale, bias, stride, padding, soc, workspace):
    y, _, _ = faults.run_on_workspace(x, weight, scale, bias, [stride, stride], [padding, padding], [1, 1], 0, soc,
                                      workspace)
    return y


def _assert_exact(y, x, weight, scale, bias, stride, padding):
    golden = reference.quant_conv2d(x, weight, scale, bias, stride, padding, 1, 0)
    assert np.array_equal(y.view(np.uint16), golden.view(np.uint16))


@pytest.mark.parametrize("soc", SOCS)
@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: "x".join(map(str, p[:5])))
def test_two_launches_on_one_uncleared_workspace_are_exact(soc, problem):
    n, cin, h, w, cout, kh, kw, stride, padding = problem
    x, weight, scale, bias = _problem(n, cin, h, w, cout, kh, kw, seed=1)
    td = _tiling(x, weight, stride, padding, soc)
    workspace = np.full(td["ws_total_bytes"], GARBAGE, dtype=np.uint8)
    for _ in range(2):  # the second launch finds what the first left, as a cached GE allocation would
        _assert_exact(_run(x, weight, scale, bias, stride, padding, soc, workspace), x, weight, scale, bias, stride,
                      padding)


def test_310p_kernel_overwrites_the_sync_area():
    n, cin, h, w, cout, kh, kw, stride, padding = PROBLEMS[0]
    x, weight, scale, bias = _problem(n, cin, h, w, cout, kh, kw, seed=2)
    td = _tiling(x, weight, stride, padding, "ascend310p")
    assert td["ws_sync_bytes"] == td["block_dim"] * 32 and td["block_dim"] > 1
    workspace = np.full(td["ws_total_bytes"], GARBAGE, dtype=np.uint8)
    _run(x, weight, scale, bias, stride, padding, "ascend310p", workspace)
    area = workspace[td["ws_sync_offset"]:td["ws_sync_offset"] + td["ws_sync_bytes"]]
    # The twin's SyncAll is an ideal barrier that writes no flag words, so what remains is the kernel's clear
    # (on the NPU each core's word then holds 1).
    assert not np.any(area)


def test_one_workspace_shared_by_different_problems():
    """GE's pool gives a later node the bytes an earlier one used: a smaller problem, then a larger one, then the
    smaller again, on one workspace sized for the largest."""
    soc = "ascend310p"
    runs = []
    for seed, (n, cin, h, w, cout, kh, kw, stride, padding) in enumerate([PROBLEMS[1], PROBLEMS[0], PROBLEMS[1]]):
        x, weight, scale, bias = _problem(n, cin, h, w, cout, kh, kw, seed=10 + seed)
        runs.append((x, weight, scale, bias, stride, padding))
    size = max(_tiling(x, weight, stride, padding, soc)["ws_total_bytes"] for x, weight, _, _, stride, padding in runs)
    workspace = np.full(size, GARBAGE, dtype=np.uint8)
    for x, weight, scale, bias, stride, padding in runs:
        _assert_exact(_run(x, weight, scale, bias, stride, padding, soc, workspace), x, weight, scale, bias, stride,
                      padding)


def test_every_310p_exact_case_in_turn_on_one_workspace():
    """The 200 ascend310p cases of test_sim_exact, one after the other on a single workspace nobody clears."""
    import test_sim_exact as exact

    soc = "ascend310p"
    problems = [exact.make_problem(case, seed=i) for i, case in enumerate(exact.cases_for(soc))]
    args = [(p["x"].numpy(), p["weight"].numpy(), p["scale"].numpy(), None if p["bias"] is None else p["bias"].numpy(),
             list(p["stride"]), list(p["padding"]), list(p["dilation"]), p["offset_x"]) for p in problems]
    size = max(host.tiling(list(a[0].shape), list(a[1].shape), scale=list(a[2].shape),
                           bias=None if a[3] is None else list(a[3].shape), strides=a[4], pads=a[5], dilations=a[6],
                           offset_x=a[7], soc=soc)["data"]["ws_total_bytes"] for a in args)
    workspace = np.full(size, GARBAGE, dtype=np.uint8)
    for problem, a in zip(problems, args):
        y, _, _ = faults.run_on_workspace(*a, soc, workspace)
        exact.assert_bit_exact(torch.from_numpy(y), problem, soc)


def test_too_small_workspace_is_refused():
    n, cin, h, w, cout, kh, kw, stride, padding = PROBLEMS[0]
    x, weight, scale, bias = _problem(n, cin, h, w, cout, kh, kw, seed=3)
    need = _tiling(x, weight, stride, padding, "ascend310p")["ws_total_bytes"]
    with pytest.raises(ValueError, match=f"workspace holds {need - 32} bytes; the tiling needs {need}"):
        _run(x, weight, scale, bias, stride, padding, "ascend310p", np.zeros(need - 32, dtype=np.uint8))
