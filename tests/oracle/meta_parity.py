"""Meta parity, oracle side: run random valid and invalid QuantConv2d argument sets through our fake
kernel (torch.ops.qconv.quant_conv2d) and torch_npu's own meta kernel (torch.ops.npu.npu_quant_conv2d),
both on meta tensors, and write one JSON record per case (a file: torch_npu prints to stdout). tests/oracle/test_oracle.py judges them.

    QCONV_ORACLE_DIR=<oracle> python tests/oracle/meta_parity.py <count> <seed> <out.jsonl>

Each case is a valid argument set with at most one mutation (meta_cases.MUTATIONS). torch_npu also runs the
case "normalised" to the arguments it insists on (int64 scale, explicit float16 output), so that a
case only we accept still gets its output shape checked against torch_npu.
"""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_env  # noqa: E402

oracle_env.activate()

import torch  # noqa: E402
import torch_npu  # noqa: E402,F401  defines torch.ops.npu.* and their meta kernels

import qconv  # noqa: E402,F401  defines torch.ops.qconv.quant_conv2d
from meta_cases import make_cases, normalised_for_torch_npu  # noqa: E402

DTYPES = {"int8": torch.int8, "uint8": torch.uint8, "int32": torch.int32, "int64": torch.int64,
          "float16": torch.float16, "float32": torch.float32, "float8_e4m3fn": torch.float8_e4m3fn}
# torch_npu 2.13's schema takes output_dtype as int? (ScalarType numbers); ours as ScalarType?.
TORCH_NPU_DTYPE_CODES = {"float16": 5, "float32": 6, "bfloat16": 15}


def _tensor(spec):
    if spec is None:
        return None
    shape, dtype = spec
    return torch.empty(shape, dtype=DTYPES[dtype], device="meta")


def _outcome(fn):
    try:
        out = fn()
    except Exception as exc:  # both kernels raise several exception types; the judge reads the text
        return {"ok": False, "error": type(exc).__name__, "message": str(exc).splitlines()[0] if str(exc) else ""}
    return {"ok": True, "shape": list(out.shape), "dtype": str(out.dtype).replace("torch.", "")}


def run_ours(case):
    out_dtype = None if case["output_dtype"] is None else DTYPES.get(case["output_dtype"], torch.bfloat16)
    return _outcome(lambda: torch.ops.qconv.quant_conv2d(
        _tensor(case["input"]), _tensor(case["weight"]), _tensor(case["scale"]), case["strides"], case["pads"],
        case["dilations"], case["groups"], case["offset_x"], case["round_mode"], out_dtype,
        _tensor(case["bias"]), _tensor(case["offset"])))


def run_torch_npu(case):
    code = None if case["output_dtype"] is None else TORCH_NPU_DTYPE_CODES[case["output_dtype"]]
    return _outcome(lambda: torch.ops.npu.npu_quant_conv2d(
        _tensor(case["input"]), _tensor(case["weight"]), _tensor(case["scale"]), case["strides"], case["pads"],
        case["dilations"], case["groups"], case["offset_x"], case["round_mode"], code,
        _tensor(case["bias"]), _tensor(case["offset"])))


def main(argv):
    count, seed, out = int(argv[1]), int(argv[2]), argv[3]
    with open(out, "w") as f:
        for case in make_cases(count, seed):
            record = {"case": case, "ours": run_ours(case), "torch_npu": run_torch_npu(case),
                      "torch_npu_normalised": run_torch_npu(normalised_for_torch_npu(case))}
            f.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
