"""Typed reads of the built database: papers with their authors, placements and datasets.

The exports (:mod:`catalog.export`, :mod:`catalog.markdown`) and the web app's
paper page, paper API and filtered exports read papers here, so there is one
query for "a paper" and one shape of it (:class:`Paper`). The web app's list
page keeps its own narrower query (``webapp.queries.rows_for_keys``, tuned for
speed) but takes its placements from :func:`placements`.

The objects are plain frozen dataclasses: reading never validates again (the
build already did), and JSON-stored columns come back parsed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

CHUNK = 500  # keys per query, well under SQLite's limit on bound parameters

PAPER_COLUMNS = (
    "key",
    "title",
    "year",
    "venue",
    "kind",
    "doi",
    "arxiv",
    "acl_anthology",
    "openreview",
    "first_public",
    "aliases_json",
    "url",
    "code_url",
    "summary",
    "bibtex",
    "entry_type",
    "authors",
    "sources_json",
    "survey_acronym",
    "survey_fig2_ref",
    "survey_in_fig2",
    "survey_in_companion_list",
    "survey_group",
    "in_survey",
    "has_code",
    "has_reproduction",
    "repro_link",
    "source_path",
)
PLACEMENT_COLUMNS = ("setting", "increment", "family", "technique", "technique_source", "approach")


@dataclass(frozen=True, slots=True)
class Placement:
    """One path of a paper in the taxonomy: setting → increment → family → technique."""

    setting: str
    increment: str
    family: str
    technique: str
    technique_source: str | None = None  # survey / curated
    approach: str | None = None

    @property
    def path(self) -> str:
        """``offline/TIL/LLM/replay``."""
        return "/".join((self.setting, self.increment, self.family, self.technique))

    def as_dict(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in PLACEMENT_COLUMNS}


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper as the database holds it (``paper`` row), with its authors, placements and datasets."""

    key: str
    title: str
    year: int
    venue: str
    kind: str = "method"
    doi: str | None = None
    arxiv: str | None = None
    acl_anthology: str | None = None
    openreview: str | None = None
    first_public: str | None = None
    url: str | None = None
    code_url: str | None = None
    summary: str = ""
    bibtex: str = ""
    entry_type: str = ""
    authors: str = ""  # the display string "A, B and C"
    survey_acronym: str | None = None
    survey_fig2_ref: int | None = None
    survey_in_fig2: bool = False
    survey_in_companion_list: bool = False
    survey_group: str | None = None
    in_survey: bool = False
    has_code: bool = False
    has_reproduction: bool = False
    repro_link: str | None = None  # exact / family / none (catalog.links); None when not linked
    source_path: str = ""
    aliases: list[dict[str, Any]] = field(default_factory=list)  # [{"title", "arxiv", "note"}], as written in the data
    sources: list[str] = field(default_factory=list)
    authors_list: list[str] = field(default_factory=list)  # in order
    placements: list[Placement] = field(default_factory=list)  # in file order
    datasets: list[str] = field(default_factory=list)  # dataset ids, sorted


def venue_year(p: Paper | Mapping[str, Any]) -> str:
    """``ICLR 2024`` from venue and year, without repeating a year the venue label already has.

    Takes a :class:`Paper` or a row mapping with ``venue`` and ``year`` (the list page's rows).
    """
    venue: str | None
    year: int | None
    if isinstance(p, Paper):
        venue, year = p.venue, p.year
    else:
        venue, year = p.get("venue"), p.get("year")
    venue, shown = (venue or "").strip(), str(year or "")
    if not venue:
        return shown
    return venue if shown and shown in venue else f"{venue} {shown}".strip()


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _marks(chunk: list[str]) -> str:
    return ",".join("?" * len(chunk))


def placements(con: sqlite3.Connection, keys: list[str]) -> dict[str, list[Placement]]:
    """The placements of each of ``keys`` that has any, in file order."""
    out: dict[str, list[Placement]] = {}
    for chunk in _chunks(keys):
        sql = f"SELECT paper_key, {', '.join(PLACEMENT_COLUMNS)} FROM placement WHERE paper_key IN ({_marks(chunk)}) ORDER BY id"
        for key, *values in con.execute(sql, chunk):
            out.setdefault(key, []).append(Placement(*values))
    return out


def papers(con: sqlite3.Connection, keys: list[str] | None = None) -> list[Paper]:
    """Papers with authors, placements and datasets.

    ``keys`` keeps the caller's order (a filtered, sorted list) and skips keys
    that are not in the database; ``None`` means every paper, by year then key.
    """
    if keys is None:
        keys = [r[0] for r in con.execute("SELECT key FROM paper ORDER BY year, key")]
    rows: dict[str, dict[str, Any]] = {}
    authors: dict[str, list[str]] = {}
    datasets: dict[str, list[str]] = {}
    for chunk in _chunks(keys):
        marks = _marks(chunk)
        for values in con.execute(f"SELECT {', '.join(PAPER_COLUMNS)} FROM paper WHERE key IN ({marks})", chunk):
            rows[values[0]] = dict(zip(PAPER_COLUMNS, values))
        for key, name in con.execute(
            f"SELECT pa.paper_key, a.name FROM paper_author pa JOIN author a ON a.id = pa.author_id "
            f"WHERE pa.paper_key IN ({marks}) ORDER BY pa.paper_key, pa.position",
            chunk,
        ):
            authors.setdefault(key, []).append(name)
        for key, ds in con.execute(f"SELECT paper_key, dataset_id FROM paper_dataset WHERE paper_key IN ({marks}) ORDER BY dataset_id", chunk):
            datasets.setdefault(key, []).append(ds)
    placed = placements(con, list(rows))
    by_key = {k: _paper(row, authors.get(k, []), placed.get(k, []), datasets.get(k, [])) for k, row in rows.items()}
    return [by_key[k] for k in keys if k in by_key]


BOOLEAN_COLUMNS = ("survey_in_fig2", "survey_in_companion_list", "in_survey", "has_code", "has_reproduction")


def _paper(row: dict[str, Any], authors: list[str], placed: list[Placement], datasets: list[str]) -> Paper:
    fields: dict[str, Any] = {c: bool(v) if c in BOOLEAN_COLUMNS else v for c, v in row.items() if not c.endswith("_json")}
    return Paper(
        **fields,
        aliases=json.loads(row["aliases_json"] or "[]"),
        sources=json.loads(row["sources_json"] or "[]"),
        authors_list=authors,
        placements=placed,
        datasets=datasets,
    )
