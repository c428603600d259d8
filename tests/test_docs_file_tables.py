"""Every directory's README has a table of its files (issue 15, "readable by a newcomer"), and the table is current.

The rule, for every git-tracked file F other than a README.md:
- F's covering README is the README.md of F's directory, or else of the nearest ancestor directory that has one
  (a small leaf directory, such as op_kernel/tests/, is listed in its parent's table instead of a README of its own);
- F's path relative to that README's directory is named in the first column of one of the README's file tables:
  a markdown table whose header's first cell is `file`, `path` or `template`; the names are the `backticked`
  tokens of that cell, where `a/b.h/.cpp` stands for `a/b.h` and `a/b.cpp`.
In the other direction, every name such a first column gives with a file extension or a trailing `/` must exist
(a tracked file, or a directory holding tracked files), and every tracked README.md has a file table.
A new file therefore fails here until a row names it; a removed one fails until its row goes."""
from __future__ import annotations

import re
import subprocess
from pathlib import PurePosixPath

from kit_paths import ROOT

# Tracked files no table needs to name (generated or fixture files): none today; add one with the reason.
EXEMPT: dict[str, str] = {}
TABLE_HEADS = ("file", "path", "template")
PATH_LIKE = re.compile(r"^[\w.+-][\w./+-]*(\.[A-Za-z0-9]+|/)$")


def _tracked() -> list[str]:
    return subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()


def _expand(token: str) -> list[str]:
    """`a/b.h/.cpp` -> [`a/b.h`, `a/b.cpp`]; any other token -> itself."""
    parts = token.split("/.")
    if len(parts) == 1:
        return [token]
    first = parts[0]
    stem = first.rsplit(".", 1)[0]
    return [first] + [f"{stem}.{ext}" for ext in parts[1:]]


def file_table_names(text: str) -> list[str] | None:
    """The names in the first column of the README's file tables; None when it has no file table."""
    names, found, in_table = [], False, False
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not in_table:
            is_head = i + 1 < len(lines) and re.match(r"^\|\s*:?-{3,}", lines[i + 1])
            in_table = bool(is_head) and cells[0].lower() in TABLE_HEADS
            found |= in_table
            continue
        if re.match(r"^:?-{3,}", cells[0]):
            continue
        for token in re.findall(r"`([^`]+)`", cells[0]):
            names.extend(_expand(token))
    return names if found else None


def _readmes(tracked: list[str]) -> dict[PurePosixPath, str]:
    return {PurePosixPath(n).parent: (ROOT / n).read_text() for n in tracked if PurePosixPath(n).name == "README.md"}


def _covering(directory: PurePosixPath, readmes) -> PurePosixPath:
    while directory not in readmes:
        directory = directory.parent
    return directory


def test_every_readme_has_a_file_table():
    tracked = _tracked()
    missing = [str(d / "README.md") for d, text in _readmes(tracked).items() if file_table_names(text) is None]
    assert not missing, ("READMEs without a file table (a markdown table whose first header cell is "
                         f"{' / '.join(TABLE_HEADS)}):\n" + "\n".join(missing))


def test_every_tracked_file_is_named_in_its_readme_table():
    tracked = _tracked()
    readmes = _readmes(tracked)
    assert PurePosixPath(".") in readmes, "the top-level README.md is missing"
    names = {d: set(file_table_names(text) or ()) for d, text in readmes.items()}
    unnamed = []
    for name in tracked:
        path = PurePosixPath(name)
        if path.name == "README.md" or name in EXEMPT:
            continue
        home = _covering(path.parent, readmes)
        relative = str(path.relative_to(home))
        if relative not in names[home]:
            unnamed.append(f"{home / 'README.md'}: add a row for `{relative}`")
    assert not unnamed, "tracked files that no README table names:\n" + "\n".join(unnamed)


def test_every_name_in_a_readme_table_exists():
    tracked = _tracked()
    files = set(tracked)
    dirs = {str(p) + "/" for n in tracked for p in PurePosixPath(n).parents if str(p) != "."}
    stale = []
    for home, text in _readmes(tracked).items():
        for name in file_table_names(text) or ():
            if not PATH_LIKE.match(name):
                continue
            full = name if str(home) == "." else f"{home}/{name}"
            if full not in files and full not in dirs:
                stale.append(f"{home / 'README.md'}: `{name}` is not a tracked file or directory")
    assert not stale, "README table rows naming nothing in the repository:\n" + "\n".join(stale)


def test_the_rule_reads_tables_as_described():
    text = ("intro `not_in_table.py`\n\n| file | holds |\n|---|---|\n| `a.h/.cpp`, `sub/c.py` | x `d.py` |\n"
            "\n| shape | time |\n|---|---|\n| `e.py` | 1 |\n")
    assert file_table_names(text) == ["a.h", "a.cpp", "sub/c.py"]
    assert file_table_names("| shape | time |\n|---|---|\n| `e.py` | 1 |\n") is None
    assert _expand("core/check_params.h/.cpp") == ["core/check_params.h", "core/check_params.cpp"]
    assert _expand("int_conv_input.cpp/.h") == ["int_conv_input.cpp", "int_conv_input.h"]
