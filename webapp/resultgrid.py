"""A paper's reported numbers as the paper prints them: method × task order, one block per benchmark and backbone.

Why: results are stored one number per row (method, task order, metric),
which is right for leaderboards and exports but unreadable as a list: O-LoRA's
Table 2 alone is some hundred rows. Readers know the shape of a CL results
table: a block per benchmark and backbone, a row per method, a column per
task order (and the average), grouped by metric. This module folds the rows
back into that shape; every cell keeps its own number's provenance.

A block is also split by protocol (order group, number of tasks, shots),
because numbers of two protocols never share a column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from catalog.boards import NO_ORDER
from catalog.orders import AVG


@dataclass
class Cell:
    value: float
    provenance: str
    note: str | None
    result_id: int


@dataclass
class Row:
    """One method as one table of one paper prints it."""

    method: str
    method_paper_key: str | None
    native: bool
    reference: bool
    paper_key: str  # the reporting paper
    reporter_title: str
    table: str
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)  # (metric, column) → number

    @property
    def provenances(self) -> list[str]:
        return sorted({c.provenance for c in self.cells.values()})

    @property
    def notes(self) -> list[str]:
        return list(dict.fromkeys(c.note for c in self.cells.values() if c.note))

    @property
    def kind(self) -> str:
        return "reference" if self.reference else ("native" if self.native else "rerun")


@dataclass
class Block:
    """The numbers on one benchmark, backbone and protocol."""

    benchmark_id: str
    benchmark_name: str
    backbone: str
    order_group: str | None
    order_label: str | None
    num_tasks: int | None
    shots: int | None
    metrics: list[str]  # in order of first appearance
    columns: dict[str, list[str]]  # per metric: task orders in order, then avg, then "value" (no order)
    leaderboards: dict[str, str]  # metric → board id
    rows: list[Row]

    @property
    def header(self) -> list[tuple[str, str]]:
        """Every (metric, column) of the block, left to right."""
        return [(m, c) for m in self.metrics for c in self.columns[m]]


def _natural(order: str) -> tuple[int, str]:
    m = re.match(r"\d+", order)
    return (int(m.group()), order) if m else (10**9, order)


def column_order(columns: Iterable[str]) -> list[str]:
    """Task orders as numbers sort (1, 2, …, 10), then the average, then numbers printed without an order."""
    seen = set(columns)
    orders = sorted((c for c in seen if c not in (AVG, NO_ORDER)), key=_natural)
    return orders + [c for c in (AVG, NO_ORDER) if c in seen]


def column_label(column: str) -> str:
    return {AVG: "avg", NO_ORDER: "value"}.get(column, column)


def pivot(results: Iterable[dict[str, Any]], own_key: str | None = None) -> list[Block]:
    """Fold result rows (as :func:`webapp.queries.results_for_paper` returns them) into blocks.

    Blocks holding numbers that paper ``own_key`` reports come first (its own
    tables before others' re-runs of its method), otherwise in the order of
    first appearance; rows go native first, then re-runs, then reference
    rows, each by method name.
    """
    blocks: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in results:
        bkey = (r["benchmark_id"], r["backbone_key"] if r.get("backbone_key") else r["backbone"], r["order_group"], r["num_tasks"], r["shots"])
        b = blocks.setdefault(bkey, {"head": r, "metrics": {}, "leaderboards": {}, "rows": {}})
        column = r["task_order"] or NO_ORDER
        b["metrics"].setdefault(r["metric_id"], set()).add(column)
        b["leaderboards"].setdefault(r["metric_id"], r["leaderboard"])
        rkey = (r["method_key"] or r["method"], r["method"], bool(r["reference"]), r["paper_key"], r["table_ref"])
        row = b["rows"].get(rkey)
        if row is None:
            row = b["rows"][rkey] = Row(
                r["method"],
                r["method_paper_key"],
                bool(r["native"]),
                bool(r["reference"]),
                r["paper_key"],
                r.get("reporter_title") or r["paper_key"],
                r["table_ref"],
            )
        row.cells[(r["metric_id"], column)] = Cell(r["value"], r["provenance"], r["note"], r["id"])
    out = []
    for b in blocks.values():
        h = b["head"]
        rows = sorted(b["rows"].values(), key=lambda x: ({"native": 0, "rerun": 1, "reference": 2}[x.kind], x.method.casefold(), x.table))
        out.append(
            Block(
                h["benchmark_id"],
                h.get("benchmark_name") or h["benchmark_id"],
                h["backbone"],
                h["order_group"],
                h.get("order_label"),
                h["num_tasks"],
                h["shots"],
                list(b["metrics"]),
                {m: column_order(cols) for m, cols in b["metrics"].items()},
                b["leaderboards"],
                rows,
            )
        )
    if own_key is not None:
        out.sort(key=lambda blk: not any(r.paper_key == own_key for r in blk.rows))
    return out
