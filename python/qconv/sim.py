"""QuantConv2d in the CPU twin: op_host tiles the problem, the Ascend C kernel (op_kernel/, compiled
against sim/) runs on every simulated core, and the result comes back with the per-core, per-pipe
instruction counters.

    >>> y, counters = qconv.sim.run(x, w, scale, padding=1, soc="ascend910b")
    >>> counters.total("CUBE", "elements")      # multiply-accumulates issued to the cube

Arguments are checked exactly as torch.ops.qconv.quant_conv2d checks them (plus the SoC's quirks,
e.g. output width 1 on ascend310p). A sanitizer finding of the twin (out-of-bounds access, use after
free, missing synchronisation, poison in the output, deadlock) raises qconv.sim.SimError.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from qconv import _native, checks, host, target
from qconv._generated import limits
from qconv._generated.socs import DEFAULT as DEFAULT_SOC
from qconv.scale import decode_scale
from qconv.weight_format import PackedWeight

PIPES = ("SCALAR", "VECTOR", "CUBE", "MTE1", "MTE2", "MTE3", "FIXPIPE")


def _module():
    return _native.load("_sim")


try:
    SimError = _module().SimError
except _native.NativeModuleMissing:  # the twin is not built: run() reports it when called
    class SimError(RuntimeError):
        pass


@dataclass
class SimCounters:
    """What the twin counted: one entry per core ({'name', 'block', 'sub', 'pipes': {pipe: {'instructions',
    'bytes', 'elements'}}, 'phases': the same per stretch between SyncAlls, each pipe also with 'gm' (bytes
    read / written per GM buffer) and 'local' (bytes written per local buffer)}) and a summary of the tiling
    that ran (with 'gm_buffer_bytes', the size of every GM buffer of the launch)."""
    cores: list[dict]
    tiling: dict = field(default_factory=dict)

    @property
    def gm_bytes(self) -> dict:
        """GM bytes read and written per buffer over every core: {"x": {"read": n, "written": n}, "weight": ...,
        "scale", "bias", "y", "workspace" (only what the launch itself writes and reads back)}; a buffer the
        launch does not touch is absent."""
        from qconv import cycle_model
        return cycle_model.gm_bytes(self)

    def total(self, pipe: str, what: str = "instructions") -> int:
        """Sum over cores of one pipe's `what` ('instructions', 'bytes' or 'elements')."""
        if pipe not in PIPES:
            raise ValueError(f"pipe = {pipe!r} is not supported; allowed: {', '.join(PIPES)}")
        return sum(core["pipes"][pipe][what] for core in self.cores)

    def table(self) -> str:
        """Per-pipe totals as a small text table."""
        rows = [f"{'pipe':<8} {'instructions':>14} {'bytes':>16} {'elements':>16}"]
        for pipe in PIPES:
            rows.append(f"{pipe:<8} {self.total(pipe):>14} {self.total(pipe, 'bytes'):>16} "
                        f"{self.total(pipe, 'elements'):>16}")
        return "\n".join(rows)


def _tensor(value, name: str) -> torch.Tensor:
    if isinstance(value, np.ndarray):
        value = torch.from_numpy(value) if value.dtype.kind in "biuf" else value
    if not isinstance(value, torch.Tensor):
        raise TypeError(limits.message("not_supported", param=name, value=checks.shown(value),
                                       allowed="a CPU torch.Tensor or a numeric numpy array"))
    if value.device.type != "cpu":     # the twin reads the data on the host; a meta tensor has none
        raise ValueError(limits.message("not_supported", param=name, value=f"a tensor on device {value.device}",
                                        allowed="a CPU torch.Tensor or a numeric numpy array"))
    return value


def run(x, weight, scale, bias=None, stride=1, padding=0, dilation=1, offset_x=0,
        soc: str = DEFAULT_SOC) -> tuple[torch.Tensor, SimCounters]:
    """Runs QuantConv2d in the twin of `soc`; returns (float16 output (N, Cout, Ho, Wo), SimCounters).
    `weight` is the (Cout, Cin, kh, kw) int8 filter, or a qconv.PackedWeight (FRACTAL_Z, packed once by
    qconv.pack_fractal_z) which the kernel reads without laying it out."""
    soc = target.check_soc(soc)
    packed = weight if isinstance(weight, PackedWeight) else None
    x, scale = _tensor(x, "input"), _tensor(scale, "scale")
    # A packed filter is checked by its logical shape (a zero-stride stand-in: no copy).
    weight = (torch.zeros((1, 1, 1, 1), dtype=torch.int8, device=x.device).expand(packed.shape) if packed
              else _tensor(weight, "weight"))
    bias = None if bias is None else _tensor(bias, "bias")
    g = checks.check_op_args(x, weight, scale, stride, padding, dilation, 1, offset_x, "rint", None, bias, None,
                             names=checks.MODULE_NAMES)
    # op_host's own rules (element counts that fit the tiling data, the SoC's quirks) on the shapes alone,
    # before anything is copied: an expanded input (stride 0) may describe far more bytes than it holds.
    verdict = host.check_params(x, weight, scale, bias, list(g.stride), list(g.padding), list(g.dilation),
                                offset_x=g.offset_x, soc=soc)
    if not verdict["ok"]:
        raise ValueError(verdict["message"])
    decode_scale(scale)           # the CPU op's decoding: raises on a non-finite scale
    if g.n == 0:     # nothing to compute: an empty output as the CPU op returns, no tiling, no launch
        return torch.empty((0, g.cout, g.ho, g.wo), dtype=torch.float16), SimCounters([], {})
    as_numpy = lambda t: np.ascontiguousarray(t.detach().cpu().numpy())  # noqa: E731
    y, cores, tiling = _module().run(as_numpy(x), as_numpy(packed.data if packed else weight), as_numpy(scale),
                                     None if bias is None else as_numpy(bias), list(g.stride),
                                     list(g.padding), list(g.dilation), g.offset_x, soc,
                                     list(packed.shape) if packed else [])
    return torch.from_numpy(y), SimCounters(cores, tiling)


def _register_backend() -> None:
    """Makes "sim" a backend of qconv.backends once the twin is built."""
    try:
        from qconv import backends
    except ImportError:
        return
    register = getattr(backends, "register", None)
    if register is not None:
        register("sim", run)


try:
    _module()
except _native.NativeModuleMissing:
    pass
else:
    _register_backend()
