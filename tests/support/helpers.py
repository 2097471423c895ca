"""Small helpers for tests that break data files on purpose."""

from __future__ import annotations

import re
from pathlib import Path

from catalog.loader import load_catalog
from catalog.problems import Problem


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in a file, failing loudly if ``old`` is absent."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def problems(data: Path) -> list[Problem]:
    return load_catalog(data).problems


def one_problem(data: Path, **expect: object) -> Problem:
    """The single problem the data has; its fields must equal ``expect`` (regex for message)."""
    found = problems(data)
    assert len(found) == 1, "\n".join(p.format() for p in found)
    p = found[0]
    for name, want in expect.items():
        got = getattr(p, name)
        if name in ("message", "hint") and isinstance(want, str):
            assert got and re.search(want, got), f"{name}: {got!r} !~ {want!r}"
        else:
            assert got == want, f"{name}: {got!r} != {want!r}"
    return p


def line_of(path: Path, prefix: str) -> int:
    """1-based number of the first line of ``path`` that starts with ``prefix``."""
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(prefix):
            return i
    raise AssertionError(f"no line starting with {prefix!r} in {path}")
