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

from catalog.markdown import render_markdown
from catalog.read import Paper, papers
from catalog.taxonomy import taxonomy_from_db

CSV_COLUMNS = (
    "key", "title", "authors", "year", "first_public", "venue", "kind", "doi", "arxiv", "acl_anthology", "url", "code_url",
    "placements", "datasets", "survey_acronym", "in_survey", "reproduction_link", "aliases", "summary",
)


def papers_to_bibtex(items: list[Paper]) -> str:
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


def papers_to_csv(items: list[Paper]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in items:
        writer.writerow(["" if (v := _csv_value(p, c)) is None else v for c in CSV_COLUMNS])
    return buf.getvalue()


def paper_public_dict(p: Paper) -> dict[str, Any]:
    """The JSON shape of a paper (API and export): no internal columns."""
    return {
        "key": p.key, "title": p.title, "authors": list(p.authors_list), "year": p.year, "first_public": p.first_public,
        "venue": p.venue, "kind": p.kind, "doi": p.doi, "arxiv": p.arxiv, "acl_anthology": p.acl_anthology, "openreview": p.openreview,
        "aliases": p.aliases, "url": p.url,
        "code_url": p.code_url, "summary": p.summary, "placements": [pl.as_dict() for pl in p.placements], "datasets": list(p.datasets),
        "in_survey": p.in_survey,
        "survey": {"acronym": p.survey_acronym, "fig2_ref": p.survey_fig2_ref, "in_fig2": p.survey_in_fig2,
                   "in_companion_list": p.survey_in_companion_list, "group": p.survey_group},
        "has_reproduction": p.has_reproduction,
        "reproduction_link": p.repro_link,  # exact / family / none (catalog.links); null for papers that are not linked
        "bibtex": p.bibtex,
    }


def papers_to_json(items: list[Paper]) -> str:
    return json.dumps([paper_public_dict(p) for p in items], indent=2, ensure_ascii=False) + "\n"


SERIALISERS = {"bibtex": papers_to_bibtex, "csv": papers_to_csv, "json": papers_to_json}


FORMATS = ("markdown", "bibtex", "csv", "json")


def render(fmt: str, data: Path) -> str:
    """The export of the catalog in ``data`` as text (raises :class:`catalog.problems.CatalogInvalid`)."""
    from catalog.build import build_database  # here: the web app imports this module and never builds

    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
    with tempfile.TemporaryDirectory(prefix="clatlas-export-") as tmp:
        db_path = Path(tmp) / "catalog.sqlite"
        build_database(data, db_path)
        con = sqlite3.connect(db_path)
        try:
            every = papers(con)
            if fmt == "markdown":
                return render_markdown(every, taxonomy_from_db(con))
            return SERIALISERS[fmt](every)
        finally:
            con.close()
