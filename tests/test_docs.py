"""The docs point only at files that exist (paths in backticks that look like repository paths)."""

from __future__ import annotations

import re

from catalog.paths import REPO_ROOT

DOCS = [REPO_ROOT / "README.md", REPO_ROOT / "CONTRIBUTING.md", *sorted((REPO_ROOT / "docs").glob("*.md")), REPO_ROOT / "reproductions" / "README.md"]
PATH = re.compile(r"`((?:catalog|clatlas_cli|webapp|reproductions|tests|docs|data|benchmarks)/[\w./*<>-]*)`")


def _mentioned(text: str) -> set[str]:
    return {m for m in PATH.findall(text) if "<" not in m and "*" not in m}


def test_every_documented_path_exists() -> None:
    missing = {}
    for doc in DOCS:
        gone = sorted(p for p in _mentioned(doc.read_text(encoding="utf-8")) if not (REPO_ROOT / p.rstrip("/")).exists())
        if gone:
            missing[str(doc.relative_to(REPO_ROOT))] = gone
    assert not missing, f"docs mention files that do not exist: {missing}"


def test_the_check_sees_paths() -> None:
    assert _mentioned("see `catalog/metrics.py` and `data/papers/<key>.yaml`") == {"catalog/metrics.py"}
