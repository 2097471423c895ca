"""Exports of paper lists as BibTeX, CSV and JSON, read from the built database.

Both the web app (``/export/papers.bib?family=LLM``) and ``clatlas export``
read papers with :func:`catalog.read.papers` and write them with the
serialisers here, so an export looks the same wherever it comes from. Exports read the SQLite file, never the YAML:
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
from pathlib import Path
from typing import Any

from catalog import markdown  # noqa: F401 - registers the markdown format
from catalog.exportformats import EXPORT_FORMATS, export_format
from catalog.read import Paper, papers
from catalog.taxonomy import Taxonomy, taxonomy_from_db

CSV_COLUMNS = (
    "key",
    "title",
    "authors",
    "year",
    "first_public",
    "venue",
    "kind",
    "doi",
    "arxiv",
    "acl_anthology",
    "url",
    "code_url",
    "placements",
    "datasets",
    "survey_acronym",
    "in_survey",
    "reproduction_link",
    "aliases",
    "summary",
)


@export_format("bibtex", "bib", "application/x-bibtex")
def papers_to_bibtex(items: list[Paper], taxonomy: Taxonomy | None = None) -> str:
    """One .bib file: each paper's own BibTeX text, as curated, blank-line separated."""
    return "\n\n".join(p.bibtex.strip() for p in items) + ("\n" if items else "")


def alias_text(alias: dict[str, Any]) -> str:
    """One alias as one line of text: ``Title (arXiv 2310.15694)``."""
    parts = [alias.get("title") or "", f"(arXiv {alias['arxiv']})" if alias.get("arxiv") else ""]
    return " ".join(p for p in parts if p)


def _csv_value(p: Paper, column: str) -> Any:
    if column == "authors":
        return "; ".join(p.authors_list)
    if column == "placements":
        return "; ".join(pl.path for pl in p.placements)
    if column == "datasets":
        return "; ".join(p.datasets)
    if column == "in_survey":
        return int(p.in_survey)
    if column == "aliases":
        return "; ".join(alias_text(a) for a in p.aliases)
    if column == "reproduction_link":
        return p.repro_link
    return getattr(p, column)


@export_format("csv", "csv", "text/csv")
def papers_to_csv(items: list[Paper], taxonomy: Taxonomy | None = None) -> str:
    """One row per paper; list fields joined with ``; ``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in items:
        writer.writerow(["" if (v := _csv_value(p, c)) is None else v for c in CSV_COLUMNS])
    return buf.getvalue()


def paper_public_dict(p: Paper) -> dict[str, Any]:
    """The JSON shape of a paper (API and export): no internal columns."""
    return {
        "key": p.key,
        "title": p.title,
        "authors": list(p.authors_list),
        "year": p.year,
        "first_public": p.first_public,
        "venue": p.venue,
        "kind": p.kind,
        "doi": p.doi,
        "arxiv": p.arxiv,
        "acl_anthology": p.acl_anthology,
        "openreview": p.openreview,
        "aliases": p.aliases,
        "url": p.url,
        "code_url": p.code_url,
        "summary": p.summary,
        "placements": [pl.as_dict() for pl in p.placements],
        "datasets": list(p.datasets),
        "in_survey": p.in_survey,
        "survey": {
            "acronym": p.survey_acronym,
            "fig2_ref": p.survey_fig2_ref,
            "in_fig2": p.survey_in_fig2,
            "in_companion_list": p.survey_in_companion_list,
            "group": p.survey_group,
        },
        "has_reproduction": p.has_reproduction,
        "reproduction_link": p.repro_link,  # exact / family / none (catalog.links); null for papers that are not linked
        "bibtex": p.bibtex,
    }


@export_format("json", "json", "application/json")
def papers_to_json(items: list[Paper], taxonomy: Taxonomy | None = None) -> str:
    """A JSON array of papers, the shape of the API's paper objects."""
    return json.dumps([paper_public_dict(p) for p in items], indent=2, ensure_ascii=False) + "\n"


def render(fmt: str, data: Path) -> str:
    """The export of the catalog in ``data`` as text (raises :class:`catalog.problems.CatalogInvalid`)."""
    from catalog.build import build_database  # here: the web app imports this module and never builds

    if fmt not in EXPORT_FORMATS:  # every writer above and in catalog.markdown has registered by now
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(EXPORT_FORMATS)}")
    with tempfile.TemporaryDirectory(prefix="clatlas-export-") as tmp:
        db_path = Path(tmp) / "catalog.sqlite"
        build_database(data, db_path)
        con = sqlite3.connect(db_path)
        try:
            return EXPORT_FORMATS[fmt].write(papers(con), taxonomy_from_db(con))
        finally:
            con.close()
