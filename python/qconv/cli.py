"""`qconv-kit`: the kit's command line. Each command lives in qconv/commands/<name>.py and exposes
`add_arguments(parser)` and `main(args) -> int`; this file only dispatches, importing just the
command asked for (so one command's missing dependency never breaks the others)."""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "run": "verify QuantConv2d cases against the golden on a backend and print a table",
    "tiling": "print the op_host tiling of one shape for one SoC",
    "profile": "summarise pipe utilisation (msprof CSVs from an NPU, or the CPU twin's counters)",
    "roofline": "run a network's convolutions in the twin: modelled time vs the minimal-traffic bound per layer",
    "model": "convert a whole network (digits-cnn, resnet50) to int8 QuantConv2d, run it on cpu or sim, measure it",
}


def _top_level_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qconv-kit", description="qconv-kit: the int8 QuantConv2d kit (golden, CPU op, CPU twin of the Ascend C kernel, NPU path)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name, help_text in COMMANDS.items():
        sub.add_parser(name, help=help_text)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in COMMANDS:
        _top_level_parser().parse_args(argv)  # prints usage / help and exits
        return 2
    name, rest = argv[0], argv[1:]
    module = importlib.import_module(f"qconv.commands.{name}")
    parser = argparse.ArgumentParser(prog=f"qconv-kit {name}", description=COMMANDS[name])
    module.add_arguments(parser)
    return module.main(parser.parse_args(rest))


if __name__ == "__main__":
    sys.exit(main())
