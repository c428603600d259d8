"""Subcommands of `qconv-kit` (see qconv/cli.py)."""
