"""One board as the page, the API and the exports show it.

:func:`load_board` reads a board, parses its filter and ranks it (through
:func:`catalog.boards.assemble`, where the rank rules live); the
serialisers below turn the result into JSON and CSV with the same fields,
so an export is exactly what the page showed.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from catalog.boards import BoardView, Entry, assemble, column_label
from webapp import queries
from webapp.boardfilter import BoardFilter, parse_board_filter


def load_board(
    con: sqlite3.Connection, lb_id: str, params: Iterable[tuple[str, str]], vocab: dict[str, list[str]] | None = None
) -> tuple[dict[str, Any], BoardFilter, BoardView] | None:
    """The board ``lb_id`` filtered by ``params``, or ``None`` when there is no such board (bad parameters raise FilterError).

    ``vocab`` is :func:`webapp.queries.board_vocab` (read here when not given; callers cache it per build).
    """
    head = queries.leaderboard_head(con, lb_id)
    if head is None:
        return None
    head["backbone_names"] = queries.board_backbones(con, lb_id)
    head["column_labels"] = {c: column_label(c, head["columns"]) for c in head["columns"]}
    if vocab is None:
        vocab = queries.board_vocab(con)
    f = parse_board_filter(params, head["backbone_names"], head["columns"], other_backbones=vocab["backbones"], other_columns=vocab["columns"])
    view = assemble(
        queries.board_rows(con, lb_id),
        head["columns"],
        head["direction"],
        f.rank_by or head["rank_by"],
        backbones=f.backbones,
        verified_only=f.verified_only,
        has_code=f.has_code,
    )
    head["column_labels"].setdefault(view.rank_by, column_label(view.rank_by, head["columns"]))  # a column only other boards have
    return head, f, view


def protocol_fields(e: Entry) -> dict[str, Any]:
    """Seeds, hardware and effective batch size, when the paper states them (one value, or a list when rows differ)."""
    out: dict[str, Any] = {}
    for name, values in (("seeds", e.seeds), ("hardware", e.hardware), ("batch_size", e.batch_size)):
        if values:
            out[name] = values[0] if len(values) == 1 else values
    return out


def entry_dict(e: Entry, columns: list[str]) -> dict[str, Any]:
    return {
        "rank": e.rank,
        "backbone": e.backbone,
        "method": e.method_name,
        "method_key": e.method_key,
        "printed_as": e.printed_names,
        "method_paper_key": e.method_paper_key,
        "native": e.native,
        "reference": e.reference,
        "verified": e.verified,
        "provenance": e.provenance,
        "paper_key": e.paper_key,
        "paper_title": e.paper_title,
        "table": e.table,
        "year": e.year,
        "code_url": e.code_url,
        "values": {c: e.value(c) for c in columns if c in e.cells},
        "cells": {
            c: {
                "value": cell.value,
                "provenance": cell.provenance,
                "verified": cell.verified,
                "note": cell.note,
                "task_order_printed": cell.task_order_printed,
                "also_in": cell.also_in,
                "result_id": cell.result_id,
            }
            for c, cell in e.cells.items()
        },
        **protocol_fields(e),
    }


def board_json(head: dict[str, Any], f: BoardFilter, view: BoardView) -> dict[str, Any]:
    """The board with its protocol, filter and ranked entries, grouped by backbone."""
    board = {
        k: head[k]
        for k in (
            "id",
            "benchmark_id",
            "benchmark_name",
            "order_group",
            "order_label",
            "num_tasks",
            "shots",
            "metric_id",
            "metric_name",
            "direction",
            "unit",
            "columns",
            "column_labels",
            "backbone_names",
        )
    }
    return {
        "leaderboard": board,
        "filter": {"backbone": list(f.backbones), "verified": f.verified_only, "has_code": f.has_code, "rank_by": view.rank_by},
        "rules": "ranks are computed within one backbone, by rank_by; reference rows and entries without a rank_by value are not ranked",
        "sections": [
            {
                "backbone": s.backbone,
                "ranked": [entry_dict(e, view.columns) for e in s.ranked],
                "unranked": [entry_dict(e, view.columns) for e in s.unranked],
                "references": [entry_dict(e, view.columns) for e in s.references],
            }
            for s in view.sections
        ],
    }


CSV_FIXED = ("board", "backbone", "rank", "method", "method_paper", "printed_as", "native", "reference", "verified", "provenance")
CSV_TAIL = ("reported_in", "table", "year", "seeds", "hardware", "batch_size", "code_url", "also_in")


def board_csv(head: dict[str, Any], view: BoardView) -> str:
    """One line per entry (ranked, unranked, references), one column per board column."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    value_cols = [head["column_labels"][c] for c in view.columns]
    w.writerow([*CSV_FIXED, *value_cols, *CSV_TAIL])
    for e in view.entries():
        proto = protocol_fields(e)
        also = sorted({f"{a.get('paper') or e.paper_key}: {a['table']}" for c in e.cells.values() for a in c.also_in})
        w.writerow(
            [
                head["id"],
                e.backbone,
                e.rank if e.rank is not None else "",
                e.method_name,
                e.method_paper_key or "",
                "; ".join(e.printed_names),
                str(e.native).lower(),
                str(e.reference).lower(),
                str(e.verified).lower(),
                "; ".join(e.provenance),
                *["" if e.value(c) is None else str(e.value(c)) for c in view.columns],
                e.paper_key,
                e.table,
                e.year or "",
                json.dumps(proto.get("seeds")) if "seeds" in proto else "",
                proto.get("hardware", "") if not isinstance(proto.get("hardware"), list) else "; ".join(proto["hardware"]),
                json.dumps(proto.get("batch_size")) if "batch_size" in proto else "",
                e.code_url or "",
                "; ".join(also),
            ]
        )
    return buf.getvalue()


def compare(con: sqlite3.Connection, method_keys: list[str]) -> list[dict[str, Any]]:
    """Methods side by side on every board where one of them has a number: per board and backbone, each method's entries.

    Each board is ranked whole (no filter), so a rank here is the rank on the board itself.
    """
    out = []
    vocab = queries.board_vocab(con)
    for lb_id in queries.boards_with_methods(con, method_keys):
        loaded = load_board(con, lb_id, [], vocab)
        assert loaded is not None  # the id came from the leaderboard table
        head, _, view = loaded
        rows = []
        for s in view.sections:
            cells = {k: [_compare_cell(e, view.rank_by) for e in s.ranked + s.unranked + s.references if e.method_key == k] for k in method_keys}
            if any(cells.values()):
                rows.append({"backbone": s.backbone, "methods": cells})
        out.append(
            {
                "leaderboard": {k: head[k] for k in ("id", "benchmark_id", "benchmark_name", "order_label", "num_tasks", "shots", "metric_id", "direction")},
                "rank_by": view.rank_by,
                "rank_by_label": head["column_labels"][view.rank_by],
                "rows": rows,
            }
        )
    return out


def _compare_cell(e: Entry, rank_by: str) -> dict[str, Any]:
    return {
        "value": e.value(rank_by),
        "rank": e.rank,
        "reference": e.reference,
        "verified": e.verified,
        "native": e.native,
        "paper_key": e.paper_key,
        "paper_title": e.paper_title,
        "table": e.table,
    }
