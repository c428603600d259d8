"""InferShape (C++) against the floor formula for thousands of random shapes, valid and invalid.

The formula is the golden's (qconv.reference.output_size: Python integers, floor division), independent of
both the C++ code and qconv.shapes; qconv.shapes.output_size must agree with it too.
"""
from __future__ import annotations

import numpy as np
import pytest

from qconv import host, reference, shapes
from qconv._generated import limits

SHAPES = 4000


def random_geometry(rng: np.random.Generator, n: int):
    """Shapes across the documented ranges, skewed so that about half have Ho or Wo <= 0."""
    (h_lo, h_hi), (w_lo, w_hi) = limits.RANGES["input_h"], limits.RANGES["input_w"]
    k_hi, s_hi = limits.RANGES["kernel_size"][1], limits.RANGES["stride"][1]
    p_hi, d_hi = limits.RANGES["padding"][1], limits.RANGES["dilation"][1]
    for _ in range(n):
        small = rng.random() < 0.7
        h = int(rng.integers(h_lo, 64 if small else h_hi + 1))
        w = int(rng.integers(w_lo, 64 if small else w_hi + 1))
        kh, kw = (int(v) for v in rng.integers(1, (8 if small else k_hi) + 1, size=2))
        sh, sw = (int(v) for v in rng.integers(1, s_hi + 1, size=2))
        ph, pw = (int(v) for v in rng.integers(0, (4 if small else p_hi) + 1, size=2))
        dh, dw = (int(v) for v in rng.integers(1, (4 if small else d_hi) + 1, size=2))
        yield (int(rng.integers(0, 5)), int(rng.integers(1, 70)), h, w, int(rng.integers(1, 70)), kh, kw,
               (sh, sw), (ph, pw), (dh, dw))


def test_infer_shape_matches_floor_formula_on_random_shapes():
    rng = np.random.default_rng(20261127)
    valid = invalid = 0
    for n, cin, h, w, cout, kh, kw, stride, pad, dil in random_geometry(rng, SHAPES):
        ho, wo = reference.output_size(h, w, kh, kw, stride, pad, dil)
        assert shapes.output_size(h, w, kh, kw, stride, pad, dil) == (ho, wo)
        got = host.infer_shape((n, cin, h, w), (cout, cin, kh, kw), strides=stride, pads=pad, dilations=dil)
        if ho > 0 and wo > 0:
            valid += 1
            assert got == {"ok": True, "message": None, "shape": (n, cout, ho, wo)}
        else:
            invalid += 1
            assert got["ok"] is False and got["shape"] is None
            assert got["message"] == limits.message(
                "output_size", ho=ho, wo=wo, h=h, w=w, kh=kh, kw=kw, sh=stride[0], sw=stride[1], ph=pad[0],
                pw=pad[1], dh=dil[0], dw=dil[1])
    # Both outcomes are exercised in bulk, not by a handful of cases.
    assert valid > SHAPES // 5 and invalid > SHAPES // 5, (valid, invalid)


@pytest.mark.parametrize("h, k, s, p, d, expected", [
    (1, 1, 1, 0, 1, 1),        # smallest
    (1, 3, 2, 0, 1, 0),        # negative numerator: floor gives 0 where C++ truncation gives 1
    (2, 3, 1, 0, 1, 0),
    (3, 3, 1, 0, 1, 1),
    (1, 255, 1, 127, 1, 1),    # padding makes the biggest kernel fit
    (100000, 1, 63, 0, 1, 1588),
    (4096, 255, 1, 0, 16, 32),
    (7, 3, 2, 1, 1, 4),
])
def test_infer_shape_edges(h, k, s, p, d, expected):
    got = host.infer_shape((1, 1, h, 8), (1, 1, k, 1), strides=(s, 1), pads=(p, 0), dilations=(d, 1))
    assert reference.output_size(h, 1, k, 1, (s, 1), (p, 0), (d, 1))[0] == expected
    if expected > 0:
        assert got["shape"] == (1, 1, expected, 8)
    else:
        assert not got["ok"] and got["message"].startswith(f"output size (Ho, Wo) = ({expected}, 8) must be positive")


def test_infer_shape_survives_int64_extremes():
    """InferShape runs before any check (CANN calls it first): huge attributes must give a message."""
    big = 2**63 - 1
    got = host.infer_shape((1, 1, big, big), (1, 1, big, big), pads=(big, big), dilations=(1, 1))
    assert got["ok"] is False and "output.shape[2]" in got["message"]
    got = host.infer_shape((1, 1, 8, 8), (1, 1, 3, 3), pads=(-(2**63), 0))
    assert got["ok"] is False and got["message"].startswith("output size (Ho, Wo) = (-")
    got = host.infer_shape((1, 1, 8, 8), (1, 1, 3, 3), strides=(0, 1))
    assert got["message"] == limits.out_of_range_message("strides[0]", 0, "stride")
