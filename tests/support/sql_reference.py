"""The filter and facet semantics written as plain SQL: a reference for the in-memory index.

The app filters and counts facets with :mod:`webapp.index`; these queries
state the same rules directly over the schema, and ``tests/webapp/test_web_index.py``
checks that both answer alike on random filter states. They are test code on
purpose: the app has one implementation of filtering.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from catalog.links import LINK_KINDS
from catalog.taxonomy import AXES
from webapp.filters import BOOL_PARAMS, PaperFilter, Vocabulary
from webapp.queries import ORDER_BY, FacetValue, _where


def _in(column: str, values: tuple[str, ...], params: list[Any]) -> str:
    params.extend(values)
    return f"{column} IN ({','.join('?' * len(values))})"


def placement_conditions(f: PaperFilter, alias: str, skip: str | None, params: list[Any]) -> list[str]:
    """Conditions on one placement row (all axes on the same path)."""
    return [_in(f"{alias}.{axis}", getattr(f, axis), params) for axis in AXES if axis != skip and getattr(f, axis)]


def paper_conditions(f: PaperFilter, skip: str | None, params: list[Any], *, taxonomy: bool = True, fts: bool = True) -> list[str]:
    """Conditions on ``paper p`` for every active filter except ``skip``."""
    conds: list[str] = []
    if taxonomy:
        sub = placement_conditions(f, "pl", skip, params)
        if sub:
            conds.append(f"p.key IN (SELECT pl.paper_key FROM placement pl WHERE {' AND '.join(sub)})")
    for name in ("venue", "kind"):
        if name != skip and getattr(f, name):
            conds.append(_in(f"p.{name}", getattr(f, name), params))
    if f.reproduction and skip != "reproduction":
        conds.append(_in("p.repro_link", f.reproduction, params))
    if f.dataset and skip != "dataset":
        conds.append(f"p.key IN (SELECT pd.paper_key FROM paper_dataset pd WHERE {_in('pd.dataset_id', f.dataset, params)})")
    if skip != "year":
        if f.year_min is not None:
            conds.append("p.year >= ?")
            params.append(f.year_min)
        if f.year_max is not None:
            conds.append("p.year <= ?")
            params.append(f.year_max)
    for name in BOOL_PARAMS:
        if name != skip and getattr(f, name) is not None:
            conds.append(f"p.{name} = ?")
            params.append(1 if getattr(f, name) else 0)
    if f.fts_query and fts:
        conds.append("p.rowid IN (SELECT rowid FROM paper_fts WHERE paper_fts MATCH ?)")
        params.append(f.fts_query)
    return conds


def count_papers(con: sqlite3.Connection, f: PaperFilter) -> int:
    params: list[Any] = []
    conds = paper_conditions(f, None, params)
    return con.execute(f"SELECT COUNT(*) FROM paper p{_where(conds)}", params).fetchone()[0]


def filtered_keys(con: sqlite3.Connection, f: PaperFilter, *, paged: bool = True) -> list[str]:
    """Keys of the matching papers in the filter's order (one page, or all for exports)."""
    params: list[Any] = []
    sort = f.effective_sort
    conds = paper_conditions(f, None, params, fts=sort != "relevance")
    if sort == "relevance":
        params.insert(0, f.fts_query)
        sql = f"SELECT p.key FROM paper p JOIN paper_fts ON paper_fts.rowid = p.rowid AND paper_fts MATCH ?{_where(conds)} ORDER BY {ORDER_BY[sort]}"
    else:
        sql = f"SELECT p.key FROM paper p{_where(conds)} ORDER BY {ORDER_BY[sort]}"
    if paged:
        sql += " LIMIT ? OFFSET ?"
        params += [f.per_page, f.offset]
    return [r[0] for r in con.execute(sql, params)]


def facet_counts(con: sqlite3.Connection, f: PaperFilter, vocab: Vocabulary) -> dict[str, list[FacetValue]]:
    """Counts per value of every facet, for the current filter (disjunctive faceting).

    Each facet is counted with every filter applied except its own, so the
    numbers say how many papers a click on that value would add (Datasette's
    behaviour). Taxonomy facets count distinct papers over ``placement``
    constrained on the same row by the other axes.
    """
    out: dict[str, list[FacetValue]] = {}
    for axis in AXES:
        params: list[Any] = []
        conds = placement_conditions(f, "pl", axis, params) + paper_conditions(f, axis, params, taxonomy=False)
        sql = f"SELECT pl.{axis}, COUNT(DISTINCT pl.paper_key) FROM placement pl JOIN paper p ON p.key = pl.paper_key{_where(conds)} GROUP BY pl.{axis}"
        got = dict(con.execute(sql, params).fetchall())
        out[axis] = [FacetValue(v.value, v.label, got.get(v.value, 0), v.value in getattr(f, axis)) for v in vocab.taxonomy.values[axis]]
    for name, col in (
        ("venue", "p.venue"),
        ("kind", "p.kind"),
        ("reproduction", "p.repro_link"),
        ("year", "p.year"),
        *((name, f"p.{name}") for name in BOOL_PARAMS),
    ):
        params = []
        conds = paper_conditions(f, name, params)
        rows = [tuple(r) for r in con.execute(f"SELECT {col}, COUNT(*) FROM paper p{_where(conds)} GROUP BY {col}", params)]
        if name == "venue":
            rows = sorted(rows, key=lambda r: (-r[1], str(r[0])))
            out[name] = [FacetValue(v, v, n, v in f.venue) for v, n in rows]
        elif name == "kind":
            out[name] = [FacetValue(v, v, n, v in f.kind) for v, n in sorted(rows)]
        elif name == "reproduction":  # every link kind, in catalog.links order, papers without a link left out
            d = dict(rows)
            out[name] = [FacetValue(v, v, d.get(v, 0), v in f.reproduction) for v in LINK_KINDS]
        elif name == "year":
            out[name] = [FacetValue(str(v), str(v), n, f.year_min == v and f.year_max == v) for v, n in sorted(rows, reverse=True)]
        else:
            d = dict(rows)
            cur = getattr(f, name)
            out[name] = [FacetValue("1", "yes", d.get(1, 0), cur is True), FacetValue("0", "no", d.get(0, 0), cur is False)]
    return out
