#!/usr/bin/env python3
"""Render configs/*.yaml through templates/*.j2 into generated files.

Generated files are outputs, never edited: C++ headers and build configs go to <out>/ (the build
tree), Python modules to python/qconv/_generated/ (inside the package so that it can import them).
Rendering is deterministic: same inputs, same bytes.

    python tools/gen_configs.py --out build/generated [--configs configs] [--py-out python/qconv/_generated]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys

import jinja2
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_configs(config_dir: pathlib.Path) -> dict:
    """Every configs/<name>.yaml becomes context[<name>]."""
    return {p.stem: yaml.safe_load(p.read_text()) for p in sorted(config_dir.glob("*.yaml"))}


def make_env(template_dir: pathlib.Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pyrepr"] = repr
    env.filters["json"] = json.dumps
    # ascend910_93 -> Ascend91093: a C++ identifier fragment.
    env.filters["camel"] = lambda name: "".join(part.capitalize() for part in name.split("_"))
    # combination index -> the i-th entry of a column-wise dtype/format list (configs/op.yaml).
    env.filters["pick"] = lambda index, column: column[index]
    # An input's formats per combination: its `format` list, or one format for every combination.
    env.filters["formats"] = lambda entry: (entry["format"] if isinstance(entry["format"], list)
                                            else [entry["format"]] * len(entry["dtypes"]))
    env.filters["lookup"] = lambda key, table: table[key]
    # GE attribute default as ops-info spells it: [1,1,1,1], 1, NCHW.
    env.filters["ge_default"] = lambda v: ("[" + ",".join(map(str, v)) + "]") if isinstance(v, list) else str(v)
    return env


# (template, destination root, relative output path). Destination root "out" is the build tree,
# "py" the package's _generated directory. A path containing {soc} is rendered once per SoC of
# configs/socs.yaml, with that SoC's entry as `soc` in the template context.
TARGETS = [
    ("limits.h.j2", "out", "include/qconv_generated/limits.h"),
    ("limits.py.j2", "py", "limits.py"),
    ("op_decl.py.j2", "py", "op_decl.py"),
    ("generated_init.py.j2", "py", "__init__.py"),
    ("soc_table.h.j2", "out", "include/qconv_generated/soc_table.h"),
    ("op_indices.h.j2", "out", "include/qconv_generated/op_indices.h"),
    ("socs.py.j2", "py", "socs.py"),
    ("CMakePresets.json.j2", "out", "package/CMakePresets.json"),
    ("ops_info.json.j2", "out", "package/op_impl/ai_core/tbe/config/{soc}/aic-{soc}-ops-info.json"),
    ("op_def.cpp.j2", "out", "package/op_host/quant_conv2d_custom_def.cpp"),
    ("compile_options.cmake.j2", "out", "package/op_kernel/compile_options.cmake"),
]


def check_configs(ctx: dict) -> None:
    """Cross-references a template cannot check: default_soc names a SoC of the table."""
    names = [s["name"] for s in ctx["socs"]["socs"]]
    default = ctx["socs"].get("default_soc")
    if default not in names:
        raise ValueError(f"configs/socs.yaml: default_soc = {default!r} is not supported; allowed: {', '.join(names)}")


def render_all(config_dir: pathlib.Path, template_dir: pathlib.Path, out: pathlib.Path,
               py_out: pathlib.Path) -> list[pathlib.Path]:
    ctx = load_configs(config_dir)
    check_configs(ctx)
    env = make_env(template_dir)
    written = []
    roots = {"out": out, "py": py_out}
    sources = sorted(p.name for p in config_dir.glob("*.yaml"))
    for template, root, rel in TARGETS:
        if not (template_dir / template).exists():
            continue
        per_soc = "{soc}" in rel
        for soc in (ctx["socs"]["socs"] if per_soc else [None]):
            extra = {"soc": soc} if per_soc else {}
            text = env.get_template(template).render(**ctx, **extra, sources=sources)
            dest = roots[root] / (rel.format(soc=soc["name"]) if per_soc else rel)
            dest.parent.mkdir(parents=True, exist_ok=True)
            # Only touch files whose content changed, so that builds depending on them stay incremental.
            if not dest.exists() or dest.read_text() != text:
                dest.write_text(text)
            written.append(dest)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "build" / "generated")
    ap.add_argument("--configs", type=pathlib.Path, default=ROOT / "configs")
    ap.add_argument("--templates", type=pathlib.Path, default=ROOT / "templates")
    ap.add_argument("--py-out", type=pathlib.Path, default=ROOT / "python" / "qconv" / "_generated")
    args = ap.parse_args(argv)
    for path in render_all(args.configs, args.templates, args.out, args.py_out):
        print(f"gen_configs: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
