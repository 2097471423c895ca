"""The typed read layer (catalog.read): one shape of a paper for the exports and the web app."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pytest

from catalog import db, read
from catalog.build import build_database
from catalog.loader import load_catalog


@pytest.fixture()
def con(mini_data: Path, tmp_path: Path) -> Iterator[sqlite3.Connection]:
    build_database(mini_data, tmp_path / "c.sqlite")
    c = sqlite3.connect(tmp_path / "c.sqlite")
    yield c
    c.close()


def test_columns_are_the_tables_columns() -> None:
    """The read layer names every ``paper`` and ``placement`` column of catalog.db, and a Paper has a field for each."""
    assert read.PAPER_COLUMNS == tuple(c.name for c in db.PaperRow.__table__.columns)  # type: ignore[attr-defined]
    assert read.PLACEMENT_COLUMNS == tuple(c.name for c in db.PlacementRow.__table__.columns)[2:]  # type: ignore[attr-defined]
    names = {f.name for f in fields(read.Paper)}
    assert names == {c.removesuffix("_json") for c in read.PAPER_COLUMNS} | {"authors_list", "placements", "datasets"}
    assert [f.name for f in fields(read.Placement)] == list(read.PLACEMENT_COLUMNS)


def test_papers_are_typed_and_complete(con: sqlite3.Connection, mini_data: Path) -> None:
    cat = load_catalog(mini_data)
    every = read.papers(con)
    assert [p.key for p in every] == [p.key for p in sorted(every, key=lambda p: (p.year, p.key))]
    assert {p.key for p in every} == set(cat.papers)
    for p in every:
        src = cat.papers[p.key].paper
        assert isinstance(p, read.Paper) and p.title == src.title and p.year == src.year
        assert all(isinstance(pl, read.Placement) for pl in p.placements)
        assert [(pl.setting, pl.increment, pl.family, pl.technique) for pl in p.placements] == [
            (pl.setting, pl.increment, pl.family, pl.technique) for pl in src.placements
        ]
        assert isinstance(p.in_survey, bool) and isinstance(p.has_code, bool)
        assert isinstance(p.sources, list) and p.sources and isinstance(p.aliases, list)
        assert p.authors_list and p.datasets == sorted(p.datasets)


def test_keys_keep_the_callers_order_and_skip_unknown_ones(con: sqlite3.Connection) -> None:
    keys = [p.key for p in read.papers(con)]
    wanted = [keys[-1], "nosuch2020paper", keys[0], keys[-1]]
    assert [p.key for p in read.papers(con, wanted)] == [keys[-1], keys[0], keys[-1]]
    assert read.papers(con, []) == []


def test_placements_by_key_in_file_order(con: sqlite3.Connection) -> None:
    keys = [p.key for p in read.papers(con)]
    placed = read.placements(con, keys + ["nosuch2020paper"])
    assert "nosuch2020paper" not in placed and any(len(v) > 1 for v in placed.values())
    for key, pls in placed.items():
        assert pls == read.papers(con, [key])[0].placements
        assert all(pl.path.count("/") == 3 and pl.as_dict()["setting"] == pl.setting for pl in pls)


def test_venue_year_takes_a_paper_or_a_row() -> None:
    assert read.venue_year(read.Paper(key="a2024b", title="T", year=2024, venue="ICLR")) == "ICLR 2024"
    assert read.venue_year({"venue": "ACL 2023 Findings", "year": 2023}) == "ACL 2023 Findings"
    assert read.venue_year({"venue": "", "year": 2023}) == "2023"
