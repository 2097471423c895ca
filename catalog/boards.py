"""Leaderboards: which numbers share a board, who a row is, and how rows are ranked.

A board is one benchmark under one protocol: a group of task orders (see
:mod:`catalog.orders`), the shots and the metric. Its columns are the
group's orders plus their printed average; its rows ("entries") are one
method on one backbone as one paper's table reports it. The rules a
researcher has to be able to trust live here, once:

- a method is identified by its catalog paper when it has one
  (``method_paper``), so "O-Lora" and "O-LoRA" are one method, and by its
  printed name otherwise (:func:`method_key`);
- ranks are computed within one backbone only, never across backbones;
- reference rows (multitask, per-task, single-task upper bounds) are shown
  apart and never ranked;
- an entry without a value in the ranking column is listed but not ranked.

The build uses the identity functions to store each result's board; the web
app, the API and the exports call :func:`assemble` on a board's rows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from catalog.orders import AVG

VERIFIED = "paper-text"
NO_ORDER = "value"  # column key of numbers printed without a task order


def method_key(method: str, method_paper: str | None) -> str:
    """The identity of a method on the boards: its catalog paper when known, else its printed name."""
    if method_paper:
        return f"paper:{method_paper}"
    return "name:" + " ".join(method.casefold().split())


@lru_cache(maxsize=4096)
def backbone_key(backbone: str) -> str:
    """Spellings of one backbone ("T5-Large", "t5 large") compare equal; ranks never cross two keys."""
    return re.sub(r"[\s_]+", "-", backbone.strip().casefold())


def board_id(benchmark: str, group: str | None, num_tasks: int | None, shots: int | None, metric: str) -> str:
    """Numbers share a board only when benchmark, order group, shots and metric agree.

    A declared order group fixes the number of tasks; without one, the
    number of tasks stands in for the group.
    """
    parts = [benchmark, group or (f"{num_tasks}-tasks" if num_tasks else ""), f"{shots}-shot" if shots else "", metric]
    return "/".join(p for p in parts if p)


def _natural(order: str) -> tuple[int, float, str]:
    return (0, float(order), "") if re.fullmatch(r"\d+(\.\d+)?", order) else (1, 0.0, order)


def board_columns(declared: list[str], seen: Iterable[str | None]) -> list[str]:
    """A board's columns: the declared orders (or the orders seen), then the average, then "no order"."""
    seen = set(seen)
    orders = list(declared) if declared else sorted((o for o in seen if o not in (None, AVG)), key=_natural)
    if declared:
        orders += sorted((o for o in seen if o not in (None, AVG) and o not in declared), key=_natural)
    cols = orders + ([AVG] if AVG in seen or len(declared) > 1 else [])
    if None in seen:
        cols.append(NO_ORDER)
    return cols


def column_label(column: str, columns: list[str]) -> str:
    """How a column is headed: "order 1", "avg", and "value" (or "no order" beside order columns)."""
    if column == NO_ORDER:
        return "value" if columns == [NO_ORDER] else "no order"
    return column if column == AVG else f"order {column}"


def default_rank_by(columns: list[str]) -> str:
    """Rank by the printed average when the board has one, else by its first column."""
    return AVG if AVG in columns else columns[0]


def method_names(results: Iterable[tuple[str, str, str | None, bool, str | None]]) -> dict[str, str]:
    """One display name per method key, from ``(reporting paper, method, method_paper, native, survey acronym)``.

    A method is named as its own paper prints it (its native rows); else by
    the spelling most papers print (then most rows), the survey's acronym
    breaking a tie.
    """
    own: dict[str, Counter[str]] = {}
    papers: dict[str, dict[str, set[str]]] = {}
    rows: dict[str, Counter[str]] = {}
    acronym: dict[str, str] = {}
    for paper, method, method_paper, native, method_acronym in results:
        key = method_key(method, method_paper)
        papers.setdefault(key, {}).setdefault(method, set()).add(paper)
        rows.setdefault(key, Counter())[method] += 1
        if method_paper and native and paper == method_paper:
            own.setdefault(key, Counter())[method] += 1
        if method_paper and method_acronym:
            acronym[key] = method_acronym
    out = {}
    for key, spellings in papers.items():
        if key in own:
            out[key] = own[key].most_common(1)[0][0]
        else:
            out[key] = max(spellings, key=lambda m: (len(spellings[m]), rows[key][m], m == acronym.get(key), m))
    return out


# --------------------------------------------------------------------------- assembling a board


@dataclass
class Cell:
    """One printed number of an entry, in one column."""

    value: float
    provenance: str
    result_id: int | None = None
    note: str | None = None
    task_order_printed: str | None = None
    also_in: list[dict[str, Any]] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return self.provenance == VERIFIED


@dataclass
class Entry:
    """One method on one backbone in one table of one paper: a row of a board."""

    paper_key: str
    paper_title: str
    table: str
    method_key: str
    method_name: str
    printed_names: list[str]
    method_paper_key: str | None
    backbone: str
    backbone_key: str
    native: bool
    reference: bool
    year: int | None
    code_url: str | None
    cells: dict[str, Cell] = field(default_factory=dict)
    seeds: list[int] = field(default_factory=list)
    hardware: list[str] = field(default_factory=list)
    batch_size: list[int] = field(default_factory=list)
    rank: int | None = None

    @property
    def verified(self) -> bool:
        """True only when every number of the entry was read in the paper's own text."""
        return all(c.verified for c in self.cells.values())

    @property
    def provenance(self) -> list[str]:
        return sorted({c.provenance for c in self.cells.values()})

    def value(self, column: str) -> float | None:
        cell = self.cells.get(column)
        return cell.value if cell else None

    @property
    def notes(self) -> list[str]:
        """The distinct notes of the entry's numbers; a note that another one contains is shown once, inside it."""
        notes = list(dict.fromkeys(c.note for c in self.cells.values() if c.note))
        return [n for n in notes if not any(n != other and n in other for other in notes)]

    @property
    def also_in(self) -> list[dict[str, Any]]:
        """Other places that print the entry's numbers."""
        out: list[dict[str, Any]] = []
        for c in self.cells.values():
            for a in c.also_in:
                if a not in out:
                    out.append(a)
        return out


@dataclass
class BackboneSection:
    """The entries of one backbone: ranked ones first, then unranked, then references."""

    backbone: str
    backbone_key: str
    ranked: list[Entry]
    unranked: list[Entry]
    references: list[Entry]


@dataclass
class BoardView:
    columns: list[str]
    rank_by: str
    direction: str
    sections: list[BackboneSection]

    def entries(self, references: bool = True) -> list[Entry]:
        out: list[Entry] = []
        for s in self.sections:
            out += s.ranked + s.unranked + (s.references if references else [])
        return out


def _entry_of(row: Mapping[str, Any]) -> Entry:
    return Entry(
        paper_key=row["paper_key"],
        paper_title=row.get("paper_title") or row["paper_key"],
        table=row["table_ref"],
        method_key=row["method_key"],
        method_name=row.get("method_name") or row["method"],
        printed_names=[],
        method_paper_key=row.get("method_paper_key"),
        backbone=row["backbone"],
        backbone_key=row["backbone_key"],
        native=bool(row["native"]),
        reference=bool(row["reference"]),
        year=row.get("year"),
        code_url=row.get("code_url"),
    )


def _add_unique(items: list[Any], value: Any) -> None:
    if value is not None and value not in items:
        items.append(value)


def group_entries(rows: Iterable[Mapping[str, Any]]) -> list[Entry]:
    """Fold a board's result rows into entries (one per paper, table, method, backbone and reference flag)."""
    import json

    entries: dict[tuple[Any, ...], Entry] = {}
    for row in rows:
        key = (row["paper_key"], row["table_ref"], row["method_key"], row["backbone_key"], bool(row["reference"]))
        e = entries.get(key)
        if e is None:
            e = entries[key] = _entry_of(row)
        column = row["task_order"] if row["task_order"] is not None else NO_ORDER
        also = row.get("also_in_json")
        e.cells[column] = Cell(
            value=row["value"],
            provenance=row["provenance"],
            result_id=row.get("id"),
            note=row.get("note"),
            task_order_printed=row.get("task_order_printed"),
            also_in=json.loads(also) if isinstance(also, str) else list(also or []),
        )
        _add_unique(e.printed_names, row["method"])
        _add_unique(e.seeds, row.get("seeds"))
        _add_unique(e.hardware, row.get("hardware"))
        _add_unique(e.batch_size, row.get("batch_size"))
    return list(entries.values())


def rank_within_backbones(entries: list[Entry], rank_by: str, direction: str) -> list[BackboneSection]:
    """Competition ranks ("1, 2, 2, 4") per backbone, by ``rank_by``; references and entries without it get none."""
    by_backbone: dict[str, list[Entry]] = {}
    for e in entries:
        e.rank = None
        by_backbone.setdefault(e.backbone_key, []).append(e)
    sign = -1.0 if direction == "higher" else 1.0
    sections = []
    for bkey, group in by_backbone.items():
        candidates = [e for e in group if not e.reference and e.value(rank_by) is not None]
        candidates.sort(key=lambda e: (sign * (e.value(rank_by) or 0.0), not e.native, e.method_name.casefold(), e.paper_key))
        previous: float | None = None
        for i, e in enumerate(candidates, 1):
            v = e.value(rank_by)
            e.rank = candidates[i - 2].rank if previous is not None and v == previous else i
            previous = v
        unranked = sorted((e for e in group if not e.reference and e.rank is None), key=lambda e: (e.method_name.casefold(), e.paper_key))
        refs = sorted((e for e in group if e.reference), key=lambda e: (e.method_name.casefold(), e.paper_key, e.table))
        names = Counter(e.backbone for e in group)
        sections.append(BackboneSection(names.most_common(1)[0][0], bkey, candidates, unranked, refs))
    sections.sort(key=lambda s: (-len(s.ranked) - len(s.unranked), s.backbone.casefold()))
    return sections


def assemble(
    rows: Iterable[Mapping[str, Any]],
    columns: list[str],
    direction: str,
    rank_by: str | None = None,
    *,
    backbones: Iterable[str] = (),
    verified_only: bool = False,
    has_code: bool | None = None,
) -> BoardView:
    """A board ready to show: filtered, folded into entries, ranked within each backbone.

    Filters apply before ranking, so hiding unverified numbers ranks the
    remaining ones among themselves.
    """
    wanted = {backbone_key(b) for b in backbones}
    entries = []
    for e in group_entries(rows):
        if wanted and e.backbone_key not in wanted:
            continue
        if verified_only and not e.verified:
            continue
        if has_code is not None and bool(e.code_url) != has_code:
            continue
        entries.append(e)
    rank_by = rank_by or default_rank_by(columns)
    return BoardView(columns, rank_by, direction, rank_within_backbones(entries, rank_by, direction))


def best_per_year(view: BoardView) -> dict[str, list[tuple[int, float, str]]]:
    """State of the art over time: per backbone, the best ranked value of each year, with the method that reached it."""
    out: dict[str, list[tuple[int, float, str]]] = {}
    better = (lambda a, b: a > b) if view.direction == "higher" else (lambda a, b: a < b)
    for s in view.sections:
        best: dict[int, tuple[float, str]] = {}
        for e in s.ranked:
            v = e.value(view.rank_by)
            if e.year is None or v is None:
                continue
            if e.year not in best or better(v, best[e.year][0]):
                best[e.year] = (v, e.method_name)
        if best:
            out[s.backbone] = [(y, v, m) for y, (v, m) in sorted(best.items())]
    return out
