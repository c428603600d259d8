"""Oracle tests: the kit against real torch_npu 2.13 / torchair code, run on the CPU.

Each test runs a script of this directory in a subprocess with real torch_npu (conftest.py says why
and how the oracle environment is found).
"""
from __future__ import annotations

import collections
import json
import os
import re
import subprocess
import sys

import pytest

import meta_cases as cases
from oracle_run import ROOT, run_oracle_script

META_CASES = 600
META_SEED = 20261127


def test_setup_oracle_is_idempotent(oracle_dir):
    """A finished oracle set-up returns at once without reinstalling (build.sh test runs it every time)."""
    site_mtime = (oracle_dir / "site").stat().st_mtime_ns
    proc = subprocess.run([str(ROOT / "tools" / "setup_oracle.sh"),
                           str(oracle_dir)], env={**os.environ, "PYTHON": sys.executable},
                          capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == f"[setup_oracle] ready ({oracle_dir})"
    assert (oracle_dir / "site").stat().st_mtime_ns == site_mtime
    libs = sorted(p.name for p in (oracle_dir / "stubs" / "lib").glob("*.so"))
    assert "libhccl.so" in libs and "libascendcl.so" in libs and "libge_runner.so" in libs


# --- meta parity ------------------------------------------------------------------------------------

# The parameter our message must name when we reject a case torch_npu accepts.
STRICTER_NAMES = {
    "groups_gt_1": r"weight\.shape\[1\]|groups",
    "stride_above_63": r"strides\[[01]\]",
    "pad_above_255": r"pads\[[01]\]",
    "dilation_above_255": r"dilations\[[01]\]",
    "kernel_above_255": r"kernel_size\[[01]\]",
    "kernel_zero": r"kernel_size\[[01]\]",
    "input_w_above_4096": r"input\.shape\[3\]",
    "input_h_above_100000": r"input\.shape\[2\]",
    "round_mode_other": r"round_mode",
    "offset_given": r"offset",
    "float8_input": r"input",
}


@pytest.fixture(scope="module")
def meta_records(oracle_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("meta") / "records.jsonl"
    run_oracle_script(oracle_dir, "meta_parity.py", META_CASES, META_SEED, out, cwd=out.parent)
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_meta_parity_covers_every_mutation(meta_records):
    assert len(meta_records) >= 500
    seen = collections.Counter(r["case"]["mutation"] for r in meta_records)
    assert set(seen) == set(cases.MUTATIONS)
    assert seen["valid"] >= 150


def test_meta_parity_agrees_with_torch_npu(meta_records):
    disagreements = []
    for r in meta_records:
        if r["case"]["mutation"] not in cases.AGREE:
            continue
        ours, theirs = r["ours"], r["torch_npu"]
        same = ours["ok"] == theirs["ok"] and (not ours["ok"] or (ours["shape"], ours["dtype"]) ==
                                               (theirs["shape"], theirs["dtype"]))
        if not same or (r["case"]["mutation"] == "valid" and not ours["ok"]):
            disagreements.append(r)
        elif not ours["ok"]:
            # our rejection is a checker's error, not a crash inside the kernel
            assert ours["error"] in ("ValueError", "TypeError"), r
    assert not disagreements, json.dumps(disagreements[:5], indent=1)


def test_meta_parity_deliberate_differences(meta_records, capsys):
    listed = collections.Counter()
    for r in meta_records:
        mutation, ours, theirs = r["case"]["mutation"], r["ours"], r["torch_npu"]
        if mutation in cases.OURS_STRICTER:
            assert not ours["ok"], r
            assert ours["error"] in ("ValueError", "TypeError"), r
            assert re.search(STRICTER_NAMES[mutation], ours["message"]), r
            if theirs["ok"]:
                listed[mutation] += 1
        elif mutation in cases.OURS_LOOSER:
            normalised = r["torch_npu_normalised"]
            assert not theirs["ok"], r
            assert ours["ok"] and normalised["ok"], r
            assert (ours["shape"], ours["dtype"]) == (normalised["shape"], "float16") == \
                (normalised["shape"], normalised["dtype"]), r
            listed[mutation] += 1
    with capsys.disabled():
        print("\nmeta parity: deliberate differences from torch_npu 2.13 (cases where the verdicts differ)")
        for mutation, n in sorted(listed.items()):
            reason = {**cases.OURS_STRICTER, **cases.OURS_LOOSER}[mutation]
            print(f"  {n:3d} x {mutation}: {reason}")
    # every listed difference really shows up (otherwise the list is stale)
    assert set(listed) == set(cases.OURS_STRICTER) | set(cases.OURS_LOOSER)


# --- graph build ------------------------------------------------------------------------------------

GE_INPUT_NAMES = ["x", "filter", "scale", "bias"]
GE_ATTR_NAMES = {"strides", "pads", "dilations", "groups", "data_format", "offset_x", "round_mode", "dtype"}
GE_DT_FLOAT16 = 1          # graph/types.h DataType, the value the aclop QuantConv2D path sends too


@pytest.fixture(scope="module")
def graph_summary(oracle_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("graph")
    run_oracle_script(oracle_dir, "graph_build.py", out, cwd=out)
    return out, json.loads((out / "summary.json").read_text())


def _expected_output_hw(h, w, spec):
    from qconv.shapes import output_size
    return output_size(h, w, *spec["kernel"], spec["stride"], spec["padding"], spec["dilation"])


def _meta(shape, dtype):
    return f"Tensor(dtype=torch.{dtype}, shape=torch.Size({list(shape)})"


def test_graph_has_one_node_per_layer(graph_summary):
    out, summary = graph_summary
    assert summary["converter_registered"]
    assert len(summary["nodes"]) == len(summary["layers"]) == 4
    dumps = list(out.glob("dynamo_original_graph_*.pbtxt"))
    assert dumps and "QuantConv2dCustom" in dumps[0].read_text()
    assert "QuantConv2D\"" not in (out / "ge_graph.txt").read_text()   # never CANN's built-in op


def test_graph_nodes_inputs_dtypes_attributes(graph_summary):
    _, summary = graph_summary
    n, c, h, w = summary["input_shape"]
    for node, spec in zip(summary["nodes"], summary["layers"]):
        assert node["type"] == "QuantConv2dCustom"
        descs = node["input_descs"]
        assert [d["name"] for d in descs] == GE_INPUT_NAMES
        kh, kw = spec["kernel"]
        assert descs[0]["dtype"] == "DT_INT8" and descs[0]["meta"] == _meta((n, spec["cin"], h, w), "int8")
        assert descs[1]["dtype"] == "DT_INT8"
        assert descs[1]["meta"] == _meta((spec["cout"], spec["cin"], kh, kw), "int8")
        scale_dt = {"int64": "DT_INT64", "float32": "DT_FLOAT"}[spec["scale_dtype"]]
        assert descs[2]["dtype"] == scale_dt and descs[2]["meta"] == _meta((spec["cout"],), spec["scale_dtype"])
        # a float32 scale reaches the node unconverted (the kernel applies the fp19 mask, as in eager)
        assert summary["producers"][node["inputs"][2].split(":")[0]] == "Data"
        if spec["bias"]:
            assert descs[3]["dtype"] == "DT_INT32" and descs[3]["meta"] == _meta((spec["cout"],), "int32")
        else:
            assert node["inputs"][3] == "" and descs[3]["dtype"] == "DT_UNDEFINED"
        (sh, sw), (ph, pw), (dh, dw) = spec["stride"], spec["padding"], spec["dilation"]
        assert node["attrs"] == {
            "strides": [1, 1, sh, sw], "pads": [ph, ph, pw, pw], "dilations": [1, 1, dh, dw], "groups": 1,
            "data_format": "NCHW", "offset_x": spec["offset_x"], "round_mode": "rint", "dtype": GE_DT_FLOAT16,
        }
        assert set(node["attrs"]) == GE_ATTR_NAMES
        h, w = _expected_output_hw(h, w, spec)
        [y] = node["output_descs"]
        assert y["name"] == "y" and y["dtype"] == "DT_FLOAT16"
        assert y["meta"] == _meta((n, spec["cout"], h, w), "float16")
    assert summary["eager_output_shape"] == [n, summary["layers"][-1]["cout"], h, w]
