"""The two shape rules every Python caller of the kit shares: a 2-D attribute given as one int or a pair,
and the convolution's output size. The golden (qconv.reference) keeps its own copies on purpose: it is
the independent statement of the semantics the rest of the kit is compared with.
"""
from __future__ import annotations

from typing import Sequence

import torch

from qconv._generated import limits


def pair(value, param: str = "value") -> tuple:
    """One int v means (v, v), as in torch_npu; a sequence of two is taken as is. Anything else is refused
    with the kit's wording, naming `param`. Values are not range-checked here (qconv.checks does that)."""
    if isinstance(value, (int, torch.SymInt)):
        return (value, value)
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise TypeError(limits.message("wrong_length", param=param, expected=2, actual=type(value).__name__))
    if len(value) != 2:
        raise ValueError(limits.message("wrong_length", param=param, expected=2, actual=len(value)))
    return (value[0], value[1])


def output_size(h, w, kh, kw, stride, padding, dilation) -> tuple:
    """(Ho, Wo) with floor division, as torch_npu's meta function computes it (a C++ truncating division
    would differ for a negative numerator, where floor correctly reports an empty output). stride,
    padding and dilation are ints or pairs."""
    (sh, sw), (ph, pw), (dh, dw) = pair(stride, "stride"), pair(padding, "padding"), pair(dilation, "dilation")
    return (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
