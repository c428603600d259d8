"""Every citation in the repository can be followed by whoever clones it: comments, docstrings and docs name a
file of this repository or a primary source (an upstream repository and path, or a public page), never notes
kept outside the repository. Every tracked text file but this one (its pattern names what it refuses) is read."""
from __future__ import annotations

import re
import subprocess

from kit_paths import ROOT

OUTSIDE = re.compile(
    r"reference/\w+\.md|\bdigests?\b|ARCHITECTURE\.md|COMPASS|research/|\.\./shared|/work/shared"
    r"|\b(torch_npu_quantconv2d|npu_roofline|ascendc_kit_anatomy|ascendc_api_cube_and_move|ascendc_api_vector_sync"
    r"|cpu_int8_perf|conv_dataflow_anchors|toolchain_feasibility|code_design_review)\.md", re.I)
TEXT = (".py", ".md", ".h", ".cpp", ".cc", ".yaml", ".j2", ".sh", ".txt", ".cmake", ".toml")


def _tracked_text_files():
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [n for n in names if n.endswith(TEXT) or n in ("build.sh", ".ci/run")]


def test_no_citation_points_outside_the_repository():
    offending = []
    for name in _tracked_text_files():
        if name == "tests/test_citations.py":
            continue
        for number, line in enumerate((ROOT / name).read_text(errors="replace").splitlines(), start=1):
            if OUTSIDE.search(line):
                offending.append(f"{name}:{number}: {line.strip()}")
    assert not offending, "citations of documents outside the repository:\n" + "\n".join(offending)


def test_the_pattern_catches_what_it_is_for():
    # Built from parts so that this file itself holds no such citation.
    notes = "refer" + "ence/" + "torch_npu_quantconv2d" + ".md"
    for line in ("# See ../" + "shared/" + notes + " section 5.", "// " + "dig" + "est" + " section 6.4",
                 "Semantics (" + "ARCHITECTURE" + ".md, " + notes + " section 3):"):
        assert OUTSIDE.search(line), line
    for line in ("# mirror-cann/asc-devkit docs/zh/api/SIMD-API/基础API/同步控制/核间同步/SyncAll.md",
                 "see docs/design.md section 1", "the model's architecture"):
        assert not OUTSIDE.search(line), line
