"""The SQLite build: contents, full-text search, atomic replacement, staleness."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from catalog.build import build_database, is_stale, leaderboard_id
from catalog.cli import main
from catalog.problems import CatalogInvalid
from tests.helpers import edit


def _query(db: Path, sql: str, *args: object) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def test_build_writes_every_table(mini_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "out" / "catalog.sqlite"
    report = build_database(mini_data, db)
    assert (report.papers, report.datasets) == (3, 9)
    assert _query(db, "SELECT title, year FROM paper WHERE key = ?", "wang2023orthogonal") == [
        ("Orthogonal Subspace Learning for Language Model Continual Learning", 2023)
    ]
    authors = _query(db, "SELECT a.name FROM paper_author pa JOIN author a ON a.id = pa.author_id WHERE pa.paper_key = ? ORDER BY position", "wang2023orthogonal")
    assert [a for (a,) in authors][:2] == ["Xiao Wang", "Tianze Chen"]
    assert _query(db, "SELECT setting, increment, family, technique FROM placement WHERE paper_key = ?", "wang2023orthogonal") == [
        ("offline", "TIL", "LLM", "parameter-efficient")
    ]
    assert _query(db, "SELECT count(*) FROM dataset_member WHERE benchmark_id = 'standard-cl-benchmark'") == [(5,)]
    assert _query(db, "SELECT count(*) FROM metric") == [(8,)]
    assert _query(db, "SELECT count(*) FROM taxonomy_value WHERE axis = 'increment'") == [(5,)]
    assert not list(db.parent.glob("*.tmp")), "no temporary file may remain"


def test_fts_search_title_authors_summary(mini_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "catalog.sqlite"
    build_database(mini_data, db)

    def search(q: str) -> set[str]:
        return {k for (k,) in _query(db, "SELECT key FROM paper_fts WHERE paper_fts MATCH ?", q)}

    assert search("orthogonal") == {"wang2023orthogonal"}
    assert search("authors:Razdaibiedina") == {"razdaibiedina2023progressive"}
    assert "demassondautume2019episodic" in search("episodic")
    assert search("prompts") >= {"razdaibiedina2023progressive"}  # porter stemming: prompt/prompts
    assert search("nonexistentword") == set()


def test_failed_build_leaves_old_database_intact(mini_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "catalog.sqlite"
    build_database(mini_data, db)
    before = db.read_bytes()

    def explode(table: str) -> None:
        if table == "placement":
            raise RuntimeError("simulated crash in the middle of the build")

    edit(mini_data / "papers" / "wang2023orthogonal.yaml", "venue: Findings of EMNLP 2023", "venue: Changed")
    with pytest.raises(RuntimeError):
        build_database(mini_data, db, after_table=explode)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.sqlite", "data"]


def test_interrupted_build_leaves_old_database_intact(mini_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "catalog.sqlite"
    build_database(mini_data, db)
    before = db.read_bytes()

    def interrupt(table: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_database(mini_data, db, after_table=interrupt)
    assert db.read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_invalid_data_refuses_build_and_keeps_database(mini_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "catalog.sqlite"
    build_database(mini_data, db)
    before = db.read_bytes()
    edit(mini_data / "papers" / "wang2023orthogonal.yaml", "increment: TIL", "increment: TLI")
    with pytest.raises(CatalogInvalid) as info:
        build_database(mini_data, db)
    assert [p.field for p in info.value.problems] == ["placements[0].increment"]
    assert main(["build", "--data", str(mini_data), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "was not changed" in err and "Traceback" not in err
    assert db.read_bytes() == before


def test_staleness_follows_the_data(mini_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "catalog.sqlite"
    assert is_stale(db, mini_data)
    build_database(mini_data, db)
    assert not is_stale(db, mini_data)
    edit(mini_data / "papers" / "wang2023orthogonal.yaml", "venue: Findings of EMNLP 2023", "venue: Findings of EMNLP 2023 ")
    assert is_stale(db, mini_data)


def test_leaderboards_never_mix_protocols_or_metrics() -> None:
    a = leaderboard_id("standard-cl-benchmark", "1", 4, None, "AA")
    assert a == "standard-cl-benchmark/order-1/4-tasks/AA"
    assert a != leaderboard_id("standard-cl-benchmark", "2", 4, None, "AA")
    assert a != leaderboard_id("standard-cl-benchmark", "1", 4, None, "BWT")
    assert a != leaderboard_id("standard-cl-benchmark", "1", 4, 16, "AA")


def test_cli_build_and_stats(mini_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "x.sqlite"
    assert main(["build", "--data", str(mini_data), "--db", str(db)]) == 0
    assert "3 papers" in capsys.readouterr().out
    assert main(["stats", "--data", str(mini_data), "--format", "json"]) == 0
    import json

    stats = json.loads(capsys.readouterr().out)
    assert stats["papers"] == 3
    assert stats["taxonomy"]["offline/TIL/LLM/parameter-efficient"] == 1
    assert stats["taxonomy"]["online"] == 1  # MBPA++ sits in HTB and BTB but counts once under online
    assert sum(stats["years"].values()) == 3
