#!/usr/bin/env python3
"""Render configs/*.yaml through templates/*.j2 into generated files.

Generated files are outputs, never edited: C++ headers and build configs go to <out>/ (the build
tree), Python modules to python/qconv/_generated/ (inside the package so that it can import them).
Rendering is deterministic: same inputs, same bytes.

    python tools/gen_configs.py --out build/generated [--configs configs] [--py-out python/qconv/_generated]
"""
from __future__ import annotations

import argparse
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
    return env


# (template, destination root, relative output path). Destination root "out" is the build tree,
# "py" the package's _generated directory.
TARGETS = [
    ("limits.h.j2", "out", "include/qconv_generated/limits.h"),
    ("limits.py.j2", "py", "limits.py"),
    ("op_decl.py.j2", "py", "op_decl.py"),
    ("generated_init.py.j2", "py", "__init__.py"),
]


def render_all(config_dir: pathlib.Path, template_dir: pathlib.Path, out: pathlib.Path,
               py_out: pathlib.Path) -> list[pathlib.Path]:
    ctx = load_configs(config_dir)
    env = make_env(template_dir)
    written = []
    roots = {"out": out, "py": py_out}
    for template, root, rel in TARGETS:
        if not (template_dir / template).exists():
            continue
        text = env.get_template(template).render(**ctx, sources=sorted(p.name for p in config_dir.glob("*.yaml")))
        dest = roots[root] / rel
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
