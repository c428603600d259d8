"""The op_host core from Python: parameter checks, shape inference and tiling (C++ module qconv._host).

Tensors are described by anything with `.shape` and `.dtype` (torch or numpy), by a `(shape, dtype)`
pair, or by a bare shape (dtype then defaults to what the op expects). The checks are the C++ ones the
CANN adapters run, worded like qconv.checks; every function returns plain dicts.

    >>> host.check_params((1, 64, 56, 56), (64, 64, 3, 3), (64,), pads=1)
    {'ok': True, 'message': None}
    >>> host.tiling((1, 64, 56, 56), (64, 64, 3, 3), pads=1, soc="ascend910b")["data"]["block_dim"]
"""
from __future__ import annotations

from typing import Any

from qconv import _native
from qconv._generated.socs import DEFAULT as DEFAULT_SOC


def _module():
    return _native.load("_host")


def _dtype_name(dtype: Any) -> str:
    """torch.int8 / numpy int8 / "int8" -> "torch.int8": the spelling qconv.checks prints."""
    text = str(dtype)
    if text.startswith("torch."):
        return text
    return "torch." + {"float": "float32", "half": "float16", "long": "int64", "int": "int32"}.get(text, text)


_INT64 = (-2**63, 2**63 - 1)


def _int(param: str, value: Any) -> int:
    """An exact int64 (qconv.checks.as_int: a float is never truncated, a str never parsed); the ranges
    are the C++ core's to check, in its words."""
    from qconv import checks
    from qconv._generated import limits
    v = checks.as_int(param, value, "an int64 integer")
    if not _INT64[0] <= v <= _INT64[1]:
        raise ValueError(limits.message("out_of_range", param=param, value=v, min=_INT64[0], max=_INT64[1]))
    return v


def _length(value: Any) -> int | None:
    """len(value) for a sequence; None for a scalar (a str, a 0-d tensor or array, anything without len)."""
    if isinstance(value, (str, bytes)):
        return None
    try:
        return len(value)
    except TypeError:
        return None


def _dims(param: str, dims: Any) -> list[int]:
    from qconv import checks
    from qconv._generated import limits
    if _length(dims) is None or isinstance(dims, dict):
        raise TypeError(limits.message("not_supported", param=f"{param}.shape", value=checks.shown(dims),
                                       allowed="a sequence of integers, a (shape, dtype) pair or a tensor"))
    return [_int(f"{param}.shape[{i}]", d) for i, d in enumerate(dims)]


def _tensor(value: Any, default_dtype: str, param: str) -> tuple[list[int], str]:
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return _dims(param, value.shape), _dtype_name(value.dtype)
    if (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], (tuple, list))
            and not isinstance(value[1], (tuple, list, int))):
        return _dims(param, value[0]), _dtype_name(value[1])
    return _dims(param, value), default_dtype


def _pair(param: str, value: Any) -> list[int]:
    """An int means (v, v), as in torch_npu; other lengths go to the C++ length check unchanged."""
    from qconv import checks
    from qconv._generated import limits
    if _length(value) is None:
        v = _int(param, value)
        return [v, v]
    if isinstance(value, dict):
        raise TypeError(limits.message("not_supported", param=param, value=checks.shown(value),
                                       allowed="an integer or a sequence of integers"))
    return [_int(f"{param}[{i}]", v) for i, v in enumerate(value)]


def _text(param: str, value: Any) -> str:
    from qconv import checks
    from qconv._generated import limits
    if not isinstance(value, str):
        raise TypeError(limits.message("not_supported", param=param, value=checks.shown(value), allowed="a str"))
    return value


def _soc(value: Any, allow_none: bool) -> str | None:
    return None if value is None and allow_none else _text("soc", value)


def params(input, weight, scale=None, bias=None, strides=1, pads=0, dilations=1, groups=1, offset_x=0,
           round_mode="rint", output_dtype=None, offset=None) -> dict:
    """The argument dict the C++ core takes. `scale` defaults to an int64 tensor of shape (Cout,)."""
    x_shape, x_dtype = _tensor(input, "torch.int8", "input")
    w_shape, w_dtype = _tensor(weight, "torch.int8", "weight")
    if scale is None:
        scale = ([w_shape[0] if w_shape else 0], "int64")
    s_shape, s_dtype = _tensor(scale, "torch.int64", "scale")
    d = {
        "input": x_shape, "input_dtype": x_dtype,
        "weight": w_shape, "weight_dtype": w_dtype,
        "scale": s_shape, "scale_dtype": s_dtype,
        "bias": None, "bias_dtype": "",
        "has_offset": offset is not None,
        "strides": _pair("strides", strides), "pads": _pair("pads", pads), "dilations": _pair("dilations", dilations),
        "groups": _int("groups", groups), "offset_x": _int("offset_x", offset_x),
        "round_mode": _text("round_mode", round_mode),
        "output_dtype": "torch.float16" if output_dtype is None else _dtype_name(output_dtype),
    }
    if bias is not None:
        d["bias"], d["bias_dtype"] = _tensor(bias, "torch.int32", "bias")
    return d


def check_params(input, weight, scale=None, bias=None, strides=1, pads=0, dilations=1, groups=1, offset_x=0,
                 round_mode="rint", output_dtype=None, offset=None, soc: str | None = None) -> dict:
    """{'ok': bool, 'message': None or the first violated rule}. `soc` adds that SoC's quirks."""
    p = params(input, weight, scale, bias, strides, pads, dilations, groups, offset_x, round_mode, output_dtype,
               offset)
    message = _module().check_params(p, _soc(soc, allow_none=True))
    return {"ok": message is None, "message": message}


def infer_shape(input, weight, strides=1, pads=0, dilations=1) -> dict:
    """{'ok': bool, 'message': str or None, 'shape': (N, Cout, Ho, Wo) or None}, floor division."""
    message, shape = _module().infer_shape(params(input, weight, strides=strides, pads=pads, dilations=dilations))
    return {"ok": message is None, "message": message, "shape": shape}


def conv_shape(input, weight, scale=None, bias=None, strides=1, pads=0, dilations=1, groups=1,
               offset_x=0) -> dict:
    """The ConvShape dict the tiling engine takes (no checks)."""
    x, _ = _tensor(input, "torch.int8", "input")
    w, _ = _tensor(weight, "torch.int8", "weight")
    scale_dtype = _tensor(scale, "torch.int64", "scale")[1] if scale is not None else "torch.int64"
    (sh, sw), (ph, pw), (dh, dw) = _pair("strides", strides), _pair("pads", pads), _pair("dilations", dilations)
    return {"batch": x[0], "cin": x[1], "hin": x[2], "win": x[3], "cout": w[0], "kh": w[2], "kw": w[3],
            "stride_h": sh, "stride_w": sw, "pad_h": ph, "pad_w": pw, "dilation_h": dh, "dilation_w": dw,
            "groups": _int("groups", groups), "offset_x": _int("offset_x", offset_x), "has_bias": int(bias is not None),
            "scale_kind": "float32" if scale_dtype == "torch.float32" else "int64"}


def _checked_shape(args, kwargs, soc) -> dict:
    from qconv._generated import limits
    result = check_params(*args, soc=_soc(soc, allow_none=False), **kwargs)
    if not result["ok"]:
        raise ValueError(result["message"])
    batch = _tensor(args[0] if args else kwargs["input"], "torch.int8", "input")[0][0]
    if batch == 0:   # a valid call with nothing to compute: the op returns an empty output, no launch
        raise ValueError(limits.message("not_supported", param="input.shape[0]", value=0,
                                        allowed="a batch of at least 1 for a tiling (a batch of 0 is a valid "
                                                "call that returns an empty output without a tiling or a launch)"))
    names = ("input", "weight", "scale", "bias", "strides", "pads", "dilations", "groups", "offset_x")
    shape_kwargs = {k: v for k, v in kwargs.items() if k in names}
    return conv_shape(*args[:len(names)], **shape_kwargs)


def tiling(*args, soc: str = DEFAULT_SOC, **kwargs) -> dict:
    """Checks the arguments (as check_params), then {'data': tiling-data fields, 'report': {'buffers':
    per level used/capacity bytes, 'workspace_bytes', 'tiles_per_block', 'cost': modelled cost terms}}."""
    return _module().tiling(_checked_shape(args, kwargs, soc), soc)


def verify_tiling(*args, soc: str = DEFAULT_SOC, **kwargs) -> dict:
    """Checks the arguments, tiles, and walks the schedule: {'ok', 'message', 'tiles', 'covered_elements',
    'slabs_checked'} (buffer budgets, block dim, exactly-once coverage, int64 offsets)."""
    return _module().verify_tiling(_checked_shape(args, kwargs, soc), soc)


def socs() -> list[dict]:
    """The SoC table compiled into the core (from configs/socs.yaml)."""
    return _module().socs()
