"""Validation problems: one record per problem, reported all at once.

Every message names the file, the entry and the field, so a contributor can
fix a mistake without reading a traceback.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located as precisely as we can."""

    path: str
    line: int | None
    entry: str
    field: str
    message: str
    hint: str | None = None

    def format(self) -> str:
        """``path:line: entry: field: message`` (the compiler-style line editors understand)."""
        loc = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{loc}: {self.entry}: {self.field}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


def format_problems(problems: list[Problem], fmt: str = "text") -> str:
    """Render problems for people (``text``) or machines (``json``)."""
    if fmt == "json":
        return json.dumps({"ok": not problems, "count": len(problems), "problems": [asdict(p) for p in problems]}, indent=2)
    return "\n".join(p.format() for p in problems)


class CatalogInvalid(Exception):
    """Raised by the build when validation found problems; carries them all."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the catalog data")
        self.problems = problems
