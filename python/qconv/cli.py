"""`qconv-kit`: the kit's command line. Each command lives in qconv/commands/<name>.py and exposes
`add_arguments(parser)` and `main(args) -> int`; this file only dispatches."""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "run": "verify QuantConv2d cases against the golden on a backend and print a table",
    "tiling": "print the op_host tiling of one shape for one SoC",
    "profile": "summarise pipe utilisation (msprof CSVs from an NPU, or the CPU twin's counters)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="qconv-kit", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"qconv.commands.{name}")
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    return importlib.import_module(f"qconv.commands.{args.command}").main(args)


if __name__ == "__main__":
    sys.exit(main())
