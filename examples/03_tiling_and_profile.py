"""Example 3: how op_host tiles one shape, and the twin's per-pipe profile of it.

    .venv/bin/python examples/03_tiling_and_profile.py

qconv.host runs the C++ host core (op_host/): the parameter checks the CANN adapters run, then the tiling
engine, whose report gives each on-chip buffer's use against the SoC's capacity (configs/socs.yaml).
verify_tiling walks the schedule and checks every invariant (budgets, every output computed exactly once).
qconv.profiling turns the twin's counters into the columns msprof reports on an NPU; the cycle model
behind them is described in docs/measurement.md. `qconv-kit tiling` and `qconv-kit profile` print the same.
"""
import qconv
from qconv import cases, profiling
from qconv._generated.socs import DEFAULT as soc   # configs/socs.yaml default_soc
case = cases.by_name(cases.PROFILE_CASES, ["small_3x3"])[0]
x_shape, w_shape = (case.n, case.cin, *case.hw), (case.cout, case.cin, *case.kernel)

tiling = qconv.host.tiling(x_shape, w_shape, strides=case.stride, pads=case.padding, soc=soc)
print(f"{case.label} on {soc}: {tiling['data']['block_dim']} blocks")
for level, use in tiling["report"]["buffers"].items():
    print(f"  {level:<4} {use['used_bytes']:>7} of {use['capacity_bytes']:>7} bytes")
    assert use["used_bytes"] <= use["capacity_bytes"]

verified = qconv.host.verify_tiling(x_shape, w_shape, strides=case.stride, pads=case.padding, soc=soc)
print(f"  schedule walked: {verified['covered_elements']} outputs, each computed exactly once: {verified['ok']}")
assert verified["ok"], verified["message"]

summaries = profiling.profile_sim([case], soc)
print(profiling.format_table(summaries))
assert summaries[0].ratios["cube"] > 0
print("OK")
