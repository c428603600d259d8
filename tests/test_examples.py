"""The documentation runs: every numbered example (examples/NN_*.py) and every ```python block of README.md
executes to the end in a fresh interpreter (the examples assert their own results: bit-exact outputs,
buffers within capacity). A block or example that stops matching the package fails here."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from kit_paths import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("[0-9][0-9]_*.py"))
README_BLOCKS = re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), re.M | re.S)


def _run(args: list[str], what: str) -> None:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{what} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"


def test_the_examples_are_numbered_from_01():
    numbers = [int(p.name[:2]) for p in EXAMPLES]
    assert numbers[:3] == [1, 2, 3] and numbers == list(range(1, len(numbers) + 1)), [p.name for p in EXAMPLES]


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(example):
    _run([str(example)], str(example.relative_to(ROOT)))


def test_readme_has_python_blocks():
    assert README_BLOCKS, "README.md has no ```python block"


@pytest.mark.parametrize("index", range(len(README_BLOCKS)))
def test_readme_python_block_runs(index):
    _run(["-c", README_BLOCKS[index]], f"README.md's python block {index + 1}:\n{README_BLOCKS[index]}")
