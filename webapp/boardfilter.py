"""Query parameters of the leaderboard views: a board's filter, and the methods to compare.

One parser serves the board page, its API endpoint and its CSV/JSON
exports, so a shared link means the same rows everywhere. Like the paper
list's parser, it answers an unknown parameter or value with a readable 400
instead of silently showing everything; an empty form field means "any".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from catalog.boards import backbone_key
from catalog.taxonomy import suggest
from webapp.filters import FALSE, TRUE, FilterError

PARAMS = ("backbone", "verified", "has_code", "rank_by")


@dataclass(frozen=True)
class BoardFilter:
    """Which entries of a board to show and which column ranks them."""

    backbones: tuple[str, ...] = ()  # backbone keys (catalog.boards.backbone_key)
    verified_only: bool = False  # hide numbers not read in the paper's own text
    has_code: bool | None = None
    rank_by: str | None = None  # a board column; None: the board's default

    def params(self) -> list[tuple[str, str]]:
        out = [("backbone", b) for b in self.backbones]
        if self.verified_only:
            out.append(("verified", "true"))
        if self.has_code is not None:
            out.append(("has_code", "true" if self.has_code else "false"))
        if self.rank_by is not None:
            out.append(("rank_by", self.rank_by))
        return out

    def query(self, **changes: object) -> str:
        """``?a=b&…`` for this filter with ``changes`` applied ("" when nothing is set)."""
        params = replace(self, **changes).params() if changes else self.params()  # type: ignore[arg-type]  # field names, checked by replace()
        return "?" + urlencode(params) if params else ""


def _flag(name: str, raw: str, errors: list[str]) -> bool | None:
    v = raw.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    errors.append(f"{name} must be true or false, got {raw!r}")
    return None


def parse_board_filter(
    items: Iterable[tuple[str, str]], backbones: Iterable[str], columns: list[str], *, other_backbones: Iterable[str] = (), other_columns: Iterable[str] = ()
) -> BoardFilter:
    """Validate query parameters against one board's backbones (display names) and columns.

    A backbone or column that only other boards have (``other_*``) is
    accepted and simply selects nothing here: no entry of that backbone, no
    entry with a value to rank by.
    """
    known = {backbone_key(b): b for b in backbones}
    elsewhere = {backbone_key(b) for b in other_backbones}
    other_cols = set(other_columns)
    errors: list[str] = []
    chosen: list[str] = []
    verified = False
    has_code: bool | None = None
    rank_by: str | None = None
    seen: set[str] = set()
    for name, raw in items:
        if raw == "" and name in PARAMS:
            continue  # an empty form field ("any")
        if name not in PARAMS:
            near = suggest(name, list(PARAMS))
            errors.append(f"unknown parameter {name!r}" + (f"; did you mean {near!r}?" if near else f"; allowed: {', '.join(PARAMS)}"))
            continue
        if name != "backbone" and name in seen:
            errors.append(f"{name} given more than once")
            continue
        seen.add(name)
        if name == "backbone":
            key = backbone_key(raw)
            if key not in known and key not in elsewhere:
                near = suggest(raw, sorted(known.values()))
                errors.append(
                    f"{raw!r} is not a backbone of this board"
                    + (f"; did you mean {near!r}?" if near else f"; its backbones: {', '.join(sorted(known.values()))}")
                )
            elif key not in chosen:
                chosen.append(key)
        elif name == "verified":
            verified = bool(_flag(name, raw, errors))
        elif name == "has_code":
            has_code = _flag(name, raw, errors)
        elif raw not in columns and raw not in other_cols:
            errors.append(f"rank_by must be one of this board's columns: {', '.join(columns)} (got {raw!r})")
        else:
            rank_by = raw
    if errors:
        raise FilterError(errors)
    return BoardFilter(tuple(chosen), verified, has_code, rank_by)


def parse_methods(items: Iterable[tuple[str, str]], methods: list[dict[str, Any]]) -> list[str]:
    """The ``method`` parameters of the compare view, each a method key from ``queries.method_list`` (anything else is a 400).

    A method given twice is refused too: the API declares the list as unique
    items, and a form never sends one twice.
    """
    known = {m["key"] for m in methods}
    errors, chosen = [], []
    for name, value in items:
        if name != "method":
            errors.append(f"unknown parameter {name!r}; this page takes method=<key>, repeated")
        elif value not in known:
            near = suggest(value, sorted(known))
            errors.append(f"{value!r} is not a method on the boards" + (f"; did you mean {near!r}?" if near else ""))
        elif value in chosen:
            errors.append(f"method {value!r} given more than once")
        else:
            chosen.append(value)
    if errors:
        raise FilterError(errors)
    return chosen
