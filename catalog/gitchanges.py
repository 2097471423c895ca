"""Which data files changed against a git base (for ``validate --changed``)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def _git(args: list[str], cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def changed_data_files(data: Path, base: str) -> set[Path]:
    """Files under ``data`` that differ from ``base`` (committed, staged, unstaged or new).

    Falls back to ``HEAD`` when ``base`` does not exist (a fresh clone has no origin/main).
    """
    top = Path(_git(["rev-parse", "--show-toplevel"], data).strip())
    try:
        _git(["rev-parse", "--verify", "--quiet", base], top)
    except subprocess.CalledProcessError:
        base = "HEAD"
    names = set(_git(["diff", "--name-only", base, "--", str(data)], top).split())
    names |= set(_git(["ls-files", "--others", "--exclude-standard", "--", str(data)], top).split())
    return {(top / n).resolve() for n in names if (top / n).exists()}
