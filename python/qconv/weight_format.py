"""The filter in the cube's own layout, packed once: CANN's FRACTAL_Z for int8.

Weights are constants in inference, so the kernel should not lay them out on every launch. A filter
(Cout, Cin, kh, kw) packed here is read by the cube as it is (the tiling's weight_format = 1): no weight
layout pass, no ws.weight. The layout is the one `torch_npu.npu_format_cast(weight, 4)` (FRACTAL_Z) gives an
int8 filter and the one the kernel itself builds from a plain filter (op_kernel/README.md, "Workspace"):

    packed[(c1 * kh + i) * kw + j][n1][n0][c0] = weight[16 * n1 + n0][32 * c1 + c0][i][j]

shape (C1*kh*kw, N1, 16, 32) with C1 = ceil(Cin / 32), N1 = ceil(Cout / 16); entries past Cin or Cout are 0.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch


def fractal_z_shape(cout: int, cin: int, kh: int, kw: int) -> tuple[int, int, int, int]:
    """Shape of the FRACTAL_Z packing of a (cout, cin, kh, kw) int8 filter."""
    return (-(-cin // 32) * kh * kw, -(-cout // 16), 16, 32)


@dataclass(frozen=True)
class PackedWeight:
    """An int8 filter in FRACTAL_Z (`data`) with its logical (Cout, Cin, kh, kw) `shape`."""
    data: torch.Tensor
    shape: tuple[int, int, int, int]

    def __post_init__(self):
        check_packed(self.data, self.shape)


def _shape_text(shape) -> str:
    shape = tuple(int(s) for s in shape)
    return f"({shape[0]},)" if len(shape) == 1 else str(shape)


def check_packed(data, shape) -> None:
    """A FRACTAL_Z tensor must be the packing of its logical filter shape (the wording op_host's CheckParams uses)."""
    if not isinstance(data, torch.Tensor):
        raise TypeError(f"weight = FRACTAL_Z data of type {type(data).__name__} is not supported; allowed: an int8 "
                        "torch.Tensor")
    if data.dtype != torch.int8:
        raise TypeError(f"weight = FRACTAL_Z tensor of dtype {data.dtype} is not supported; allowed: torch.int8")
    if len(shape) != 4 or any(not isinstance(s, int) or s < 1 for s in shape):
        raise ValueError(f"weight shape = {tuple(shape)} is not a filter shape; allowed: (Cout, Cin, kh, kw), "
                         "positive integers")
    expected = fractal_z_shape(*shape)
    if tuple(data.shape) != expected:
        raise ValueError(f"weight = FRACTAL_Z tensor of shape {_shape_text(data.shape)} does not match the filter "
                         f"(Cout, Cin, kh, kw) = {_shape_text(shape)}; expected shape (C1*kh*kw, N1, 16, 32) = "
                         f"{_shape_text(expected)}")


def pack_fractal_z(weight: torch.Tensor) -> PackedWeight:
    """(Cout, Cin, kh, kw) int8 -> PackedWeight (FRACTAL_Z), on the weight's device."""
    if not isinstance(weight, torch.Tensor) or weight.dtype != torch.int8 or weight.dim() != 4:
        got = f"{weight.dtype} tensor of {weight.dim()} dims" if isinstance(weight, torch.Tensor) else type(weight).__name__
        raise ValueError(f"weight = {got} is not supported; allowed: an int8 (Cout, Cin, kh, kw) tensor")
    cout, cin, kh, kw = (int(s) for s in weight.shape)
    k1, n1, _, _ = fractal_z_shape(cout, cin, kh, kw)
    c1 = k1 // (kh * kw)
    padded = torch.zeros((n1 * 16, c1 * 32, kh, kw), dtype=torch.int8, device=weight.device)
    padded[:cout, :cin] = weight
    # (n1, n0, c1, c0, i, j) -> (c1, i, j, n1, n0, c0)
    packed = padded.reshape(n1, 16, c1, 32, kh, kw).permute(2, 4, 5, 0, 1, 3).reshape(k1, n1, 16, 32).contiguous()
    return PackedWeight(packed, (cout, cin, kh, kw))


def unpack_fractal_z(packed: PackedWeight) -> torch.Tensor:
    """PackedWeight -> the (Cout, Cin, kh, kw) int8 filter it holds."""
    cout, cin, kh, kw = packed.shape
    k1, n1, _, _ = packed.data.shape
    c1 = k1 // (kh * kw)
    full = packed.data.reshape(c1, kh, kw, n1, 16, 32).permute(3, 4, 0, 5, 1, 2).reshape(n1 * 16, c1 * 32, kh, kw)
    return full[:cout, :cin].contiguous()
