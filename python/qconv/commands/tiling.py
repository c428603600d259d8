"""`qconv-kit tiling --soc ascend910b 1x64x56x56 64x3x3 --pad 1`: the op_host tiling of one shape, readable.

Prints the block split, the tile sizes per level, buffer use per level in bytes and percent (double
buffers counted), the workspace layout and the modelled cost. --verify also walks the schedule and
checks every invariant (budgets, exactly-once coverage, int64 offsets); --json prints the raw dicts.
"""
from __future__ import annotations

import argparse
import json

from qconv import host
from qconv._generated import limits
from qconv.shapes import pair

_LEVELS = (("l1", "L1"), ("l0a", "L0A"), ("l0b", "L0B"), ("l0c", "L0C"), ("ub", "UB"))
# Every argument is parsed completely here, so that a malformed one is a usage error (exit 2, naming
# it) rather than a traceback further down: dims are integers the C++ core can hold (int64; its own
# checks then apply the documented ranges), attributes are in their limits.yaml range.
_DIM_MAX = 2**63 - 1


def _integers(text: str, separators: str) -> list[int]:
    parts = text.lower()
    for sep in separators[1:]:
        parts = parts.replace(sep, separators[0])
    try:
        return [int(v) for v in parts.split(separators[0])]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} must be integers separated by {separators[0]!r}") from None


def _shape(lengths: tuple[int, ...], what: str):
    def parse(text: str) -> list[int]:
        dims = _integers(text, "x,")
        if len(dims) not in lengths:
            raise argparse.ArgumentTypeError(f"{what} = {text} must have {' or '.join(map(str, lengths))} dims")
        for i, d in enumerate(dims):
            if not 0 <= d <= _DIM_MAX:
                raise argparse.ArgumentTypeError(limits.message("out_of_range", param=f"{what}[{i}]", value=d,
                                                                min=0, max=_DIM_MAX))
        return dims
    parse.__name__ = what        # argparse names the type in its messages
    return parse


def _in_range(param: str, range_name: str, value: int) -> int:
    lo, hi = limits.RANGES[range_name]
    if not lo <= value <= hi:
        raise argparse.ArgumentTypeError(limits.out_of_range_message(param, value, range_name))
    return value


def _pair_of(param: str, range_name: str):
    """'v' or 'vh,vw' -> [vh, vw] (qconv.shapes.pair's rule, from command-line text), each in range."""
    def parse(text: str) -> list[int]:
        dims = _integers(text, ",")
        try:
            values = list(pair(dims[0] if len(dims) == 1 else dims, param))
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return [_in_range(f"{param}[{i}]", range_name, v) for i, v in enumerate(values)]
    parse.__name__ = param
    return parse


def _int_of(param: str, range_name: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        return _in_range(param, range_name, value)
    parse.__name__ = param
    return parse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    socs = [s["name"] for s in _soc_table()] or [host.DEFAULT_SOC]
    parser.add_argument("input", type=_shape((4,), "input"), help="input shape NxCinxHxW, e.g. 1x64x56x56")
    parser.add_argument("weight", type=_shape((3, 4), "weight"),
                        help="weight shape CoutxKhxKw or CoutxCinxKhxKw, e.g. 64x3x3")
    parser.add_argument("--soc", default=host.DEFAULT_SOC, choices=socs)
    parser.add_argument("--stride", type=_pair_of("stride", "stride"), default=[1, 1], help="s or sh,sw (default 1)")
    parser.add_argument("--pad", type=_pair_of("pad", "padding"), default=[0, 0], help="p or ph,pw (default 0)")
    parser.add_argument("--dilation", type=_pair_of("dilation", "dilation"), default=[1, 1],
                        help="d or dh,dw (default 1)")
    parser.add_argument("--offset-x", type=_int_of("offset_x", "offset_x"), default=0)
    parser.add_argument("--bias", action="store_true", help="with an int32 bias")
    parser.add_argument("--scale-dtype", choices=("int64", "float32"), default="int64")
    parser.add_argument("--verify", action="store_true", help="walk the schedule and check every invariant")
    parser.add_argument("--json", action="store_true", help="print the raw tiling dict as JSON")


def _soc_table() -> list[dict]:
    try:
        return host.socs()
    except ImportError:
        return []


def _bytes(n: float) -> str:
    return f"{int(n):,}"


def render(args_text: dict, result: dict, soc: dict) -> str:
    d, r = result["data"], result["report"]
    cost = r["cost"]
    mode = "in-row (M tiles inside one output row)" if d["m_tile_mode"] == 1 else "across rows (M in 16-position units)"
    if d.get("m_images", 0) > 1:
        mode += f", {d['m_images']} whole images per tile"
    m_unit = "output rows" if d["m_tile_mode"] == 1 else "x16 positions"
    k_fracs = d["c1"] * d["kh"] * d["kw"]
    k_slices = (f" x K slices {d['k_dim']} ({d['k_chunks_per_block']} K chunk(s) each, partials added after a "
                f"second SyncAll)" if d.get("k_dim", 0) > 1 else "")
    lines = [
        f"QuantConv2d tiling on {soc['name']} (arch {soc['npu_arch']}, {soc['cube_cores']} cube cores, "
        f"{soc['topology']}, epilogue {soc['epilogue']})",
        f"  problem    x {args_text['input']} int8 * weight {args_text['weight']} int8, stride {args_text['stride']}, "
        f"pad {args_text['pad']}, dilation {args_text['dilation']}, offset_x {d['offset_x']}, "
        f"bias {'yes' if d['has_bias'] else 'no'}, scale {'float32' if d['scale_kind'] else 'int64'}",
        f"             -> y ({d['batch']}, {d['cout']}, {d['hout']}, {d['wout']}) float16; GEMM per image "
        f"M = {d['hout'] * d['wout']}, N = {d['cout']}, K = {k_fracs} x 32 = {k_fracs * 32}",
        f"  blocks     {d['block_dim']} = batch {d['batch_dim']} x n {d['n_dim']} x m {d['m_dim']}"
        f"{k_slices}; per block "
        f"{d['batch_per_block']} image(s), {d['n_per_block'] * 16} channels, {d['m_per_block']} m units "
        f"({m_unit}); {r['tiles_per_block']} tiles in the busiest block",
        f"  M tiles    {mode}",
        f"  L0 tile    m_l0 {d['m_l0']} x n_l0 {d['n_l0']} x k_l0 {d['k_l0']}; buffers L0A x{d['l0a_buffers']}, "
        f"L0B x{d['l0b_buffers']}, L0C x{d['l0c_buffers']}",
        f"  L1 chunks  {d['k_chunks']} K chunk(s) of {d['c1_per_chunk']} C1 group(s) x {d['kh_per_chunk']} kernel "
        f"row(s); fmap slab {_bytes(d['fmap_l1_bytes'])} B x{d['fmap_l1_buffers']}, weight slab "
        f"{_bytes(d['weight_l1_bytes'])} B x{d['weight_l1_buffers']}"
        f"{' (resident across m tiles)' if d['weight_resident'] else ''}",
        f"  UB tile    {d['ub_m']} x {d['ub_n']} x{d['ub_buffers']}, {_bytes(d['ub_bytes'])} B",
        f"  acc ring   {d['acc_slots']} slot(s) of {_bytes(d['acc_slot_bytes'])} B per block",
        "",
        "  buffer use per level (every buffer counted, double buffers included)",
        f"    {'level':<6}{'used B':>12}{'capacity B':>14}{'use':>8}",
    ]
    for key, name in _LEVELS:
        b = r["buffers"][key]
        pct = 100.0 * b["used_bytes"] / b["capacity_bytes"] if b["capacity_bytes"] else 0.0
        lines.append(f"    {name:<6}{_bytes(b['used_bytes']):>12}{_bytes(b['capacity_bytes']):>14}{pct:>7.1f}%")
    lines += [
        "",
        f"  workspace  fmap {_bytes(d['ws_fmap_bytes'])} B @ {d['ws_fmap_offset']}, weight {_bytes(d['ws_weight_bytes'])}"
        f" B @ {d['ws_weight_offset']}, acc {_bytes(d['ws_acc_bytes'])} B @ {d['ws_acc_offset']}; "
        f"total {_bytes(d['ws_total_bytes'])} B",
        "",
        f"  modelled cost, busiest block ({r['candidates_evaluated']} candidates evaluated)",
        f"    MACs {cost['macs']:,.0f}; cube {cost['cube_cycles']:,.0f} cycles; MTE2 (GM->L1) "
        f"{cost['mte2_cycles']:,.0f} cycles for {_bytes(cost['gm_to_l1_bytes'])} B + L2 re-reads "
        f"{_bytes(cost['l2_reread_bytes'])} B",
        f"    MTE1 (L1->L0) {cost['mte1_cycles']:,.0f} cycles for L0A {_bytes(cost['l1_to_l0a_bytes'])} B + L0B "
        f"{_bytes(cost['l1_to_l0b_bytes'])} B; out {cost['out_cycles']:,.0f} cycles for "
        f"{_bytes(cost['out_bytes'])} B; layout phase {cost['layout_cycles']:,.0f} cycles",
        f"    total {cost['total_cycles']:,.0f} cycles = {cost['time_us']:.2f} us at {soc['clock_ghz']} GHz; "
        f"cube roofline {cost['cube_bound_us']:.2f} us; cube utilisation {100 * cost['cube_utilisation']:.1f}%",
    ]
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    x, w = list(args.input), list(args.weight)
    if len(w) == 3:
        w = [w[0], x[1], w[1], w[2]]
    kwargs = dict(scale=([w[0]], args.scale_dtype), bias=([w[0]], "int32") if args.bias else None,
                  strides=args.stride, pads=args.pad, dilations=args.dilation, offset_x=args.offset_x)
    checked = host.check_params(x, w, soc=args.soc, **kwargs)
    if not checked["ok"]:
        print(f"qconv-kit tiling: {checked['message']}")
        return 2
    if x[0] == 0:
        print("qconv-kit tiling: input.shape[0] = 0: a batch of 0 has no tiling (the op returns an empty output "
              "without a launch); allowed: a batch of at least 1")
        return 2
    result = host.tiling(x, w, soc=args.soc, **kwargs)
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        soc = next(s for s in host.socs() if s["name"] == args.soc)
        text = {"input": tuple(x), "weight": tuple(w), "stride": tuple(args.stride), "pad": tuple(args.pad),
                "dilation": tuple(args.dilation)}
        print(render(text, result, soc))
    if args.verify:
        v = host.verify_tiling(x, w, soc=args.soc, **kwargs)
        status = "ok" if v["ok"] else f"FAILED: {v['message']}"
        print(f"\n  invariants {status} ({v['tiles']:,} tiles walked, {v['covered_elements']:,} output elements "
              f"covered once, {v['slabs_checked']:,} fmap slabs checked)")
        return 0 if v["ok"] else 1
    return 0
