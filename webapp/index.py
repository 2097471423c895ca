"""An in-memory columnar index of the paper list, for filtering and facet counts.

Why: the list page runs one count, one page and about ten facet counts per
request. As SQL ``GROUP BY`` queries over a 10,000-paper catalog that costs
25-120 ms (each facet re-runs the filter, and an FTS filter re-runs MATCH),
well above the 20 ms budget. The database is immutable between builds, so we
load the few filterable columns once per database generation into numpy
arrays (a few hundred KB for 10k papers) and count with vectorised masks,
which takes about a millisecond. The data still come only from the read-only
SQLite file (loaded with the queries below); full-text matching is still
FTS5's, and the SQL formulation in tests/support/sql_reference.py remains the
reference that the tests compare this index against.

Semantics are the same as ``facet_counts`` in tests/support/sql_reference.py: the four
taxonomy axes constrain one and the same placement row, and every facet is
counted with all filters except its own (disjunctive faceting).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict

import numpy as np

from catalog.links import LINK_KINDS
from catalog.taxonomy import AXES
from webapp.filters import BOOL_PARAMS, PaperFilter, Vocabulary
from webapp.queries import ORDER_BY, FacetValue

FTS_CACHE_SIZE = 256
SCALAR_FACETS = ("venue", "kind", "reproduction", "year") + BOOL_PARAMS


class PaperIndex:
    """Columns of ``paper``, ``placement`` and ``paper_dataset`` as arrays, plus sort orders."""

    def __init__(self, con: sqlite3.Connection, vocab: Vocabulary):
        self.vocab = vocab
        rows = con.execute(f"SELECT rowid, key, year, venue, kind, {', '.join(BOOL_PARAMS)}, repro_link FROM paper ORDER BY rowid").fetchall()
        self.n = len(rows)
        self.keys: list[str] = [r[1] for r in rows]
        idx_of = {k: i for i, k in enumerate(self.keys)}
        rowids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=self.n)
        self.rowid_to_idx = np.full(int(rowids.max(initial=0)) + 1, -1, dtype=np.int64)
        self.rowid_to_idx[rowids] = np.arange(self.n)
        self.rowids = rowids
        self.year = np.fromiter((r[2] for r in rows), dtype=np.int64, count=self.n)
        # years as offsets from the first one, so a year facet is one bincount
        self.year_min = int(self.year.min()) if self.n else 0
        self.year_span = int(self.year.max()) - self.year_min + 1 if self.n else 1
        self.venue_values = sorted({r[3] for r in rows})
        self.kind_values = sorted({r[4] for r in rows})
        venue_code = {v: i for i, v in enumerate(self.venue_values)}
        kind_code = {v: i for i, v in enumerate(self.kind_values)}
        self.venue = np.fromiter((venue_code[r[3]] for r in rows), dtype=np.int64, count=self.n)
        self.kind = np.fromiter((kind_code[r[4]] for r in rows), dtype=np.int64, count=self.n)
        # the link kind of each paper (catalog.links); -1 for a paper without a link, which no value selects
        link_code = {v: i for i, v in enumerate(LINK_KINDS)}
        at = 5 + len(BOOL_PARAMS)
        self.link = np.fromiter((link_code.get(r[at], -1) for r in rows), dtype=np.int64, count=self.n)
        # the yes/no columns, one boolean array each (has_code, has_reproduction, in_survey)
        self.flags: dict[str, np.ndarray] = {name: np.fromiter((bool(r[5 + j]) for r in rows), dtype=bool, count=self.n) for j, name in enumerate(BOOL_PARAMS)}

        # placements: one row per (paper, path); axis values coded by taxonomy order
        self.axis_values = {a: vocab.taxonomy.allowed(a) for a in AXES}
        codes = {a: {v: i for i, v in enumerate(vals)} for a, vals in self.axis_values.items()}
        pl = con.execute("SELECT paper_key, setting, increment, family, technique FROM placement ORDER BY id").fetchall()
        pl = [r for r in pl if r[0] in idx_of]
        self.pl_paper = np.fromiter((idx_of[r[0]] for r in pl), dtype=np.int64, count=len(pl))
        self.pl_axis = {a: np.fromiter((codes[a].get(r[j + 1], -1) for r in pl), dtype=np.int64, count=len(pl)) for j, a in enumerate(AXES)}
        # the same codes with "unknown" as len(values): a lookup table of len(values) + 1 entries (the last
        # one False) then selects rows in one gather, much cheaper than np.isin on every request
        self._pl_lut_code = {a: np.where(c >= 0, c, len(self.axis_values[a])) for a, c in self.pl_axis.items()}
        # distinct (paper, value) pairs per axis: the valid placement rows sorted by (paper, value), with the
        # pair key, so a facet count is "first selected row of each pair" counted per value (no n x values matrix)
        self._pairs: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for a, c in self.pl_axis.items():
            rows_ok = np.flatnonzero(c >= 0)
            key = self.pl_paper[rows_ok] * max(len(self.axis_values[a]), 1) + c[rows_ok]
            perm = np.argsort(key, kind="stable")
            self._pairs[a] = (rows_ok[perm], key[perm], c[rows_ok][perm])

        ds = con.execute("SELECT paper_key, dataset_id FROM paper_dataset").fetchall()
        ds_values = sorted(vocab.datasets)
        ds_code = {v: i for i, v in enumerate(ds_values)}
        ds = [r for r in ds if r[0] in idx_of and r[1] in ds_code]
        self.ds_code = ds_code
        self.pd_paper = np.fromiter((idx_of[r[0]] for r in ds), dtype=np.int64, count=len(ds))
        self.pd_dataset = np.fromiter((ds_code[r[1]] for r in ds), dtype=np.int64, count=len(ds))

        # sort orders computed by SQLite itself, so they equal the SQL path's ORDER BY exactly
        self.order: dict[str, np.ndarray] = {}
        for sort, clause in ORDER_BY.items():
            if sort == "relevance":
                continue
            got = [r[0] for r in con.execute(f"SELECT p.rowid FROM paper p ORDER BY {clause}")]
            self.order[sort] = self.rowid_to_idx[np.array(got, dtype=np.int64)] if got else np.zeros(0, dtype=np.int64)
        self._fts: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ full-text

    def fts_matches(self, con: sqlite3.Connection, fts_query: str) -> np.ndarray:
        """Paper indexes matching an FTS5 expression, best match first (cached per query)."""
        with self._lock:
            hit = self._fts.get(fts_query)
            if hit is not None:
                self._fts.move_to_end(fts_query)
                return hit
        rows = con.execute(
            f"SELECT paper_fts.rowid, p.year FROM paper_fts JOIN paper p ON p.rowid = paper_fts.rowid WHERE paper_fts MATCH ? ORDER BY {ORDER_BY['relevance']}",
            (fts_query,),
        ).fetchall()
        found = self.rowid_to_idx[np.array([r[0] for r in rows], dtype=np.int64)] if rows else np.zeros(0, dtype=np.int64)
        with self._lock:
            self._fts[fts_query] = found
            while len(self._fts) > FTS_CACHE_SIZE:
                self._fts.popitem(last=False)
        return found

    # ------------------------------------------------------------------ masks

    @staticmethod
    def _isin(column: np.ndarray, wanted: list[int], size: int) -> np.ndarray:
        """``column`` (codes in ``0..size-1``) is one of ``wanted``: a gather through a lookup table, not np.isin."""
        lut = np.zeros(size, dtype=bool)
        lut[wanted] = True
        return lut[column]

    def _axis_masks(self, f: PaperFilter) -> dict[str, np.ndarray]:
        """Placement rows matching each selected axis (only the axes that are selected)."""
        out: dict[str, np.ndarray] = {}
        for axis in AXES:
            chosen = getattr(f, axis)
            if chosen:
                values = self.axis_values[axis]
                # the last entry of the table is "unknown value", which nothing selects
                out[axis] = self._isin(self._pl_lut_code[axis], [values.index(v) for v in chosen if v in values], len(values) + 1)
        return out

    def _placement_ok(self, f: PaperFilter, skip: str | None, axis_masks: dict[str, np.ndarray] | None = None) -> np.ndarray | None:
        """Placement rows satisfying every selected axis except ``skip`` (``None``: no axis selected)."""
        if axis_masks is None:
            axis_masks = self._axis_masks(f)
        return self._and_or_none([m for a, m in axis_masks.items() if a != skip])

    def components(self, con: sqlite3.Connection, f: PaperFilter, axis_masks: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """One paper mask per active filter field (the list is their AND)."""
        out: dict[str, np.ndarray] = {}
        pl_ok = self._placement_ok(f, None, axis_masks)
        if pl_ok is not None:
            m = np.zeros(self.n, dtype=bool)
            m[self.pl_paper[pl_ok]] = True
            out["taxonomy"] = m
        if f.venue:
            out["venue"] = self._isin(self.venue, [self.venue_values.index(v) for v in f.venue if v in self.venue_values], len(self.venue_values))
        if f.kind:
            out["kind"] = self._isin(self.kind, [self.kind_values.index(v) for v in f.kind if v in self.kind_values], len(self.kind_values))
        if f.reproduction:
            # -1 (no link) reads the table's last entry, which is never set
            out["reproduction"] = self._isin(self.link, [LINK_KINDS.index(v) for v in f.reproduction if v in LINK_KINDS], len(LINK_KINDS) + 1)
        if f.dataset:
            m = np.zeros(self.n, dtype=bool)
            m[self.pd_paper[self._isin(self.pd_dataset, [self.ds_code[d] for d in f.dataset if d in self.ds_code], len(self.ds_code))]] = True
            out["dataset"] = m
        if f.year_min is not None or f.year_max is not None:
            m = np.ones(self.n, dtype=bool)
            if f.year_min is not None:
                m &= self.year >= f.year_min
            if f.year_max is not None:
                m &= self.year <= f.year_max
            out["year"] = m
        for name in BOOL_PARAMS:
            if getattr(f, name) is not None:
                col = self.flags[name]
                out[name] = col if getattr(f, name) else ~col
        if f.fts_query:
            m = np.zeros(self.n, dtype=bool)
            m[self.fts_matches(con, f.fts_query)] = True
            out["fts"] = m
        return out

    @staticmethod
    def _and_or_none(masks: list[np.ndarray]) -> np.ndarray | None:
        """The AND of ``masks`` (a new array), or ``None`` for no mask at all (everything passes)."""
        if not masks:
            return None
        if len(masks) == 1:
            return masks[0]
        out = masks[0] & masks[1]
        for m in masks[2:]:
            out &= m
        return out

    @staticmethod
    def _and(n: int, masks: list[np.ndarray]) -> np.ndarray:
        if not masks:
            return np.ones(n, dtype=bool)
        out = masks[0].copy()
        for m in masks[1:]:
            out &= m
        return out

    # ------------------------------------------------------------------ answers

    def search(
        self, con: sqlite3.Connection, f: PaperFilter, *, paged: bool = True, with_facets: bool = False
    ) -> tuple[int, list[str], dict[str, list[FacetValue]] | None]:
        """Total, the keys of the requested page (or all, in order) and optionally the facet counts."""
        axis_masks = self._axis_masks(f)
        comps = self.components(con, f, axis_masks)
        full = self._and(self.n, list(comps.values()))
        if f.effective_sort == "relevance":
            ranked = self.fts_matches(con, f.fts_query)
            chosen = ranked[full[ranked]]
        else:
            order = self.order[f.effective_sort]
            chosen = order[full[order]]
        total = int(chosen.size)
        if paged:
            chosen = chosen[f.offset : f.offset + f.per_page]
        keys = [self.keys[i] for i in chosen.tolist()]
        facets = self._facets(f, comps, full, axis_masks) if with_facets else None
        return total, keys, facets

    def _facets(self, f: PaperFilter, comps: dict[str, np.ndarray], full: np.ndarray, axis_masks: dict[str, np.ndarray]) -> dict[str, list[FacetValue]]:
        out: dict[str, list[FacetValue]] = {}
        non_tax = self._and_or_none([m for k, m in comps.items() if k != "taxonomy"])
        pl_paper_ok = None if non_tax is None else non_tax[self.pl_paper]
        for axis in AXES:
            values = self.vocab.taxonomy.values[axis]
            sel = self._and_or_none([m for m in (pl_paper_ok, self._placement_ok(f, axis, axis_masks)) if m is not None])
            rows, key, code = self._pairs[axis]
            if sel is not None:
                s = sel[rows]
                key, code = key[s], code[s]
            # distinct (paper, value) pairs: a paper with two paths on one value counts once
            first = np.ones(key.size, dtype=bool)
            if key.size > 1:
                np.not_equal(key[1:], key[:-1], out=first[1:])
            counts = np.bincount(code[first], minlength=len(values)).tolist()
            chosen = getattr(f, axis)
            out[axis] = [FacetValue(v.value, v.label, counts[i], v.value in chosen) for i, v in enumerate(values)]
        n_full = None
        for name in SCALAR_FACETS:
            # every filter but the facet's own; a facet without a filter of its own sees the list itself
            if name in comps:
                mask = self._and(self.n, [m for k, m in comps.items() if k != name])
                n_mask = int(np.count_nonzero(mask))
            else:
                mask = full
                if n_full is None:
                    n_full = int(np.count_nonzero(full))
                n_mask = n_full
            if name == "venue":
                counts = np.bincount(self.venue[mask], minlength=len(self.venue_values))
                present = np.flatnonzero(counts)
                # most papers first, then by name (venue codes are in name order, and the sort is stable)
                ranked = present[np.argsort(-counts[present], kind="stable")].tolist()
                out[name] = [FacetValue(v, v, c, v in f.venue) for v, c in ((self.venue_values[i], c) for i, c in zip(ranked, counts[ranked].tolist()))]
            elif name == "kind":
                counts = np.bincount(self.kind[mask], minlength=len(self.kind_values)).tolist()
                out[name] = [FacetValue(v, v, c, v in f.kind) for v, c in zip(self.kind_values, counts) if c]
            elif name == "reproduction":
                linked = self.link[mask]
                counts = np.bincount(linked[linked >= 0], minlength=len(LINK_KINDS)).tolist()
                out[name] = [FacetValue(v, v, c, v in f.reproduction) for v, c in zip(LINK_KINDS, counts)]
            elif name == "year":
                counts = np.bincount(self.year[mask] - self.year_min, minlength=self.year_span).tolist()
                out[name] = [
                    FacetValue(str(y), str(y), c, f.year_min == y and f.year_max == y)
                    for y, c in ((self.year_min + i, c) for i, c in reversed(list(enumerate(counts))))
                    if c
                ]
            else:
                col = self.flags[name]
                yes = int(np.count_nonzero(col & mask))
                no = n_mask - yes
                cur = getattr(f, name)
                out[name] = [FacetValue("1", "yes", yes, cur is True), FacetValue("0", "no", no, cur is False)]
        return out
