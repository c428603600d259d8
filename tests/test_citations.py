"""Every citation in the repository can be followed by whoever clones it: comments, docstrings and docs name a
file of this repository or a primary source (an upstream repository and path, or a public page), never notes
kept outside the repository. Every tracked text file but this one (its pattern names what it refuses) is read."""
from __future__ import annotations

import re
import subprocess

from kit_paths import ROOT

OUTSIDE = re.compile(
    r"reference/\w+\.md|\bdigests?\b|ARCHITECTURE\.md|COMPASS|research/|\.\./shared|(?<![\w.])/work/"
    r"|\b(torch_npu_quantconv2d|npu_roofline|ascendc_kit_anatomy|ascendc_api_\w+|cpu_int8_perf"
    r"|conv_dataflow_anchors|toolchain_feasibility|code_design_review)\.md", re.I)
# An upstream documentation path (docs/zh/...) is followable only with its repository: a file citing one names
# the repository (owner/name, e.g. mirror-cann/asc-devkit) in it, so that it is not read as this repository's docs/.
UPSTREAM_DOC = re.compile(r"(?<![\w/])docs/zh/")
UPSTREAM_REPO = re.compile(r"\b(mirror-cann|Ascend|leideng|hicann)/[\w.-]+")
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


def test_upstream_doc_paths_name_their_repository():
    unnamed = []
    for name in _tracked_text_files():
        if name == "tests/test_citations.py":
            continue
        text = (ROOT / name).read_text(errors="replace")
        if UPSTREAM_DOC.search(text) and not UPSTREAM_REPO.search(text):
            lines = [n for n, line in enumerate(text.splitlines(), start=1) if UPSTREAM_DOC.search(line)]
            unnamed.append(f"{name}:{lines[0]}: docs/zh/... without the upstream repository (owner/name) in the file")
    assert not unnamed, "upstream doc paths whose repository is not named:\n" + "\n".join(unnamed)


def test_the_pattern_catches_what_it_is_for():
    # Built from parts so that this file itself holds no such citation.
    notes = "refer" + "ence/" + "torch_npu_quantconv2d" + ".md"
    for line in ("# See ../" + "shared/" + notes + " section 5.", "// " + "dig" + "est" + " section 6.4",
                 "Semantics (" + "ARCHITECTURE" + ".md, " + notes + " section 3):",
                 "# measured in /" + "work/" + "scratch/run.log", "see ascendc_" + "api_sync_rules" + ".md"):
        assert OUTSIDE.search(line), line
    for line in ("# mirror-cann/asc-devkit docs/zh/api/SIMD-API/基础API/同步控制/核间同步/SyncAll.md",
                 "see docs/design.md section 1", "the model's architecture", "the work/ tree of a build",
                 "doc page atlasascendc_api_07_0204.html (SyncAll)"):
        assert not OUTSIDE.search(line), line
    assert UPSTREAM_DOC.search("// docs/zh/api/SIMD-API/基础API/数据结构/precision_conversion.md")
    assert not UPSTREAM_DOC.search("see docs/design.md") and not UPSTREAM_DOC.search("asc-devkit/docs/zh/x.md")
    assert UPSTREAM_REPO.search("mirror-cann/asc-devkit docs/zh/") and not UPSTREAM_REPO.search("asc-devkit docs/zh/")
