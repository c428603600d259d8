"""Fuzz of every public entry point with generated good and bad arguments (run by test_fuzz_entry_points.py
in a subprocess, so that a crash or a hang fails that test instead of killing pytest).

Each example is a small valid problem plus at most a few arguments replaced, each replacement drawn either
from a pool of values that must be accepted (numpy integers, one-element integer tensors, tuples,
non-contiguous or expanded tensors, int64 scales with garbage in the bits the hardware ignores) or from a
pool that must be refused (floats, strings, bools, None, out-of-range integers, wrong dtypes, ranks,
shapes, layouts and devices, non-finite scales, ...). Per call it asserts:
  - a refusal is a ValueError or TypeError (or the dispatcher's schema error for torch.ops) whose message
    names the replaced parameter; an accepted call had no bad replacement;
  - an accepted call's output is bit-exact with the golden (qconv.reference), or for meta / fake tensors
    has the golden's shape;
  - the caller's tensors are unchanged.
Entry points: torch.ops.qconv.quant_conv2d, qconv.quant_conv2d, QuantConv2d (construction, forward,
load_state_dict, from_float), torch.compile, meta and fake tensors, qconv.sim.run, the scale helpers,
qconv.host and the CLI (tiling, profile).

    python tests/fuzz_entry_points.py [--scale 1.0] [--seed 0]
--scale multiplies every entry point's example count (the suite runs 1.0, bounded to ~1 minute on 2 cores).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import math
import pathlib
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace

# The package of this checkout, whatever an editable install elsewhere points at (a script's sys.path
# starts with tests/, not with the repository).
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "python"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings, strategies as st  # noqa: E402

import qconv  # noqa: E402
import qconv.host  # noqa: E402
import qconv.sim  # noqa: E402
from qconv import QuantConv2d, reference  # noqa: E402
from qconv.scale import decode_quant_param, hardware_scale, trans_quant_param  # noqa: E402

# --------------------------------------------------------------------------------------------------
# The problem and its replacements

INT_ATTRS = ("strides", "pads", "dilations")


@dataclass
class Problem:
    """A valid QuantConv2d call: shapes, attributes (exact ints), data seed."""
    n: int
    cin: int
    cout: int
    h: int
    w: int
    kh: int
    kw: int
    strides: tuple
    pads: tuple
    dilations: tuple
    offset_x: int
    scale_dtype: torch.dtype
    has_bias: bool
    seed: int
    # replaced argument -> "ok" (a good spelling) or its name (a bad value the refusal must name)
    replaced: dict = field(default_factory=dict)

    def tensors(self):
        g = torch.Generator().manual_seed(self.seed)
        x = torch.randint(-128, 128, (self.n, self.cin, self.h, self.w), generator=g, dtype=torch.int8)
        w = torch.randint(-128, 128, (self.cout, self.cin, self.kh, self.kw), generator=g, dtype=torch.int8)
        s = torch.rand(self.cout, generator=g) * 2.0**-9
        if self.scale_dtype == torch.int64:
            s = trans_quant_param(s)
        b = torch.randint(-2**20, 2**20, (self.cout,), generator=g, dtype=torch.int32) if self.has_bias else None
        return {"input": x, "weight": w, "scale": s, "bias": b}

    @property
    def bad(self) -> bool:
        return any(expected != "ok" for expected in self.replaced.values())


@st.composite
def problems(draw, min_n=0, min_wo=1):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    pads = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilations = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    h_min = max(1, dilations[0] * (kh - 1) + 1 - 2 * pads[0])
    w_min = max(1, dilations[1] * (kw - 1) + 1 - 2 * pads[1] + (min_wo - 1) * strides[1])
    return Problem(n=draw(st.integers(min_n, 2)), cin=draw(st.integers(1, 5)), cout=draw(st.integers(1, 5)),
                   h=draw(st.integers(h_min, h_min + 6)), w=draw(st.integers(w_min, w_min + 6)), kh=kh, kw=kw,
                   strides=strides, pads=pads, dilations=dilations, offset_x=draw(st.integers(-128, 127)),
                   scale_dtype=draw(st.sampled_from([torch.int64, torch.float32])), has_bias=draw(st.booleans()),
                   seed=draw(st.integers(0, 2**16)))


def _not_int_values(valid: int):
    """Values that must never pass as an integer attribute (the lru_cache poisoning family included)."""
    return st.sampled_from([float(valid), valid + 0.5, str(valid), None, True, False, np.float32(valid),
                            torch.tensor(float(valid)), [valid, valid, valid][:1], complex(valid, 0),
                            b"1", {"a": 1}])


def attr_replacements(p: Problem, name: str, range_lo: int, range_hi: int, pair: bool):
    """(value, ok?) for one integer attribute: good spellings of the valid value, or bad values."""
    current = getattr(p, name)
    v = current[0] if pair else current
    scalars = [np.int64(v), torch.tensor(v), v]
    good = ([tuple(current), list(current), np.array(current), torch.tensor(list(current))]
            + (scalars if current[0] == current[1] else [])) if pair else scalars
    bad_ints = [range_lo - 1, range_hi + 1, 2**63, -(2**64)]
    bad = st.one_of(_not_int_values(v), st.sampled_from(bad_ints))
    if pair:
        bad = st.one_of(bad, st.sampled_from([[v], [v, v, v], [float(v), v], (v, None), (v, "1"), [], "11",
                                              [v, range_hi + 1], (range_lo - 1, v)]))
    return st.one_of(st.sampled_from(good).map(lambda g: (g, True)), bad.map(lambda b: (b, False)))


def tensor_replacements(p: Problem, name: str, t: torch.Tensor | None):
    """(value, ok?) for one tensor argument."""
    good = []
    bad = []
    if t is not None:
        good.append(t.clone())
        if t.dim() == 4:
            good += [t.contiguous(memory_format=torch.channels_last), t.transpose(2, 3).contiguous().transpose(2, 3)]
        if t.dim() >= 1 and t.shape[0] >= 1:
            good.append(t[:1].expand(t.shape))                          # stride-0 (expanded) tensor
        bad += [t.double() if name == "scale" else t.float(), t.to(torch.uint8), t.to(torch.int16),
                t.to(torch.bool), t.to(torch.complex64), t.unsqueeze(0), t.flatten(0, 1) if t.dim() > 1 else t[:0],
                t.to("meta"), t.to_sparse(), t.tolist(), t.numpy()]
        if name != "input":        # one more output channel than the others have (a batch row is valid)
            bad.append(torch.cat([t, t[:1]]) if t.shape[0] else torch.zeros((1,) + tuple(t.shape[1:]), dtype=t.dtype))
        if name == "input":
            bad.append(torch.quantize_per_tensor(t.float(), 0.5, 0, torch.qint8))
            bad.append(t[:, :max(t.shape[1] - 1, 0)] if t.shape[1] > 1 else torch.cat([t, t], dim=1))
        if name == "scale":
            nonfinite = t.clone()
            if t.dtype == torch.float32:
                nonfinite[-1] = float("nan")
            else:
                nonfinite[-1] = 0x7F800000            # fp19 +inf
            bad.append(nonfinite)
            garbage = (t & 0xFFFFFFFF) | (torch.arange(t.numel(), dtype=torch.int64) << 40) | 0x1FFF \
                if t.dtype == torch.int64 else t.clone()
            good.append(garbage)
    if name in ("input", "weight", "scale"):
        bad += [None, 3, "x"]
    return st.one_of(st.sampled_from(good).map(lambda g: (g, True)) if good else st.nothing(),
                     st.sampled_from(bad).map(lambda b: (b, False)))


# Accepted parameter names in refusals, per entry point: the problem's name -> what a message may say.
OP_NAMES = {"strides": ("strides", "stride"), "pads": ("pads", "pad"), "dilations": ("dilations", "dilation"),
            "offset_x": ("offset_x",), "groups": ("groups",), "input": ("input",), "weight": ("weight",),
            "scale": ("scale",), "bias": ("bias",), "round_mode": ("round_mode",), "output_dtype": ("output_dtype",),
            "offset": ("offset",)}
MODULE_NAMES = {**OP_NAMES, "strides": ("stride",), "pads": ("padding",), "dilations": ("dilation",)}
ATTR_RANGES = {"strides": (1, 63), "pads": (0, 255), "dilations": (1, 255)}


@st.composite
def replaced(draw, p: Problem, tensors: dict, max_replaced=2, tensors_allowed=True, extra=(), exclude=()):
    """Picks up to max_replaced arguments and their replacements; returns (problem, values)."""
    names = list(INT_ATTRS) + ["offset_x", "groups"] + (["input", "weight", "scale", "bias"] if tensors_allowed
                                                         else []) + list(extra)
    names = [n for n in names if n not in exclude]
    chosen = draw(st.lists(st.sampled_from(names), max_size=max_replaced, unique=True))
    values = {"strides": p.strides, "pads": p.pads, "dilations": p.dilations, "offset_x": p.offset_x, "groups": 1,
              "round_mode": "rint", "output_dtype": None, "offset": None, **tensors}
    record = {}
    for name in chosen:
        if name in INT_ATTRS:
            value, ok = draw(attr_replacements(p, name, *ATTR_RANGES[name], pair=True), label=name)
        elif name == "offset_x":
            value, ok = draw(attr_replacements(p, name, -128, 127, pair=False), label=name)
        elif name == "groups":
            value, ok = draw(st.one_of(st.sampled_from([np.int32(1), torch.tensor(1)]).map(lambda v: (v, True)),
                                       st.sampled_from([2, 0, 1.0, "1", None, True]).map(lambda v: (v, False))),
                             label=name)
        elif name == "round_mode":
            value, ok = draw(st.sampled_from(["round", "", None, 0, b"rint"]), label=name), False
        elif name == "output_dtype":
            value, ok = draw(st.sampled_from([(torch.float16, True), (torch.float32, False), ("float16", False),
                                              (torch.int8, False)]), label=name)
        elif name == "offset":
            value, ok = draw(st.sampled_from([torch.zeros(p.cout), torch.zeros(1)]), label=name), False
        else:
            if name == "bias" and tensors["bias"] is None:
                value, ok = draw(st.sampled_from([(torch.zeros(p.cout, dtype=torch.int32), True),
                                                  (torch.zeros(p.cout + 1, dtype=torch.int32), False),
                                                  (torch.zeros(p.cout), False)]), label=name)
            else:
                value, ok = draw(tensor_replacements(p, name, tensors[name]), label=name)
        values[name] = value
        record[name] = "ok" if ok else name
    return replace(p, replaced=record), values


# --------------------------------------------------------------------------------------------------
# Checks shared by every entry point

STATS: dict[str, dict[str, int]] = {}


def _count(entry: str, what: str) -> None:
    STATS.setdefault(entry, {}).setdefault(what, 0)
    STATS[entry][what] += 1


def _snapshot(values) -> list:
    out = []
    for v in values:
        if isinstance(v, torch.Tensor) and v.device.type != "meta" and v.layout == torch.strided:
            out.append((v, v.dtype, v.shape, v.clone()))
    return out


def _bits(t: torch.Tensor) -> torch.Tensor:
    """The tensor's bytes (NaN equals NaN, -0 differs from 0)."""
    if t.is_quantized:
        return t.int_repr()
    flat = t.contiguous().reshape(-1)
    return flat if flat.dtype == torch.bool else flat.view(torch.uint8)


def _unchanged(snapshot) -> None:
    for t, dtype, shape, copy in snapshot:
        assert t.dtype == dtype and t.shape == shape, "a caller tensor changed dtype or shape"
        assert torch.equal(_bits(t), _bits(copy)), "a caller tensor was modified"


def _names_in(message: str, p: Problem, names: dict) -> bool:
    wanted = [n for k, e in p.replaced.items() if e != "ok" for n in names.get(k, (k,))]
    return any(n in message for n in wanted)


REFUSALS = (ValueError, TypeError)


def expect(entry: str, p: Problem, call, golden, names: dict, caller_values, *, refusals=REFUSALS,
           check=None):
    """Runs call(); a refusal must be expected and name a replaced parameter, an acceptance must be
    expected and equal the golden; caller tensors stay unchanged either way."""
    snapshot = _snapshot(caller_values)
    try:
        out = call()
    except refusals as exc:
        message = str(exc)
        assert p.bad, f"{entry}: a valid call was refused: {type(exc).__name__}: {message}\n{p}"
        assert _names_in(message, p, names), f"{entry}: the refusal does not name {p.replaced}: {message}"
        _count(entry, "refused")
    else:
        assert not p.bad, f"{entry}: accepted although {p.replaced} are bad\n{p}"
        (check or _bit_exact)(out, golden())
        _count(entry, "ran")
    _unchanged(snapshot)


def _bit_exact(out: torch.Tensor, expected: torch.Tensor) -> None:
    assert out.dtype == torch.float16 and out.shape == expected.shape, (out.shape, expected.shape)
    assert torch.equal(out.view(torch.int16), expected.view(torch.int16)), "output differs from the golden"


def _golden(p: Problem, values: dict, soc=None):
    """The golden of what the caller passed (a good replacement may differ in layout, in bits the hardware
    ignores or, expanded, in values), with the problem's plain attributes."""
    def make():
        out = reference.quant_conv2d(values["input"], values["weight"], values["scale"], values["bias"],
                                     p.strides, p.pads, p.dilations, p.offset_x, soc=soc)
        return torch.from_numpy(out) if isinstance(out, np.ndarray) else out
    return make


# --------------------------------------------------------------------------------------------------
# Entry points

SCALE = 1.0      # main() sets these from the command line
SEED = 0


def _budget(n: int):
    """n examples (times --scale), no deadline (the twin and torch.compile are slow per call), seeded."""
    def wrap(test):
        configured = settings(max_examples=max(1, int(n * SCALE)), deadline=None, database=None,
                              suppress_health_check=list(HealthCheck))(test)
        return seed(SEED)(configured)
    return wrap


def fuzz_op():
    @_budget(700)
    @given(data=st.data(), p=problems())
    def run(data, p):
        p, v = data.draw(replaced(p, p.tensors(), extra=("round_mode", "output_dtype", "offset")))
        # The raw op takes what its schema (int[2], int) takes: its good spellings are plain ints, the others
        # are the dispatcher's to refuse (naming the argument).
        # torch's schema parser also converts a bool, a numpy float or a one-element tensor to an int, and
        # bytes to a str, before any kernel runs (not ours to refuse there; qconv.quant_conv2d and
        # QuantConv2d refuse them): such values go in as the problem's own.
        canonical = {"groups": 1, "round_mode": "rint"}
        plain = {k: (list(getattr(p, k)) if k in INT_ATTRS else canonical.get(k, getattr(p, k, None)))
                 for k in INT_ATTRS + ("offset_x", "groups", "round_mode")
                 if p.replaced.get(k) == "ok" or (k in p.replaced and _dispatcher_converts(v[k]))}
        raw = {**v, **plain}
        raw_p = replace(p, replaced={k: e for k, e in p.replaced.items() if k not in plain})

        def op():
            return torch.ops.qconv.quant_conv2d(raw["input"], raw["weight"], raw["scale"], raw["strides"], raw["pads"],
                                                raw["dilations"], raw["groups"], raw["offset_x"], raw["round_mode"],
                                                raw["output_dtype"], raw["bias"], raw["offset"])

        # The dispatcher parses the schema before any kernel: its own refusal names the argument.
        expect("torch.ops.qconv.quant_conv2d", raw_p, op, _golden(p, v), OP_NAMES, v.values(),
               refusals=(ValueError, TypeError, RuntimeError, NotImplementedError))
        # Functional form, same arguments; it takes the integer attributes exactly itself, the rest goes to
        # the dispatcher as above
        expect("qconv.quant_conv2d", p,
               lambda: qconv.quant_conv2d(v["input"], v["weight"], v["scale"], v["strides"], v["pads"],
                                          v["dilations"], v["groups"], v["offset_x"], v["round_mode"],
                                          v["output_dtype"], v["bias"], v["offset"]),
               _golden(p, v), OP_NAMES, v.values(), refusals=(ValueError, TypeError, RuntimeError))
    run()


def _holds_tensor(value) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_holds_tensor(v) for v in value)
    return isinstance(value, torch.Tensor)


def _dispatcher_converts(value) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_dispatcher_converts(v) for v in value)
    return isinstance(value, (bool, bytes, np.floating, torch.Tensor))


def fuzz_meta_and_fake():
    from torch._subclasses.fake_tensor import FakeTensorMode

    def shape_only(out, expected):
        assert out.shape == expected.shape and out.dtype == torch.float16, (out.shape, expected.shape)

    @_budget(200)
    @given(data=st.data(), p=problems())
    def run(data, p):
        real = p.tensors()
        p, v = data.draw(replaced(p, real, tensors_allowed=False))
        golden = _golden(p, v)()      # outside the fake mode (tensors are never replaced here: always valid)
        meta = {k: (t.to("meta") if isinstance(t, torch.Tensor) else t) for k, t in real.items()}

        def call(t, a=v):      # the functional form: its attributes are taken exactly (the raw op: fuzz_op)
            return qconv.quant_conv2d(t["input"], t["weight"], t["scale"], a["strides"], a["pads"], a["dilations"],
                                      a["groups"], a["offset_x"], "rint", None, t["bias"], None)

        refusals = (ValueError, TypeError, RuntimeError)
        expect("meta tensors", p, lambda: call(meta), lambda: golden, OP_NAMES, [], refusals=refusals,
               check=shape_only)
        # Under a FakeTensorMode every real tensor is refused by the mode itself, attribute spellings that are
        # tensors included: those go in as the problem's own values.
        tensor_attrs = {k for k in INT_ATTRS + ("offset_x", "groups") if _holds_tensor(v[k])}
        fake_p = replace(p, replaced={k: e for k, e in p.replaced.items() if k not in tensor_attrs})
        fake_v = {**v, **{k: (getattr(p, k) if k != "groups" else 1) for k in tensor_attrs}}
        with FakeTensorMode() as mode:
            fake = {k: (mode.from_tensor(t) if isinstance(t, torch.Tensor) else t) for k, t in real.items()}
            expect("fake tensors", fake_p, lambda: call(fake, fake_v), lambda: golden, OP_NAMES, [],
                   refusals=refusals, check=shape_only)
    run()


def fuzz_module():
    @_budget(400)
    @given(data=st.data(), p=problems())
    def run(data, p):
        tensors = p.tensors()
        p, v = data.draw(replaced(p, tensors, extra=("round_mode", "output_dtype")))
        ctor_bad = {k: e for k, e in p.replaced.items() if k in INT_ATTRS + ("offset_x", "groups", "round_mode",
                                                                             "output_dtype") and e != "ok"}
        ctor_p = replace(p, replaced=ctor_bad)
        built = {}

        def construct():
            built["m"] = QuantConv2d(p.cin, p.cout, (p.kh, p.kw),
                                     torch.float16 if v["output_dtype"] is None else v["output_dtype"], v["strides"],
                                     v["pads"], v["dilations"], v["groups"], p.has_bias, False, v["offset_x"],
                                     v["round_mode"])

        try:
            construct()
        except REFUSALS as exc:
            assert ctor_p.bad and _names_in(str(exc), ctor_p, MODULE_NAMES), (str(exc), p.replaced)
            _count("QuantConv2d()", "refused")
            return
        assert not ctor_p.bad, f"QuantConv2d accepted {ctor_bad}"
        _count("QuantConv2d()", "ran")
        m = built["m"]
        # Parameters through .data (tensors only: nn.Parameter data must be a tensor)
        rest = {k: e for k, e in p.replaced.items() if k in ("input", "weight", "scale", "bias")}
        for name in ("weight", "scale", "bias"):
            value = v[name]
            if name == "bias" and (m.bias is None):
                rest.pop("bias", None)
                continue
            if not isinstance(value, torch.Tensor) or value.device.type == "meta" or value.layout != torch.strided:
                rest.pop(name, None)
                value = tensors[name]
            getattr(m, name).data = value
        fwd_p = replace(p, replaced=rest)
        x = v["input"]
        golden = _golden(fwd_p, {"input": x, "weight": m.weight.data, "scale": m.scale.data,
                                 "bias": m.bias.data if m.bias is not None else None})
        expect("QuantConv2d.forward", fwd_p, lambda: m(x), golden, MODULE_NAMES, [x, m.weight, m.scale, m.bias],
               refusals=(ValueError, TypeError, RuntimeError, NotImplementedError))
    run()


def fuzz_module_state_and_from_float():
    @_budget(200)
    @given(p=problems(), weight_dtype=st.sampled_from([torch.int8, torch.float32, torch.int32, torch.int64]),
           bias_dtype=st.sampled_from([torch.int32, torch.float32, torch.int64]),
           scale_dtype=st.sampled_from([torch.int64, torch.float32, torch.float64, torch.int32]),
           input_scale=st.one_of(st.sampled_from([0.0, -1.0, float("nan"), float("inf"), 1e-45, 1e300, "0.1", None,
                                                  True, torch.tensor([0.1, 0.2])]),
                                 st.floats(1e-4, 1.0)),
           nan_weight=st.booleans())
    def run(p, weight_dtype, bias_dtype, scale_dtype, input_scale, nan_weight):
        t = p.tensors()
        m = QuantConv2d(p.cin, p.cout, (p.kh, p.kw), torch.float16, p.strides, p.pads, p.dilations, bias=True)
        scale = trans_quant_param(torch.full((p.cout,), 1e-3)) if scale_dtype == torch.int64 \
            else torch.full((p.cout,), 1e-3).to(scale_dtype)
        state = {"weight": t["weight"].to(weight_dtype), "scale": scale,
                 "bias": torch.randint(-1000, 1000, (p.cout,), dtype=torch.int32).to(bias_dtype)}
        bad = {k: k for k, d in (("weight", weight_dtype), ("bias", bias_dtype), ("scale", scale_dtype))
               if d not in {"weight": (torch.int8,), "bias": (torch.int32,),
                            "scale": (torch.int64, torch.float32)}[k]}
        lp = replace(p, replaced=bad)
        snapshot = _snapshot(state.values())
        try:
            m.load_state_dict(state)
        except REFUSALS as exc:
            assert lp.bad and _names_in(str(exc), lp, MODULE_NAMES), str(exc)
            _count("QuantConv2d.load_state_dict", "refused")
        else:
            assert not lp.bad, f"load_state_dict accepted {bad}"
            for name in ("weight", "scale", "bias"):
                assert getattr(m, name).dtype == state[name].dtype and torch.equal(getattr(m, name), state[name])
            _count("QuantConv2d.load_state_dict", "ran")
        _unchanged(snapshot)

        conv = torch.nn.Conv2d(p.cin, p.cout, (p.kh, p.kw), p.strides, p.pads, p.dilations)
        if nan_weight:
            with torch.no_grad():
                conv.weight[0, 0, 0, 0] = float("nan")
        ok_scale = isinstance(input_scale, float) and math.isfinite(input_scale) and input_scale > 1e-30 \
            and input_scale < 1e30
        fp = replace(p, replaced={"input_scale": "ok" if ok_scale else "input_scale",
                                  "conv.weight": "conv.weight" if nan_weight else "ok"})
        try:
            q = QuantConv2d.from_float(conv, input_scale)
        except REFUSALS as exc:
            assert fp.bad and _names_in(str(exc), fp, {}), str(exc)
            _count("QuantConv2d.from_float", "refused")
        else:
            assert not fp.bad, f"from_float accepted {fp.replaced}"
            s = hardware_scale(q.scale)
            assert bool(torch.isfinite(s).all()) and bool((s.abs() >= 2.0**-126).all()), "a dequant scale of 0/inf"
            _count("QuantConv2d.from_float", "ran")
    run()


def fuzz_compile():
    # Each dtype, rank or 0/1 size class of a generated example is a new guard set: let every one compile
    # (the default limit of 8 would end fullgraph compilation with a hard failure that says nothing of ours).
    torch._dynamo.config.recompile_limit = 10_000
    compiled = torch.compile(lambda x, w, s, b: torch.ops.qconv.quant_conv2d(x, w, s, [1, 1], [1, 1], [1, 1], 1, 3,
                                                                            "rint", None, b, None),
                             backend="eager", dynamic=True, fullgraph=True)

    @_budget(16)
    @given(data=st.data(), p=problems(min_n=1))
    def run(data, p):
        p = replace(p, strides=(1, 1), pads=(1, 1), dilations=(1, 1), offset_x=3, has_bias=True)
        tensors = p.tensors()
        p, v = data.draw(replaced(p, tensors, max_replaced=1, exclude=INT_ATTRS + ("offset_x", "groups")))
        # Dynamo's own front end runs first: it traces a numpy array as a tensor and refuses a sparse tensor
        # in its words, before any code of ours. Those replacements go in as the problem's own tensors.
        for k in ("input", "weight", "scale", "bias"):
            if isinstance(v[k], np.ndarray) or (isinstance(v[k], torch.Tensor) and v[k].layout != torch.strided):
                v[k] = tensors[k]
                p.replaced.pop(k, None)
        refusals = (ValueError, TypeError, RuntimeError, NotImplementedError)
        expect("torch.compile", p, lambda: compiled(v["input"], v["weight"], v["scale"], v["bias"]), _golden(p, v),
               OP_NAMES, v.values(), refusals=refusals)
    run()


def fuzz_sim():
    @_budget(150)
    @given(data=st.data(), p=problems(min_wo=2), soc=st.sampled_from(["ascend910b", "ascend310p"]),
           soc_bad=st.sampled_from([None, "ascend910", 3, "ok", "ok", "ok", "ok", "ok"]))
    def run(data, p, soc, soc_bad):
        if soc == "ascend310p":
            # What offset_x means there (the zero-point form) is test_sim_offset_x_310p's subject, and the
            # kernel's change for it is under way: here offset_x = 0, where both forms agree.
            p = replace(p, offset_x=0)
        tensors = p.tensors()
        p, v = data.draw(replaced(p, tensors, max_replaced=1, exclude=("groups",)))      # sim.run has no groups
        for k in ("input", "weight", "scale", "bias"):     # sim.run takes numeric numpy arrays too
            if isinstance(v[k], np.ndarray):
                p.replaced[k] = "ok"
        golden = _golden(p, v, soc=soc)
        if soc_bad != "ok":
            soc = soc_bad
            p.replaced["soc"] = "soc"
        expect("qconv.sim.run", p,
               lambda: qconv.sim.run(v["input"], v["weight"], v["scale"], v["bias"], v["strides"], v["pads"],
                                     v["dilations"], v["offset_x"], soc=soc)[0],
               golden, MODULE_NAMES, v.values())
    run()


def fuzz_scale_helpers():
    reals = st.lists(st.floats(2.0**-20, 1024.0, width=32), min_size=1, max_size=6)

    @_budget(400)
    @given(scale=reals, offsets=st.one_of(st.none(), st.lists(st.floats(-300, 300, width=32), min_size=1, max_size=6)),
           round_mode=st.sampled_from([0, 1, 2, -1, 1.0, "1", None, True, np.int64(1)]),
           form=st.sampled_from(["tensor", "numpy", "list", "float64", "int", "bad_none", "bad_str", "bad_complex",
                                 "bad_bool", "bad_nested", "bad_quantized"]))
    def run(scale, offsets, round_mode, form):
        s32 = np.float32(scale)
        value = {"tensor": torch.from_numpy(s32.copy()), "numpy": s32.copy(), "list": [float(v) for v in s32],
                 "float64": s32.astype(np.float64), "int": np.int32(np.maximum(s32, 1)),
                 "bad_none": None, "bad_str": "0.5", "bad_complex": s32.astype(np.complex64),
                 "bad_bool": s32 > 1, "bad_nested": [[1.0], [1.0, 2.0]],
                 "bad_quantized": torch.quantize_per_tensor(torch.from_numpy(s32.copy()), 0.1, 0, torch.qint8)}[form]
        offset = None if offsets is None else np.float32(offsets)
        bad = {}
        if form.startswith("bad_"):
            bad["scale"] = "scale"
        if not (isinstance(round_mode, (int, np.integer)) and not isinstance(round_mode, bool)
                and round_mode in (0, 1)):
            bad["round_mode"] = "round_mode"
        n = len(scale) if not form.startswith("bad_") else None
        if offset is not None and n is not None and offset.size not in (1, n) and n != 1:
            bad["offset"] = "offset"
        p = Problem(0, 0, 0, 0, 0, 0, 0, (), (), (), 0, torch.int64, False, 0, replaced=bad)
        snapshot = _snapshot([value] if isinstance(value, torch.Tensor) else [])
        try:
            words = trans_quant_param(value, offset, round_mode)
        except REFUSALS as exc:
            assert p.bad and _names_in(str(exc), p, {}), (str(exc), bad)
            _count("trans_quant_param", "refused")
        else:
            assert not p.bad, f"trans_quant_param accepted {bad}"
            source = np.asarray(value.numpy() if isinstance(value, torch.Tensor) else value).astype(np.float32)
            decoded = decode_quant_param(words)
            bits = source.view(np.uint32).astype(np.uint64)
            if round_mode == 1:      # the decoded value is the nearest fp19, ties to even (independent check)
                exact = source.astype(np.float64)
                low = (bits & 0xFFFFE000).astype(np.uint32).view(np.float32).astype(np.float64)
                high = ((bits & 0xFFFFE000) + 0x2000).astype(np.uint32).view(np.float32).astype(np.float64)
                got = np.broadcast_to(decoded.scale.astype(np.float64), np.broadcast_shapes(exact.shape,
                                                                                           decoded.scale.shape))
                exact = np.broadcast_to(exact, got.shape)
                assert np.all(np.abs(got - exact) <= np.maximum(np.abs(np.broadcast_to(low, got.shape) - exact),
                                                                np.abs(np.broadcast_to(high, got.shape) - exact)))
            else:
                want = (bits & 0xFFFFE000).astype(np.uint32).view(np.float32)
                assert np.array_equal(np.broadcast_to(want, decoded.scale.shape).view(np.uint32),
                                      decoded.scale.view(np.uint32))
            if offset is not None:
                want = np.clip(np.rint(offset), -256, 255).astype(np.int64)
                assert np.array_equal(np.broadcast_to(want, decoded.offset.shape), decoded.offset)
            as_torch = torch.as_tensor(np.asarray(words))
            assert np.array_equal(hardware_scale(as_torch).numpy().view(np.uint32),
                                  reference.scale_to_fp19(as_torch).view(np.uint32))
            _count("trans_quant_param", "ran")
        _unchanged(snapshot)
        for bad_words in (None, "1", np.float64([1.5]), [1 + 2j]):
            try:
                decode_quant_param(bad_words)
            except REFUSALS as exc:
                assert "words" in str(exc), str(exc)
            else:
                raise AssertionError(f"decode_quant_param accepted {bad_words!r}")
        for bad_scale in (None, [1.0], np.float32([1.0]), torch.ones(2, dtype=torch.float16)):
            try:
                hardware_scale(bad_scale)
            except REFUSALS as exc:
                assert "scale" in str(exc), str(exc)
            else:
                raise AssertionError(f"hardware_scale accepted {bad_scale!r}")
    run()


HOST_NAMES = {**OP_NAMES, "soc": ("soc",)}


def fuzz_host():
    @_budget(500)
    @given(data=st.data(), p=problems(min_n=1),
           dim_bad=st.sampled_from([None, 8.5, "8", True, 2**63, -(2**63) - 1, np.float32(8), "ok", "ok", "ok"]),
           dim_at=st.tuples(st.sampled_from(["input", "weight"]), st.integers(0, 3)),
           soc=st.sampled_from(["ascend910b", "ascend910_93", "ascend310p", None, 5, "npu"]))
    def run(data, p, dim_bad, dim_at, soc):
        p, v = data.draw(replaced(p, p.tensors(), tensors_allowed=False, extra=("round_mode",)))
        x, w = [p.n, p.cin, p.h, p.w], [p.cout, p.cin, p.kh, p.kw]
        if dim_bad != "ok":
            (x if dim_at[0] == "input" else w)[dim_at[1]] = dim_bad
            p.replaced[dim_at[0]] = dim_at[0]
        kwargs = dict(strides=v["strides"], pads=v["pads"], dilations=v["dilations"], groups=v["groups"],
                      offset_x=v["offset_x"], round_mode=v["round_mode"])
        cp = replace(p, replaced={**p.replaced, **({"soc": "soc"} if soc not in ("ascend910b", "ascend910_93",
                                                                                  "ascend310p", None) else {})})
        if soc == "ascend310p" and not cp.bad:
            wo = (p.w + 2 * p.pads[1] - p.dilations[1] * (p.kw - 1) - 1) // p.strides[1] + 1
            if wo == 1:
                cp.replaced["output width"] = "output width Wo"
        try:
            result = qconv.host.check_params(x, w, (p.cout,), None, soc=soc, **kwargs)
        except REFUSALS as exc:
            assert cp.bad and _names_in(str(exc), cp, HOST_NAMES), (str(exc), cp.replaced)
            _count("qconv.host.check_params", "refused")
            return
        if result["ok"]:
            assert not cp.bad, f"check_params accepted {cp.replaced}"
            _count("qconv.host.check_params", "ran")
        else:
            assert cp.bad and _names_in(result["message"], cp, HOST_NAMES), (result["message"], cp.replaced)
            _count("qconv.host.check_params", "refused")
            return
        inferred = qconv.host.infer_shape(x, w, v["strides"], v["pads"], v["dilations"])
        ho = (p.h + 2 * p.pads[0] - p.dilations[0] * (p.kh - 1) - 1) // p.strides[0] + 1
        wo = (p.w + 2 * p.pads[1] - p.dilations[1] * (p.kw - 1) - 1) // p.strides[1] + 1
        assert inferred["ok"] and tuple(inferred["shape"]) == (p.n, p.cout, ho, wo), inferred
        tiled = qconv.host.tiling(x, w, (p.cout,), soc=soc or "ascend910b", **kwargs)
        assert tiled["data"]["block_dim"] >= 1 and (tiled["data"]["hout"], tiled["data"]["wout"]) == (ho, wo)
        _count("qconv.host.tiling", "ran")
    run()


def _cli(argv) -> tuple[int, str]:
    from qconv import cli
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:     # argparse's usage errors
            code = exc.code
    return code, out.getvalue() + err.getvalue()


def fuzz_cli():
    dims = st.one_of(st.integers(0, 70).map(str), st.sampled_from(["", "x", "1.5", "-1", "9" * 20, "1e3", "abc"]))

    @_budget(300)
    @given(p=problems(min_n=1),
           broken=st.sampled_from(["input", "weight", "--stride", "--pad", "--dilation", "--offset-x", "none"]),
           bad=st.one_of(dims, st.sampled_from(["1x64x56", "0x64x56x56", "1x2x3x4x5", "64x3", "3x3,3", "1,2,3",
                                                "99999999999999999999", "-3", "0"])))
    def run(p, broken, bad):
        args = {"input": f"{p.n}x{p.cin}x{p.h}x{p.w}", "weight": f"{p.cout}x{p.kh}x{p.kw}",
                "--stride": f"{p.strides[0]},{p.strides[1]}", "--pad": f"{p.pads[0]},{p.pads[1]}",
                "--dilation": f"{p.dilations[0]},{p.dilations[1]}", "--offset-x": str(p.offset_x)}
        if broken != "none":
            args[broken] = bad
        argv = ["tiling", args["input"], args["weight"]] + [a for k in ("--stride", "--pad", "--dilation",
                                                                        "--offset-x") for a in (f"{k}={args[k]}",)]
        code, text = _cli(argv)
        assert code in (0, 1, 2), (argv, code, text)
        if code == 0:
            _count("qconv-kit tiling", "ran")
        else:
            assert code == 2, (argv, code, text)
            name = broken.lstrip("-").replace("-", "_")
            stems = {"input": ("input",), "weight": ("weight", "kernel_size"), "stride": ("stride",),
                     "pad": ("pad",), "dilation": ("dilation",), "offset_x": ("offset_x", "offset-x"),
                     "none": ()}[name]
            # a valid-looking shape may still break a documented rule, named by the core
            assert any(s in text for s in stems) or "output size" in text or "Wo" in text, (argv, text)
            _count("qconv-kit tiling", "refused")
    run()

    @_budget(30)
    @given(cells=st.lists(st.sampled_from(["12.5", "inf", "-inf", "nan", "N/A", "", "abc", "1e400", "40", "0"]),
                          min_size=3, max_size=3))
    def profile(cells):
        with tempfile.TemporaryDirectory() as d:
            with open(f"{d}/OpBasicInfo.csv", "w") as f:
                f.write("Op Name,Task Duration(us),Block Dim,Mix Block Dim\n")
                f.write(f"QuantConv2dCustom,{cells[0]},{cells[1]},{cells[2]}\n")
            with open(f"{d}/PipeUtilization.csv", "w") as f:
                f.write("aic_mac_ratio,aic_mte2_ratio,aic_total_cycles\n0.5,0.25,100\n")
            code, text = _cli(["profile", "--backend", "npu", "--dir", d])
            assert code in (0, 2), (cells, code, text)
            if code == 2:
                assert "OpBasicInfo.csv" in text, text
            _count("qconv-kit profile", "ran" if code == 0 else "refused")
    profile()


def poisoning_order():
    """A refused call must never change what a later call with the same geometry gets (issue 14: the
    geometry cache), in both orders."""
    p = Problem(1, 2, 3, 6, 6, 3, 3, (1, 1), (0, 0), (1, 1), 0, torch.float32, False, 1)
    t = p.tensors()
    for _ in range(2):
        for bad in ((1.0, 1.0), (True, 1), ("1", 1)):
            for call in (lambda s: qconv.sim.run(t["input"], t["weight"], t["scale"], stride=s),
                         lambda s: qconv.quant_conv2d(t["input"], t["weight"], t["scale"], s)):
                try:
                    call(bad)
                except TypeError:
                    pass
                else:
                    raise AssertionError(f"stride {bad} accepted")
                out = call((1, 1))
                out = out[0] if isinstance(out, tuple) else out
                _bit_exact(out, reference.quant_conv2d(t["input"], t["weight"], t["scale"], None, 1, 0, 1, 0,
                                                       soc="ascend910b"))


ENTRY_POINTS = [poisoning_order, fuzz_op, fuzz_meta_and_fake, fuzz_module, fuzz_module_state_and_from_float,
                fuzz_scale_helpers, fuzz_host, fuzz_cli, fuzz_sim, fuzz_compile]


def main(argv=None) -> int:
    global SCALE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", help="comma-separated entry point functions")
    args = parser.parse_args(argv)
    SCALE = args.scale
    torch.manual_seed(args.seed)
    global SEED
    SEED = args.seed
    chosen = [f for f in ENTRY_POINTS if not args.only or f.__name__ in args.only.split(",")]
    for fn in chosen:
        start = time.perf_counter()
        before = {k: dict(v) for k, v in STATS.items()}
        fn()
        new = {k: v for k, v in STATS.items() if v != before.get(k)}
        print(f"{fn.__name__:<34} {time.perf_counter() - start:6.1f} s  {new}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
