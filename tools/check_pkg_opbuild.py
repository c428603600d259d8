#!/usr/bin/env python3
"""check-pkg's stand-in for CANN's op_build (toolkit/tools/opbuild/op_build, an aarch64 binary).

    check_pkg_opbuild.py --op-type T --expected <stage>/expected <libascend_all_ops.so> <out dir>

The real op_build loads the library the template's opbuild() just compiled from op_host/*.cpp, reads the
OpDef registry and writes aic-<soc>-ops-info.ini per AddConfig SoC, op_proto.{h,cc} and aclnn_<op>.{h,cpp}.
This stand-in checks that the library registers the op (OP_ADD's g_<op>_added) and writes the ini from the
kit's generated aic-<soc>-ops-info.json (tests/test_pkg_configs.py holds it to the OpDef source; the real
ini is compared with it after an NPU-host build by tools/pkg.sh). The op_proto and aclnn sources it
writes are empty translation units: the template's CMake needs them to exist, check-pkg builds neither.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import re
import subprocess
import sys


def ini_text(ops_info: dict) -> str:
    """ops-info JSON -> op_build's ini (cmake/util/parse_ini_to_json.py reads it back: [Op] then key.sub=value)."""
    lines = []
    for op, fields in ops_info.items():
        lines.append(f"[{op}]")
        for key, sub in fields.items():
            # input<i>.name first: cmake/util/opdesc_parser.py opens input i on its name line
            for name, value in sorted(sub.items(), key=lambda item: item[0] != "name"):
                lines.append(f"{key}.{name}={value}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--op-type", required=True)
    ap.add_argument("--expected", type=pathlib.Path, required=True)
    ap.add_argument("library", type=pathlib.Path)
    ap.add_argument("out", type=pathlib.Path)
    args = ap.parse_args(argv)
    symbols = subprocess.run(["nm", "-C", str(args.library)], capture_output=True, text=True, check=True).stdout
    if not re.search(rf"\bg_{args.op_type}_added\b", symbols):
        print(f"op_build stand-in: {args.library} registers no {args.op_type} (no OP_ADD)", file=sys.stderr)
        return 1
    found = sorted(args.expected.rglob("aic-*-ops-info.json"))
    if not found:
        print(f"op_build stand-in: no aic-*-ops-info.json under {args.expected}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for path in found:
        (args.out / path.name.replace(".json", ".ini")).write_text(ini_text(json.loads(path.read_text())))
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", args.op_type).lower()
    note = "// check-pkg op_build stand-in: op_build writes this file on an NPU host\n"
    for name in ("op_proto.h", "op_proto.cc", f"aclnn_{snake}.h", f"aclnn_{snake}.cpp"):
        (args.out / name).write_text(note)
    print(f"op_build stand-in: {args.op_type} registered; wrote {', '.join(p.name for p in found)} as .ini")
    return 0


if __name__ == "__main__":
    sys.exit(main())
