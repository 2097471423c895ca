"""Building the SQLite catalog from validated data, atomically.

The database is written to a temporary file beside the target and renamed
into place only when it is complete, so a reader (the web app) never sees a
half-built file, and a failed or interrupted build leaves the previous
database exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import SQLModel

from catalog import db
from catalog.boards import backbone_key, board_columns, board_id, default_rank_by, method_key, method_names
from catalog.loader import Catalog, load_catalog
from catalog.orders import ResolvedOrder, group_label, group_orders, resolve
from catalog.problems import CatalogInvalid
from catalog.schema import ReportedResult
from catalog.taxonomy import AXES

IGNORED_DATA_DIRS = {"_incoming"}


@dataclass(frozen=True)
class BuildReport:
    path: Path
    papers: int
    datasets: int
    results: int
    reproductions: int
    seconds: float


def data_fingerprint(data: Path) -> str:
    """Hash of every data file's path, size and mtime: changes when the data change."""
    h = hashlib.sha256()
    for path in sorted(data.rglob("*")):
        rel = path.relative_to(data)
        if rel.parts and rel.parts[0] in IGNORED_DATA_DIRS or any(p.startswith(".") for p in rel.parts) or not path.is_file():
            continue
        st = path.stat()
        h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def read_meta(db_path: Path) -> dict[str, str]:
    """The meta table of a built database, or ``{}`` when it is missing or unreadable."""
    if not db_path.exists():
        return {}
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return dict(con.execute("SELECT key, value FROM meta").fetchall())
        finally:
            con.close()
    except sqlite3.Error:
        return {}


def is_stale(db_path: Path, data: Path) -> bool:
    """True when the database is missing, of another schema, or built from other data."""
    meta = read_meta(db_path)
    return meta.get("schema_version") != db.SCHEMA_VERSION or meta.get("data_fingerprint") != data_fingerprint(data)


@dataclass
class _Board:
    benchmark: str
    group: str | None
    num_tasks: int | None
    shots: int | None
    metric: str
    seen: set[str | None]


def _placed(cat: Catalog, r: ReportedResult) -> tuple[ResolvedOrder, str]:
    """A result's canonical order and its board id: the one place the build applies the order mapping."""
    ds = cat.datasets.get(r.benchmark)
    order = resolve(ds.dataset if ds else None, r.task_order, r.num_tasks)
    num_tasks = r.num_tasks if order.group is None else None
    return order, board_id(r.benchmark, order.group, num_tasks, r.shots, r.metric)


def _boards(cat: Catalog) -> dict[str, _Board]:
    boards: dict[str, _Board] = {}
    for rec in cat.papers.values():
        for r in rec.paper.results:
            order, bid = _placed(cat, r)
            b = boards.get(bid)
            if b is None:
                b = boards[bid] = _Board(
                    r.benchmark, order.group, r.num_tasks if order.group is None else _group_tasks(cat, r.benchmark, order.group), r.shots, r.metric, set()
                )
            b.seen.add(order.order)
    return boards


def _group_tasks(cat: Catalog, benchmark: str, group: str) -> int | None:
    ds = cat.datasets[benchmark].dataset
    return next((g.num_tasks for g in ds.task_orders if g.id == group), None)


RowSource = Callable[[], Iterator[dict[str, Any]]]


def _rows(cat: Catalog) -> dict[str, RowSource]:
    """A generator of rows for every table, derived from the validated catalog.

    Rows are produced lazily, table by table, so a 100k-paper build never
    holds every table's rows in memory at once.
    """
    tax = cat.taxonomy
    reproduced = {k for run in cat.runs for k in run.data.get("papers") or []}
    author_ids: dict[str, int] = {}
    for rec in cat.papers.values():
        for name in rec.authors:
            author_ids.setdefault(name, len(author_ids) + 1)

    def taxonomy_value() -> Iterator[dict[str, Any]]:
        for axis in AXES:
            for pos, v in enumerate(tax.values[axis]):
                yield dict(
                    axis=axis,
                    value=v.value,
                    position=pos,
                    label=v.label,
                    description=v.description,
                    setting=v.setting,
                    extension=v.extension,
                    rationale=v.rationale,
                )

    def metric() -> Iterator[dict[str, Any]]:
        for pos, m in enumerate(cat.metrics.values()):
            yield dict(id=m.id, name=m.name, formula=m.formula, direction=m.direction, unit=m.unit, description=m.description, position=pos)

    def dataset() -> Iterator[dict[str, Any]]:
        for ds_id, rec in cat.datasets.items():
            d = rec.dataset
            yield dict(
                id=ds_id,
                name=d.name,
                kind=d.kind,
                description=d.description,
                url=d.url,
                paper_key=d.paper,
                sources_json=json.dumps(d.sources),
                source_path=str(rec.path.name),
            )

    def dataset_member() -> Iterator[dict[str, Any]]:
        for ds_id, rec in cat.datasets.items():
            for pos, m in enumerate(rec.dataset.members):
                yield dict(benchmark_id=ds_id, member_id=m, position=pos)

    def dataset_table1() -> Iterator[dict[str, Any]]:
        for ds_id, rec in cat.datasets.items():
            for t in rec.dataset.survey_table1:
                units = t.units or {}
                count = units.get("count")
                yield dict(
                    dataset_id=ds_id,
                    survey_ref=t.survey_ref,
                    train=t.train,
                    val=t.val,
                    test=t.test,
                    total=t.total,
                    cl_settings=",".join(t.cl_settings),
                    setting=t.setting,
                    nlp_problems_json=json.dumps(t.nlp_problems),
                    language=t.language,
                    unit_count=count if isinstance(count, int) else None,
                    unit_kind=str(units["kind"]) if units.get("kind") is not None else None,
                    note=t.note,
                )

    def paper() -> Iterator[dict[str, Any]]:
        for key, rec in cat.papers.items():
            p, s = rec.paper, rec.paper.survey
            yield dict(
                key=key,
                title=p.title,
                year=p.year,
                venue=p.venue,
                kind=p.kind,
                doi=p.doi,
                arxiv=p.arxiv,
                acl_anthology=p.acl_anthology,
                openreview=p.openreview,
                first_public=p.first_public,
                aliases_json=json.dumps([a.model_dump() for a in p.aliases], ensure_ascii=False),
                url=p.url,
                code_url=p.code_url,
                summary=p.summary,
                bibtex=p.bibtex.strip(),
                entry_type=rec.bib.entry_type,
                authors=_author_display(rec.authors),
                sources_json=json.dumps(p.sources),
                survey_acronym=s.acronym if s else None,
                survey_fig2_ref=s.fig2_ref if s else None,
                survey_in_fig2=bool(s and s.in_fig2),
                survey_in_companion_list=bool(s and s.in_companion_list),
                survey_group=s.group if s else None,
                in_survey=s is not None,
                has_code=bool(p.code_url),
                has_reproduction=key in reproduced,
                repro_link=cat.links[key].link if key in cat.links else None,
                source_path=f"papers/{rec.path.name}",
            )

    def author() -> Iterator[dict[str, Any]]:
        for name, author_id in author_ids.items():
            yield dict(id=author_id, name=name)

    def paper_author() -> Iterator[dict[str, Any]]:
        for key, rec in cat.papers.items():
            for pos, name in enumerate(rec.authors):
                yield dict(paper_key=key, position=pos, author_id=author_ids[name])

    def placement() -> Iterator[dict[str, Any]]:
        for key, rec in cat.papers.items():
            for pl in rec.paper.placements:
                yield dict(paper_key=key, **pl.model_dump())

    def paper_dataset() -> Iterator[dict[str, Any]]:
        for key, rec in cat.papers.items():
            for ds in dict.fromkeys(rec.paper.datasets):
                yield dict(paper_key=key, dataset_id=ds)

    boards = _boards(cat)
    names = method_names((key, r.method, r.method_paper, r.native, _acronym(cat, r.method_paper)) for key, rec in cat.papers.items() for r in rec.paper.results)

    def leaderboard() -> Iterator[dict[str, Any]]:
        metric_pos = {m: i for i, m in enumerate(cat.metrics)}
        order = sorted(
            boards, key=lambda b: (cat.datasets[boards[b].benchmark].dataset.name.casefold(), b.split("/")[:-1], metric_pos.get(boards[b].metric, 99))
        )
        for pos, bid in enumerate(order):
            b = boards[bid]
            ds = cat.datasets[b.benchmark].dataset
            columns = board_columns(group_orders(ds, b.group), b.seen)
            yield dict(
                id=bid,
                benchmark_id=b.benchmark,
                order_group=b.group,
                order_label=group_label(ds, b.group),
                num_tasks=b.num_tasks,
                shots=b.shots,
                metric_id=b.metric,
                columns_json=json.dumps(columns),
                rank_by=default_rank_by(columns),
                position=pos,
            )

    def result() -> Iterator[dict[str, Any]]:
        for key, rec in cat.papers.items():
            for r in rec.paper.results:
                order, bid = _placed(cat, r)
                mkey = method_key(r.method, r.method_paper)
                yield dict(
                    paper_key=key,
                    benchmark_id=r.benchmark,
                    task_order=order.order,
                    task_order_printed=r.task_order,
                    order_group=order.group,
                    num_tasks=r.num_tasks,
                    shots=r.shots,
                    backbone=r.backbone,
                    backbone_key=backbone_key(r.backbone),
                    method=r.method,
                    method_key=mkey,
                    method_name=names[mkey],
                    method_paper_key=r.method_paper,
                    native=r.native,
                    reference=r.reference,
                    metric_id=r.metric,
                    value=r.value,
                    table_ref=r.table,
                    note=r.note,
                    provenance=r.provenance,
                    also_in_json=json.dumps([a.model_dump() for a in r.also_in]),
                    seeds=r.seeds,
                    hardware=r.hardware,
                    batch_size=r.batch_size,
                    leaderboard=bid,
                )

    def reproduction() -> Iterator[dict[str, Any]]:
        for run in cat.runs:
            d = run.data
            found = cat.methods.method_of_run(d["method"], d["benchmark"]) if cat.methods else None
            yield dict(
                id=run.id,
                method=d["method"],
                method_kind=found.kind if found else None,
                benchmark=d["benchmark"],
                scenario=d.get("scenario", ""),
                profile=d["profile"],
                seed=d["seed"],
                trainable_params=d.get("trainable_params"),
                total_params=d.get("total_params"),
                wall_time_s=d.get("wall_time_s"),
                peak_memory_mb=d.get("peak_memory_mb"),
                command=d.get("command", ""),
                created=d.get("created", ""),
                device=d.get("device"),
                matrix_json=json.dumps(d.get("accuracy_matrix")),
                config_json=json.dumps(d.get("config") or {}),
                versions_json=json.dumps(d.get("versions") or {}),
                task_names_json=json.dumps(d.get("task_names") or []),
                source_path=str(run.path.name),
            )

    def reproduction_metric() -> Iterator[dict[str, Any]]:
        for run in cat.runs:
            for mid, value in run.metrics.items():
                yield dict(reproduction_id=run.id, metric_id=mid, value=value)

    def reproduction_paper() -> Iterator[dict[str, Any]]:
        for run in cat.runs:
            for key in dict.fromkeys(run.data.get("papers") or []):
                yield dict(reproduction_id=run.id, paper_key=key)

    def repro_benchmark() -> Iterator[dict[str, Any]]:
        for pos, b in enumerate(cat.methods.benchmarks.values() if cat.methods else ()):
            yield dict(id=b.id, kind=b.kind, scenario=b.scenario, description=b.description, position=pos)

    def repro_method() -> Iterator[dict[str, Any]]:
        if cat.methods is None:
            return
        for pos, m in enumerate(cat.methods.methods.values()):
            bb = cat.methods.backbones[m.backbone]
            yield dict(
                ref=m.ref,
                kind=m.kind,
                method_id=m.id,
                label=m.label,
                approach=m.approach,
                backbone=m.backbone,
                backbone_label=bb.label,
                backbone_note=bb.note,
                benchmarks_json=json.dumps(m.benchmarks),
                papers_json=json.dumps(m.papers),
                names_json=json.dumps(m.names),
                position=pos,
            )

    def paper_link() -> Iterator[dict[str, Any]]:
        for key, r in cat.links.items():
            yield dict(
                paper_key=key,
                link=r.link,
                note=r.note,
                family=r.family,
                family_label=r.family_label,
                reason=r.reason,
                reason_text=r.reason_text,
                benchmark=r.benchmark,
                label=r.label,
            )

    def paper_link_method() -> Iterator[dict[str, Any]]:
        for key, r in cat.links.items():
            for pos, ref in enumerate(r.methods):
                yield dict(paper_key=key, position=pos, method_ref=ref)

    sources: dict[str, RowSource] = {
        "taxonomy_value": taxonomy_value,
        "metric": metric,
        "dataset": dataset,
        "dataset_member": dataset_member,
        "dataset_table1": dataset_table1,
        "paper": paper,
        "author": author,
        "paper_author": paper_author,
        "placement": placement,
        "paper_dataset": paper_dataset,
        "leaderboard": leaderboard,
        "result": result,
        "reproduction": reproduction,
        "reproduction_metric": reproduction_metric,
        "reproduction_paper": reproduction_paper,
        "repro_benchmark": repro_benchmark,
        "repro_method": repro_method,
        "paper_link": paper_link,
        "paper_link_method": paper_link_method,
        "meta": lambda: iter(()),
    }
    missing = set(SQLModel.metadata.tables) - set(sources)
    assert not missing, f"no row source for tables {missing}"  # a new table in db.py needs one here
    return sources


def _acronym(cat: Catalog, key: str | None) -> str | None:
    rec = cat.papers.get(key) if key else None
    return rec.paper.survey.acronym if rec and rec.paper.survey else None


def _fts_rows(cat: Catalog) -> Iterator[tuple[str, dict[str, str]]]:
    """The searchable text of each paper, one value per :data:`catalog.db.FTS_COLUMNS` column."""
    for key, rec in cat.papers.items():
        p = rec.paper
        ids = [p.arxiv] + [a.arxiv for a in p.aliases]
        yield (
            key,
            dict(
                title=p.title,
                acronym=(p.survey.acronym if p.survey else None) or "",
                authors=_author_display(rec.authors),
                aliases=" · ".join(a.title for a in p.aliases if a.title),
                ids=" ".join(i for i in ids if i),
                summary=p.summary,
            ),
        )


def _author_display(authors: list[str]) -> str:
    if len(authors) <= 1:
        return "".join(authors)
    return ", ".join(authors[:-1]) + " and " + authors[-1]


def _insert_sql(table: Any) -> tuple[str, list[str]]:
    cols = [c.name for c in table.columns]
    return f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", cols


def write_database(cat: Catalog, path: Path, fingerprint: str, after_table: Callable[[str], None] | None = None) -> None:
    """Write the catalog into a new SQLite file at ``path`` (which must not exist).

    Tables come from the SQLModel metadata (the one schema); rows are inserted
    with plain ``executemany`` inside one transaction, which is what keeps a
    100k-paper build fast. ``after_table`` is a test hook called after each table.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.schema import CreateIndex, CreateTable

    engine = create_engine("sqlite://")
    ddl = []
    with engine.connect() as c:
        for table in SQLModel.metadata.sorted_tables:
            ddl.append(str(CreateTable(table).compile(c)))
            ddl.extend(str(CreateIndex(ix).compile(c)) for ix in table.indexes)
    engine.dispose()

    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("BEGIN")
        for stmt in ddl:
            con.execute(stmt)
        rows = _rows(cat)
        for table in SQLModel.metadata.sorted_tables:
            sql, cols = _insert_sql(table)
            con.executemany(sql, ([r.get(c) for c in cols] for r in rows[table.name]()))
            if after_table:
                after_table(table.name)
        con.execute(db.FTS_DDL)
        rowid_of = dict(con.execute("SELECT key, rowid FROM paper"))
        con.executemany(
            f"INSERT INTO paper_fts(rowid, key, {', '.join(db.FTS_COLUMNS)}) VALUES ({', '.join('?' * (len(db.FTS_COLUMNS) + 2))})",
            ((rowid_of[key], key, *(row[c] for c in db.FTS_COLUMNS)) for key, row in _fts_rows(cat)),
        )
        meta = {
            "schema_version": db.SCHEMA_VERSION,
            "data_fingerprint": fingerprint,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "papers": str(len(cat.papers)),
        }
        if cat.methods is not None:  # the protocol of the committed results: what a command on a paper page runs
            meta.update(repro_profile=cat.methods.profile, repro_seeds=json.dumps(cat.methods.seeds))
        con.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", meta.items())
        con.execute("COMMIT")
        con.execute("PRAGMA journal_mode=DELETE")
        con.execute("ANALYZE")
    finally:
        con.close()


def build_database(data: Path, target: Path, after_table: Callable[[str], None] | None = None) -> BuildReport:
    """Validate ``data`` and atomically replace ``target`` with a fresh database.

    Raises :class:`CatalogInvalid` (with every problem) before touching the
    target when the data do not validate.
    """
    started = time.perf_counter()
    fingerprint = data_fingerprint(data)
    cat = load_catalog(data)
    if cat.problems:
        raise CatalogInvalid(cat.problems)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()  # sqlite wants to create the file itself
        write_database(cat, tmp, fingerprint, after_table)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return BuildReport(
        target, len(cat.papers), len(cat.datasets), sum(len(r.paper.results) for r in cat.papers.values()), len(cat.runs), time.perf_counter() - started
    )
