"""Exports of paper lists as BibTeX, CSV and JSON, read from the built database.

Both the web app (``/export/papers.bib?family=LLM``) and ``clatlas export``
go through :func:`fetch_papers` and the serialisers here, so an export looks
the same wherever it comes from. Exports read the SQLite file, never the YAML:
:func:`render` (what ``clatlas export`` writes) validates and builds the data
into a temporary database first (:func:`catalog.build.build_database`), then
reads it back.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CSV_COLUMNS = (
    "key", "title", "authors", "year", "first_public", "venue", "kind", "doi", "arxiv", "acl_anthology", "url", "code_url",
    "placements", "datasets", "survey_acronym", "in_survey", "reproduction_link", "aliases", "summary",
)


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def fetch_papers(con: sqlite3.Connection, keys: list[str] | None = None) -> list[dict[str, Any]]:
    """Paper dicts (all ``paper`` columns, with aliases parsed, plus authors_list, placements, datasets).

    ``keys`` keeps the caller's order (a filtered, sorted list); ``None`` means
    every paper, ordered by year then key.
    """
    con.row_factory = sqlite3.Row
    if keys is None:
        keys = [r[0] for r in con.execute("SELECT key FROM paper ORDER BY year, key")]
    by_key: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(keys):
        marks = ",".join("?" * len(chunk))
        for row in con.execute(f"SELECT * FROM paper WHERE key IN ({marks})", chunk):
            d = dict(row)
            d.update(aliases=json.loads(d.pop("aliases_json") or "[]"), authors_list=[], placements=[], datasets=[])
            by_key[d["key"]] = d
        for key, name in con.execute(
            f"SELECT pa.paper_key, a.name FROM paper_author pa JOIN author a ON a.id = pa.author_id "
            f"WHERE pa.paper_key IN ({marks}) ORDER BY pa.paper_key, pa.position", chunk
        ):
            by_key[key]["authors_list"].append(name)
        for row in con.execute(
            f"SELECT paper_key, setting, increment, family, technique, technique_source, approach FROM placement "
            f"WHERE paper_key IN ({marks}) ORDER BY id", chunk
        ):
            d = dict(row)
            by_key[d.pop("paper_key")]["placements"].append(d)
        for key, ds in con.execute(f"SELECT paper_key, dataset_id FROM paper_dataset WHERE paper_key IN ({marks}) ORDER BY dataset_id", chunk):
            by_key[key]["datasets"].append(ds)
    return [by_key[k] for k in keys if k in by_key]


def venue_year(p: dict[str, Any]) -> str:
    """``ICLR 2024`` from venue and year, without repeating a year the venue label already has."""
    venue, year = (p.get("venue") or "").strip(), str(p.get("year") or "")
    if not venue:
        return year
    return venue if year and year in venue else f"{venue} {year}".strip()


def placement_path(p: dict[str, Any]) -> str:
    return "/".join(p[a] for a in ("setting", "increment", "family", "technique"))


def papers_to_bibtex(papers: list[dict[str, Any]]) -> str:
    """One .bib file: each paper's own BibTeX text, as curated, blank-line separated."""
    return "\n\n".join(p["bibtex"].strip() for p in papers) + ("\n" if papers else "")


def alias_text(alias: dict[str, Any]) -> str:
    """One alias as one line of text: ``Title (arXiv 2310.15694)``."""
    parts = [alias.get("title") or "", f"(arXiv {alias['arxiv']})" if alias.get("arxiv") else ""]
    return " ".join(p for p in parts if p)


def papers_to_csv(papers: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in papers:
        row = dict(p, authors="; ".join(p["authors_list"]), placements="; ".join(placement_path(x) for x in p["placements"]),
                   datasets="; ".join(p["datasets"]), in_survey=int(bool(p["in_survey"])), aliases="; ".join(alias_text(a) for a in p["aliases"]),
                   reproduction_link=p.get("repro_link"))
        writer.writerow(["" if row.get(c) is None else row[c] for c in CSV_COLUMNS])
    return buf.getvalue()


def paper_public_dict(p: dict[str, Any]) -> dict[str, Any]:
    """The JSON shape of a paper (API and export): no internal columns."""
    return {
        "key": p["key"], "title": p["title"], "authors": p["authors_list"], "year": p["year"], "first_public": p["first_public"],
        "venue": p["venue"], "kind": p["kind"], "doi": p["doi"], "arxiv": p["arxiv"], "acl_anthology": p["acl_anthology"], "openreview": p.get("openreview"),
        "aliases": p["aliases"], "url": p["url"],
        "code_url": p["code_url"], "summary": p["summary"], "placements": p["placements"], "datasets": p["datasets"],
        "in_survey": bool(p["in_survey"]),
        "survey": {"acronym": p["survey_acronym"], "fig2_ref": p["survey_fig2_ref"], "in_fig2": bool(p["survey_in_fig2"]),
                   "in_companion_list": bool(p["survey_in_companion_list"]), "group": p["survey_group"]},
        "has_reproduction": bool(p["has_reproduction"]),
        "reproduction_link": p.get("repro_link"),  # exact / family / none (catalog.links); null for papers that are not linked
        "bibtex": p["bibtex"],
    }


def papers_to_json(papers: list[dict[str, Any]]) -> str:
    return json.dumps([paper_public_dict(p) for p in papers], indent=2, ensure_ascii=False) + "\n"


SERIALISERS = {"bibtex": papers_to_bibtex, "csv": papers_to_csv, "json": papers_to_json}


FORMATS = ("markdown", "bibtex", "csv", "json")


def render(fmt: str, data: Path) -> str:
    """The export of the catalog in ``data`` as text (raises :class:`catalog.problems.CatalogInvalid`)."""
    # imported here: the web app imports this module and never builds, and catalog.markdown imports this module
    from catalog.build import build_database
    from catalog.markdown import render_markdown
    from catalog.taxonomy import taxonomy_from_db

    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
    with tempfile.TemporaryDirectory(prefix="clatlas-export-") as tmp:
        db_path = Path(tmp) / "catalog.sqlite"
        build_database(data, db_path)
        con = sqlite3.connect(db_path)
        try:
            papers = fetch_papers(con)
            if fmt == "markdown":
                return render_markdown(papers, taxonomy_from_db(con))
            return SERIALISERS[fmt](papers)
        finally:
            con.close()
