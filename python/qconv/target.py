"""The target SoC: which device's semantics the golden and the CPU op reproduce.

The legacy QuantConv2D means different things on different SoCs (configs/socs.yaml, `offset_x_form`):

    pad_only    (ascend910b, ascend910_93)  xpad = x padded with offset_x;  acc = sum of xpad * w
    zero_point  (ascend310p)                acc = sum of (xpad - offset_x) * w
                                                = the pad-only acc - offset_x * sum(w[co])   (wrapping int32)

Source: CANN 8.1.RC1's TBE compute of the op (github leideng/CANN-8.1.RC1,
Ascend/ascend-toolkit/8.1.RC1/python/site-packages/tbe/dsl/compute/conv_compute.py): the padding is
offset_x on every SoC, and the MAD computes (fmap - offset_d) * weight with
`offset_d = offset_x if is_support_v200() else 0`, where is_support_v200() is true for Ascend310P.

An NPU computes the semantics of the chip it is; a CPU stands in for one. The torch op's schema is
torch_npu's (configs/op.yaml; it also drives the OpDef and the GE converter), so it carries no SoC:
the CPU op reads the process-wide target set here instead. Default: configs/socs.yaml's default SoC
(ascend910b). The golden takes a `soc` argument that defaults to the same setting.

    qconv.target.set_soc("ascend310p")          # for the rest of the process
    with qconv.target.using("ascend310p"): ...  # for a block (process-wide while it runs: not per thread)
"""
from __future__ import annotations

import contextlib
from typing import Iterator

from qconv._generated import limits, socs

PAD_ONLY = "pad_only"
ZERO_POINT = "zero_point"
FORMULAS = {
    PAD_ONLY: "acc = sum of xpad * w (offset_x fills the padding only)",
    ZERO_POINT: "acc = sum of (xpad - offset_x) * w (offset_x is the input's zero point; padded taps add 0)",
}

_current = socs.DEFAULT


def check_soc(soc) -> str:
    """`soc` if it names a SoC of configs/socs.yaml, else a ValueError in the kit's wording."""
    if soc not in socs.SOCS:
        raise ValueError(limits.message("not_supported", param="soc", value=repr(soc), allowed=", ".join(socs.NAMES)))
    return soc


def get_soc() -> str:
    """The SoC whose semantics the CPU op and the golden reproduce now."""
    return _current


def set_soc(soc: str) -> None:
    global _current
    _current = check_soc(soc)


@contextlib.contextmanager
def using(soc: str) -> Iterator[str]:
    """Target `soc` inside the block, then the previous SoC again."""
    previous = get_soc()
    set_soc(soc)
    try:
        yield soc
    finally:
        set_soc(previous)


def offset_x_form(soc: str | None = None) -> str:
    """PAD_ONLY or ZERO_POINT: what offset_x means on `soc` (default: the current target)."""
    return socs.SOCS[check_soc(get_soc() if soc is None else soc)]["offset_x_form"]


def describe(soc: str | None = None) -> str:
    """One line for reports: the SoC and the offset_x semantics used for it."""
    soc = get_soc() if soc is None else check_soc(soc)
    form = offset_x_form(soc)
    return f"soc {soc}, offset_x {form.replace('_', '-')} form: {FORMULAS[form]}"
