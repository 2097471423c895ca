"""Every SQL statement the web app runs, parameterised, over the catalog schema.

Table and column names come from :mod:`catalog.db` (the contract with the
build). Values always travel as ``?`` parameters; the only text spliced into
SQL is column names from fixed whitelists in this module. Free-text search
goes through :func:`webapp.filters.fts_query`, so an FTS5 syntax error cannot
reach SQLite.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, NamedTuple

from catalog import read
from catalog.db import FTS_COLUMNS
from catalog.metrics import METRIC_IDS, metric_key
from catalog.taxonomy import Taxonomy, taxonomy_from_db
from webapp.filters import Vocabulary

HL_START, HL_END = "\ue000", "\ue001"  # private-use marks: escaped text first, <mark> after
# bm25 weight of each full-text column: a hit in a name (title, acronym, arXiv
# id) outranks one in the authors, which outranks one in the summary text.
FTS_WEIGHTS = {"title": 10.0, "acronym": 10.0, "authors": 3.0, "aliases": 6.0, "ids": 8.0, "summary": 1.0}
_BM25 = "bm25(paper_fts, 0.0, " + ", ".join(str(FTS_WEIGHTS[c]) for c in FTS_COLUMNS) + ")"  # 0.0: the unindexed key
ORDER_BY = {
    "-year": "p.year DESC, p.title COLLATE NOCASE",
    "year": "p.year ASC, p.title COLLATE NOCASE",
    "title": "p.title COLLATE NOCASE ASC, p.year DESC",
    "-title": "p.title COLLATE NOCASE DESC, p.year DESC",
    "relevance": f"{_BM25}, p.year DESC",
}


# --------------------------------------------------------------------------- vocabulary


def load_vocabulary(con: sqlite3.Connection) -> Vocabulary:
    """Everything a filter value may be, read from the database once per build."""
    return Vocabulary(
        taxonomy=taxonomy_from_db(con),
        venues=frozenset(r[0] for r in con.execute("SELECT DISTINCT venue FROM paper")),
        kinds=frozenset(r[0] for r in con.execute("SELECT DISTINCT kind FROM paper")),
        datasets=frozenset(r[0] for r in con.execute("SELECT id FROM dataset")),
    )


def counts(con: sqlite3.Connection) -> dict[str, int]:
    """Headline numbers for the home page."""
    out = {}
    for name, sql in (
        ("papers", "SELECT COUNT(*) FROM paper"),
        ("in_survey", "SELECT COUNT(*) FROM paper WHERE in_survey"),
        ("beyond_survey", "SELECT COUNT(*) FROM paper WHERE NOT in_survey"),
        ("datasets", "SELECT COUNT(*) FROM dataset"),
        ("results", "SELECT COUNT(*) FROM result"),
        ("leaderboards", "SELECT COUNT(*) FROM leaderboard"),
        ("reproductions", "SELECT COUNT(*) FROM reproduction"),
        ("with_code", "SELECT COUNT(*) FROM paper WHERE has_code"),
    ):
        out[name] = con.execute(sql).fetchone()[0]
    return out


def meta(con: sqlite3.Connection) -> dict[str, str]:
    return {r[0]: r[1] for r in con.execute("SELECT key, value FROM meta")}


# --------------------------------------------------------------------------- filtering

# Filtering and facet counting run in webapp.index (in memory); the equivalent
# SQL formulation is kept as a test oracle in tests/support/sql_reference.py.


def _where(conds: list[str]) -> str:
    return f" WHERE {' AND '.join(conds)}" if conds else ""


def rows_for_keys(con: sqlite3.Connection, keys: list[str], q: str = "") -> list[dict[str, Any]]:
    """Display rows for one page of keys (in that order), with search matches marked when ``q`` is given.

    The list page's own query: the columns a card shows, not a whole
    :class:`catalog.read.Paper` (the page is tuned for speed); the placements
    come from :func:`catalog.read.placements`.

    FTS5 already chose the papers; marking runs in Python on these rows only
    (see :mod:`webapp.textmatch` for why not ``highlight()``).
    """
    if not keys:
        return []
    marks = ",".join("?" * len(keys))
    cols = (
        "p.key, p.title, p.year, p.first_public, p.venue, p.kind, p.authors, p.code_url, p.has_code, p.has_reproduction, p.repro_link, "
        "p.in_survey, p.survey_acronym, p.aliases_json, p.summary"
    )
    by_key = {r["key"]: dict(r) for r in con.execute(f"SELECT {cols} FROM paper p WHERE p.key IN ({marks})", keys)}
    for row in by_key.values():
        row["aliases"] = json.loads(row.pop("aliases_json") or "[]")
    if q:
        from webapp.textmatch import mark, snippet

        for row in by_key.values():
            row.update(
                title_hl=mark(row["title"], q),
                authors_hl=mark(row["authors"], q),
                snippet=snippet(row["summary"], q),
                acronym_hl=mark(row["survey_acronym"], q),
                alias_hits=_alias_hits(row["aliases"], q),
            )
    placements = read.placements(con, list(by_key))
    out = []
    for k in keys:
        if k in by_key:
            row = by_key[k]
            row["placements"] = placements.get(k, [])
            out.append(row)
    return out


def _alias_hits(aliases: list[dict[str, Any]], q: str) -> list[str]:
    """The aliases a search matched, marked, so a card found by an earlier title says why it was found."""
    from webapp.textmatch import mark

    hits = []
    for a in aliases:
        text = " ".join(x for x in (a.get("title"), f"arXiv {a['arxiv']}" if a.get("arxiv") else None) if x)
        marked = mark(text, q)
        if marked is not None and marked != text:
            hits.append(marked)
    return hits


class FacetValue(NamedTuple):
    """One value of a facet with its count (a tuple: a list page builds about 150 of them)."""

    value: str
    label: str
    count: int  # type: ignore[assignment]  # shadows tuple.count on purpose: templates and the sidebar read v.count
    selected: bool


# --------------------------------------------------------------------------- taxonomy tree


def taxonomy_tree(con: sqlite3.Connection, tax: Taxonomy) -> list[dict[str, Any]]:
    """setting → increment → family → technique, each node with its distinct-paper count.

    Only paths that hold papers appear below the increment level; settings and
    increments are always shown (with 0) so the survey's skeleton is visible.
    """
    levels = ("setting", "increment", "family", "technique")
    counts_at: list[dict[tuple[str, ...], int]] = []
    for depth in range(1, 5):
        cols = ", ".join(levels[:depth])
        rows = con.execute(f"SELECT {cols}, COUNT(DISTINCT paper_key) FROM placement GROUP BY {cols}").fetchall()
        counts_at.append({tuple(r[:depth]): r[depth] for r in rows})

    def label(axis: str, value: str) -> str:
        v = tax.get(axis, value)
        return v.label if v else value

    tree: list[dict[str, Any]] = []
    for s in tax.allowed("setting"):
        s_node: dict[str, Any] = {
            "axis": "setting",
            "value": s,
            "label": label("setting", s),
            "count": counts_at[0].get((s,), 0),
            "path": {"setting": s},
            "children": [],
        }
        for inc in tax.increments_of(s):
            i_node: dict[str, Any] = {
                "axis": "increment",
                "value": inc,
                "label": label("increment", inc),
                "count": counts_at[1].get((s, inc), 0),
                "path": {"setting": s, "increment": inc},
                "children": [],
            }
            for fam in tax.allowed("family"):
                n = counts_at[2].get((s, inc, fam), 0)
                if not n:
                    continue
                f_node: dict[str, Any] = {
                    "axis": "family",
                    "value": fam,
                    "label": label("family", fam),
                    "count": n,
                    "path": {"setting": s, "increment": inc, "family": fam},
                    "children": [],
                }
                for tech in tax.allowed("technique"):
                    m = counts_at[3].get((s, inc, fam, tech), 0)
                    if m:
                        f_node["children"].append(
                            {
                                "axis": "technique",
                                "value": tech,
                                "label": label("technique", tech),
                                "count": m,
                                "path": {"setting": s, "increment": inc, "family": fam, "technique": tech},
                                "children": [],
                            }
                        )
                i_node["children"].append(f_node)
            s_node["children"].append(i_node)
        tree.append(s_node)
    return tree


# --------------------------------------------------------------------------- one paper


def paper_exists(con: sqlite3.Connection, key: str) -> bool:
    return con.execute("SELECT 1 FROM paper WHERE key = ?", (key,)).fetchone() is not None


def results_for_paper(con: sqlite3.Connection, key: str) -> list[dict[str, Any]]:
    """Numbers this paper reports, and numbers other papers report for this paper's method."""
    sql = (
        "SELECT r.*, d.name AS benchmark_name, m.name AS metric_name, m.direction, m.unit, rp.title AS reporter_title, lb.order_label "
        "FROM result r JOIN dataset d ON d.id = r.benchmark_id JOIN metric m ON m.id = r.metric_id "
        "JOIN paper rp ON rp.key = r.paper_key LEFT JOIN leaderboard lb ON lb.id = r.leaderboard "
        "WHERE r.id IN (SELECT id FROM result WHERE paper_key = ? UNION SELECT id FROM result WHERE method_paper_key = ?) "
        "ORDER BY r.leaderboard, r.native DESC, r.method, r.id"
    )
    return [dict(r) for r in con.execute(sql, (key, key))]


def reproductions_for_paper(con: sqlite3.Connection, key: str) -> list[dict[str, Any]]:
    sql = (
        f"SELECT r.*, {_metric_columns('r')} FROM reproduction r JOIN reproduction_paper rp ON rp.reproduction_id = r.id "
        "WHERE rp.paper_key = ? ORDER BY r.benchmark, r.profile, r.seed"
    )
    return [_repro(dict(r)) for r in con.execute(sql, (key,))]


def related_papers(con: sqlite3.Connection, key: str, limit: int = 10) -> list[dict[str, Any]]:
    """Papers sharing a full placement path with ``key``, most shared paths first."""
    sql = (
        "SELECT p.key, p.title, p.year, p.venue, COUNT(*) AS shared FROM placement a "
        "JOIN placement b ON b.setting = a.setting AND b.increment = a.increment AND b.family = a.family "
        "AND b.technique = a.technique AND b.paper_key != a.paper_key "
        "JOIN paper p ON p.key = b.paper_key WHERE a.paper_key = ? "
        "GROUP BY p.key ORDER BY shared DESC, p.year DESC, p.title LIMIT ?"
    )
    return [dict(r) for r in con.execute(sql, (key, limit))]


def datasets_of_paper(con: sqlite3.Connection, key: str) -> list[dict[str, Any]]:
    sql = "SELECT d.id, d.name, d.kind FROM paper_dataset pd JOIN dataset d ON d.id = pd.dataset_id WHERE pd.paper_key = ? ORDER BY d.name"
    return [dict(r) for r in con.execute(sql, (key,))]


# --------------------------------------------------------------------------- datasets, metrics, results


def dataset_list(con: sqlite3.Connection) -> list[dict[str, Any]]:
    sql = (
        "SELECT d.id, d.name, d.kind, d.description, d.url, d.paper_key, "
        "(SELECT COUNT(*) FROM paper_dataset pd WHERE pd.dataset_id = d.id) AS papers, "
        "(SELECT COUNT(*) FROM leaderboard b WHERE b.benchmark_id = d.id) AS leaderboards "
        "FROM dataset d ORDER BY d.name COLLATE NOCASE"
    )
    rows = [dict(r) for r in con.execute(sql)]
    table1: dict[str, list[dict[str, Any]]] = {}
    for t in con.execute("SELECT * FROM dataset_table1 ORDER BY dataset_id, id"):
        table1.setdefault(t["dataset_id"], []).append(_table1(dict(t)))
    for r in rows:
        r["table1"] = table1.get(r["id"], [])
    return rows


def table1_rows(con: sqlite3.Connection) -> list[dict[str, Any]]:
    """The survey's Table 1 as its own table: one row per Table 1 row, offline before online, by reference number."""
    sql = (
        "SELECT t.*, d.name, d.kind FROM dataset_table1 t JOIN dataset d ON d.id = t.dataset_id "
        "ORDER BY t.setting, t.survey_ref IS NULL, t.survey_ref, d.name COLLATE NOCASE, t.id"
    )
    return [_table1(dict(r)) for r in con.execute(sql)]


def _table1(t: dict[str, Any]) -> dict[str, Any]:
    t["nlp_problems"] = json.loads(t.pop("nlp_problems_json") or "[]")
    t["cl_settings"] = [s for s in (t.get("cl_settings") or "").split(",") if s]
    return t


def dataset_detail(con: sqlite3.Connection, ds_id: str) -> dict[str, Any] | None:
    row = con.execute("SELECT * FROM dataset WHERE id = ?", (ds_id,)).fetchone()
    if row is None:
        return None
    d = dict(row)
    d["sources"] = json.loads(d.pop("sources_json") or "[]")
    d["table1"] = [_table1(dict(t)) for t in con.execute("SELECT * FROM dataset_table1 WHERE dataset_id = ? ORDER BY id", (ds_id,))]
    d["members"] = [
        dict(r)
        for r in con.execute(
            "SELECT d.id, d.name FROM dataset_member m JOIN dataset d ON d.id = m.member_id WHERE m.benchmark_id = ? ORDER BY m.position", (ds_id,)
        )
    ]
    d["member_of"] = [
        dict(r)
        for r in con.execute(
            "SELECT d.id, d.name FROM dataset_member m JOIN dataset d ON d.id = m.benchmark_id WHERE m.member_id = ? ORDER BY d.name", (ds_id,)
        )
    ]
    d["papers"] = [
        dict(r)
        for r in con.execute(
            "SELECT p.key, p.title, p.year, p.venue FROM paper_dataset pd JOIN paper p ON p.key = pd.paper_key "
            "WHERE pd.dataset_id = ? ORDER BY p.year DESC, p.title",
            (ds_id,),
        )
    ]
    d["intro_paper"] = None
    if d.get("paper_key"):
        r = con.execute("SELECT key, title, year FROM paper WHERE key = ?", (d["paper_key"],)).fetchone()
        d["intro_paper"] = dict(r) if r else None
    d["leaderboards"] = leaderboard_list(con, benchmark=ds_id)
    d["member_boards"] = [b for m in d["member_of"] for b in leaderboard_list(con, benchmark=m["id"])]
    return d


def metric_list(con: sqlite3.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in con.execute("SELECT id, name, formula, direction, unit, description FROM metric ORDER BY position")]


_BOARD_COLS = (
    "b.id, b.benchmark_id, d.name AS benchmark_name, b.order_group, b.order_label, b.num_tasks, b.shots, b.metric_id, "
    "m.name AS metric_name, m.direction, m.unit, b.columns_json, b.rank_by, "
    "(SELECT COUNT(*) FROM result r WHERE r.leaderboard = b.id) AS rows, "
    "(SELECT COUNT(DISTINCT r.paper_key) FROM result r WHERE r.leaderboard = b.id) AS papers, "
    "(SELECT COUNT(DISTINCT r.method_key) FROM result r WHERE r.leaderboard = b.id AND NOT r.reference) AS methods, "
    "(SELECT COUNT(DISTINCT r.backbone_key) FROM result r WHERE r.leaderboard = b.id) AS backbones"
)


def _board(row: sqlite3.Row) -> dict[str, Any]:
    d = dict(row)
    d["columns"] = json.loads(d.pop("columns_json"))
    return d


def leaderboard_list(con: sqlite3.Connection, benchmark: str | None = None, metric: str | None = None) -> list[dict[str, Any]]:
    """Every board (benchmark + protocol + metric) with its size, in the build's order."""
    params: list[Any] = []
    conds = []
    if benchmark:
        conds.append("b.benchmark_id = ?")
        params.append(benchmark)
    if metric:
        conds.append("b.metric_id = ?")
        params.append(metric)
    sql = (
        f"SELECT {_BOARD_COLS} FROM leaderboard b JOIN dataset d ON d.id = b.benchmark_id JOIN metric m ON m.id = b.metric_id"
        f"{_where(conds)} ORDER BY b.position"
    )
    return [_board(r) for r in con.execute(sql, params)]


def leaderboard_head(con: sqlite3.Connection, lb_id: str) -> dict[str, Any] | None:
    sql = f"SELECT {_BOARD_COLS} FROM leaderboard b JOIN dataset d ON d.id = b.benchmark_id JOIN metric m ON m.id = b.metric_id WHERE b.id = ?"
    row = con.execute(sql, (lb_id,)).fetchone()
    return _board(row) if row else None


_ENTRY_SQL = (
    "SELECT r.*, p.title AS paper_title, p.year AS paper_year, mp.title AS method_paper_title, "
    "COALESCE(mp.year, p.year) AS year, CASE WHEN r.method_paper_key IS NOT NULL THEN mp.code_url ELSE p.code_url END AS code_url "
    "FROM result r JOIN paper p ON p.key = r.paper_key LEFT JOIN paper mp ON mp.key = r.method_paper_key "
)


def board_rows(con: sqlite3.Connection, lb_id: str) -> list[dict[str, Any]]:
    """A board's results with what an entry shows: reporting paper, year (of the method's paper when known), code.

    "Has code" means the method's own paper has a code URL; a method without
    a catalog paper counts the code of the paper that reports it.
    """
    return [dict(r) for r in con.execute(_ENTRY_SQL + "WHERE r.leaderboard = ? ORDER BY r.id", (lb_id,))]


def board_backbones(con: sqlite3.Connection, lb_id: str) -> list[str]:
    """One display spelling per backbone of a board (its most common), sorted."""
    sql = (
        "SELECT backbone_key, backbone, COUNT(*) AS n FROM result WHERE leaderboard = ? GROUP BY backbone_key, backbone ORDER BY backbone_key, n DESC, backbone"
    )
    out: dict[str, str] = {}
    for r in con.execute(sql, (lb_id,)):
        out.setdefault(r["backbone_key"], r["backbone"])
    return sorted(out.values(), key=str.casefold)


def board_vocab(con: sqlite3.Connection) -> dict[str, list[str]]:
    """Every backbone spelling and every column of any board: what a board's filter accepts, and what the OpenAPI enums list.

    A backbone or column of another board is a valid value that selects
    nothing here, rather than an error (the API's one operation serves every board).
    """
    backbones = sorted({r[0] for r in con.execute("SELECT DISTINCT backbone FROM result")}, key=str.casefold)
    columns: dict[str, None] = {}
    for (cols,) in con.execute("SELECT columns_json FROM leaderboard ORDER BY position"):
        columns.update(dict.fromkeys(json.loads(cols)))
    return {"backbones": backbones, "columns": list(columns)}


def method_list(con: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every method on the boards (reference rows aside), with the number of boards it appears on."""
    sql = (
        "SELECT method_key AS key, MIN(method_name) AS name, MIN(method_paper_key) AS paper_key, COUNT(DISTINCT leaderboard) AS boards "
        "FROM result WHERE NOT reference GROUP BY method_key ORDER BY name COLLATE NOCASE"
    )
    return [dict(r) for r in con.execute(sql)]


def boards_with_methods(con: sqlite3.Connection, method_keys: list[str]) -> list[str]:
    """Ids of the boards where any of ``method_keys`` has a number, in board order."""
    if not method_keys:
        return []
    sql = (
        f"SELECT DISTINCT b.id, b.position FROM leaderboard b JOIN result r ON r.leaderboard = b.id "
        f"WHERE r.method_key IN ({','.join('?' * len(method_keys))}) ORDER BY b.position"
    )
    return [r[0] for r in con.execute(sql, method_keys)]


def result_list(
    con: sqlite3.Connection,
    *,
    benchmark: str | None,
    metric: str | None,
    leaderboard: str | None,
    paper: str | None,
    native: bool | None,
    limit: int,
    offset: int,
) -> tuple[int, list[dict[str, Any]]]:
    params: list[Any] = []
    conds = []
    for col, v in (("r.benchmark_id", benchmark), ("r.metric_id", metric), ("r.leaderboard", leaderboard), ("r.paper_key", paper)):
        if v is not None:
            conds.append(f"{col} = ?")
            params.append(v)
    if native is not None:
        conds.append("r.native = ?")
        params.append(1 if native else 0)
    total = con.execute(f"SELECT COUNT(*) FROM result r{_where(conds)}", params).fetchone()[0]
    sql = f"SELECT r.* FROM result r{_where(conds)} ORDER BY r.leaderboard, r.value DESC, r.id LIMIT ? OFFSET ?"
    return total, [dict(r) for r in con.execute(sql, params + [limit, offset])]


def result_vocab(con: sqlite3.Connection) -> dict[str, frozenset[str]]:
    return {
        "benchmark": frozenset(r[0] for r in con.execute("SELECT id FROM dataset")),
        "metric": frozenset(r[0] for r in con.execute("SELECT id FROM metric")),
        "leaderboard": frozenset(r[0] for r in con.execute("SELECT id FROM leaderboard")),
        "paper": frozenset(r[0] for r in con.execute("SELECT key FROM paper")),
    }


# --------------------------------------------------------------------------- reproductions


def _metric_columns(alias: str) -> str:
    """One column per registered metric, pivoted from the long ``reproduction_metric`` table (``None`` where absent)."""
    return ", ".join(
        f"(SELECT value FROM reproduction_metric m WHERE m.reproduction_id = {alias}.id AND m.metric_id = '{mid}') AS {metric_key(mid)}" for mid in METRIC_IDS
    )


def _repro(d: dict[str, Any]) -> dict[str, Any]:
    d["metrics"] = {mid: d[metric_key(mid)] for mid in METRIC_IDS if d.get(metric_key(mid)) is not None}
    for name in ("matrix_json", "config_json", "versions_json", "task_names_json"):
        try:
            d[name[:-5]] = json.loads(d.pop(name) or "null")
        except ValueError:
            d[name[:-5]] = None
    return d


def reproduction_list(con: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = [_repro(dict(r)) for r in con.execute(f"SELECT r.*, {_metric_columns('r')} FROM reproduction r ORDER BY method, benchmark, profile, seed")]
    papers: dict[str, list[dict[str, Any]]] = {}
    for r in con.execute("SELECT rp.reproduction_id, p.key, p.title FROM reproduction_paper rp JOIN paper p ON p.key = rp.paper_key ORDER BY p.key"):
        papers.setdefault(r[0], []).append({"key": r[1], "title": r[2]})
    for r in rows:
        r["papers"] = papers.get(r["id"], [])
    return rows


# --------------------------------------------------------------------------- chart data


def papers_per_year_by_technique(con: sqlite3.Connection) -> list[tuple[int, str, int]]:
    sql = (
        "SELECT p.year, pl.technique, COUNT(DISTINCT p.key) FROM paper p JOIN placement pl ON pl.paper_key = p.key "
        "GROUP BY p.year, pl.technique ORDER BY p.year"
    )
    return [tuple(r) for r in con.execute(sql)]


def papers_per_first_public_by_technique(con: sqlite3.Connection) -> list[tuple[int, str | None, str, int]]:
    """(year, first_public, technique, papers): the timeline's raw counts, bucketed by :func:`webapp.charts.period_of`."""
    sql = (
        "SELECT p.year, p.first_public, pl.technique, COUNT(DISTINCT p.key) FROM paper p JOIN placement pl ON pl.paper_key = p.key "
        "GROUP BY p.year, p.first_public, pl.technique"
    )
    return [tuple(r) for r in con.execute(sql)]


def family_increment_counts(con: sqlite3.Connection) -> list[tuple[str, str, int]]:
    sql = "SELECT family, increment, COUNT(DISTINCT paper_key) FROM placement GROUP BY family, increment"
    return [tuple(r) for r in con.execute(sql)]


# --------------------------------------------------------------------------- links to the reproductions


def _json_fields(d: dict[str, Any], *names: str) -> dict[str, Any]:
    for name in names:
        d[name[:-5]] = json.loads(d.pop(name) or "[]")
    return d


def repro_methods(con: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Every method of the harness by ``kind/id`` (data/reproductions/methods.yaml), in file order."""
    rows = con.execute("SELECT * FROM repro_method ORDER BY position")
    return {r["ref"]: _json_fields(dict(r), "benchmarks_json", "papers_json", "names_json") for r in rows}


def repro_benchmarks(con: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    return {r["id"]: dict(r) for r in con.execute("SELECT * FROM repro_benchmark ORDER BY position")}


def paper_link(con: sqlite3.Connection, key: str) -> dict[str, Any] | None:
    """How ``key`` relates to the reproductions (catalog.links), with its methods in order; ``None`` when not linked."""
    row = con.execute("SELECT * FROM paper_link WHERE paper_key = ?", (key,)).fetchone()
    if row is None:
        return None
    d = dict(row)
    d["methods"] = [r[0] for r in con.execute("SELECT method_ref FROM paper_link_method WHERE paper_key = ? ORDER BY position", (key,))]
    return d


def reproduction_metrics(con: sqlite3.Connection) -> list[dict[str, Any]]:
    """One row per run with its metrics and number of tasks: the input of :func:`webapp.measured.summarise`."""
    sql = f"SELECT r.method_kind, r.method, r.benchmark, r.profile, r.seed, r.task_names_json, {_metric_columns('r')} FROM reproduction r"
    out = []
    for r in con.execute(sql):
        d = dict(r)
        try:
            d["num_tasks"] = len(json.loads(d.pop("task_names_json") or "[]")) or None
        except ValueError:
            d["num_tasks"] = None
        out.append(d)
    return out
