"""The SQLite build: contents, full-text search, atomic replacement, staleness."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml
from support.helpers import edit

from catalog.boards import board_id
from catalog.build import build_database, is_stale
from catalog.metrics import METRIC_IDS
from catalog.problems import CatalogInvalid
from clatlas_cli import main


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
    authors = _query(
        db, "SELECT a.name FROM paper_author pa JOIN author a ON a.id = pa.author_id WHERE pa.paper_key = ? ORDER BY position", "wang2023orthogonal"
    )
    assert [a for (a,) in authors][:2] == ["Xiao Wang", "Tianze Chen"]
    assert _query(db, "SELECT setting, increment, family, technique FROM placement WHERE paper_key = ?", "wang2023orthogonal") == [
        ("offline", "TIL", "LLM", "parameter-efficient")
    ]
    assert _query(db, "SELECT count(*) FROM dataset_member WHERE benchmark_id = 'standard-cl-benchmark'") == [(5,)]
    defined = yaml.safe_load((mini_data / "metrics.yaml").read_text(encoding="utf-8"))
    assert _query(db, "SELECT count(*) FROM metric") == [(len(defined),)]
    assert set(METRIC_IDS) <= {m["id"] for m in defined}
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


def test_first_public_aliases_survey_and_extensions_reach_the_database(mini_data: Path, tmp_path: Path) -> None:
    path = mini_data / "papers" / "wang2023orthogonal.yaml"
    edit(path, 'arxiv: "2310.14152"', 'arxiv: "2310.14152"\nfirst_public: "2023-10"\naliases:\n  - title: An Older Title\n    arxiv: "2309.00001"')
    text = (mini_data / "papers" / "razdaibiedina2023progressive.yaml").read_text(encoding="utf-8")
    (mini_data / "papers" / "razdaibiedina2023progressive.yaml").write_text(
        text.split("survey:")[0] + "placements:" + text.split("placements:", 1)[1], encoding="utf-8"
    )
    db = tmp_path / "catalog.sqlite"
    build_database(mini_data, db)
    assert _query(db, "SELECT first_public, aliases_json, in_survey FROM paper WHERE key = 'wang2023orthogonal'") == [
        ("2023-10", '[{"title": "An Older Title", "arxiv": "2309.00001", "note": null}]', 1)
    ]
    assert _query(db, "SELECT first_public, aliases_json, in_survey FROM paper WHERE key = 'razdaibiedina2023progressive'") == [(None, "[]", 0)]
    assert _query(db, "SELECT extension, rationale IS NOT NULL FROM taxonomy_value WHERE value = 'model-merging'") == [(1, 1)]
    assert _query(db, "SELECT extension, rationale FROM taxonomy_value WHERE value = 'parameter-efficient'") == [(0, None)]

    def search(q: str) -> set[str]:
        return {k for (k,) in _query(db, "SELECT key FROM paper_fts WHERE paper_fts MATCH ?", q)}

    assert search('acronym:"O-LoRA"') == {"wang2023orthogonal"}  # the survey's acronym is searchable
    assert search('aliases:"older title"') == {"wang2023orthogonal"}
    assert search('ids:"2309 00001"') == search('ids:"2310 14152"') == {"wang2023orthogonal"}


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
    a = board_id("standard-cl-benchmark", "orders-1-3", None, None, "AA")
    assert a == "standard-cl-benchmark/orders-1-3/AA"
    assert a != board_id("standard-cl-benchmark", "orders-1-3", None, None, "BWT")
    assert a != board_id("standard-cl-benchmark", "orders-1-3", None, 16, "AA")
    assert a != board_id("standard-cl-benchmark", None, 5, None, "AA")  # another number of tasks, no declared group
    assert board_id("trace", None, 8, 500, "AA") == "trace/8-tasks/500-shot/AA" != board_id("trace", None, 8, 5000, "AA")


def test_results_are_stored_with_canonical_order_and_board(mini_data: Path, tmp_path: Path) -> None:
    import yaml

    path = mini_data / "papers" / "wang2023orthogonal.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = dict(
        shots=None, backbone="T5-large", method="O-LoRA", method_paper="wang2023orthogonal", native=True, metric="AA", table="Table 2", provenance="extracted"
    )
    doc["results"] = [
        dict(base, benchmark="standard-cl-benchmark", task_order="Order-1", num_tasks=4, value=75.4),
        dict(base, benchmark="standard-cl-benchmark", task_order="Avg", num_tasks=4, value=75.8),
        dict(base, benchmark="long-sequence-benchmark", task_order="order 1", num_tasks=None, value=72.3, table="Table 5"),
        dict(
            base,
            benchmark="standard-cl-benchmark",
            task_order=None,
            num_tasks=4,
            value=80.0,
            method="MTL",
            method_paper=None,
            native=False,
            reference=True,
            also_in=[dict(paper="wang2023orthogonal", table="Table 4")],
        ),
    ]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    db = tmp_path / "catalog.sqlite"
    build_database(mini_data, db)
    rows = _query(db, "SELECT task_order_printed, task_order, order_group, leaderboard, provenance, reference, also_in_json FROM result ORDER BY id")
    assert [r[:4] for r in rows] == [
        ("Order-1", "1", "orders-1-3", "standard-cl-benchmark/orders-1-3/AA"),
        ("Avg", "avg", "orders-1-3", "standard-cl-benchmark/orders-1-3/AA"),
        ("order 1", "4", "orders-4-6", "long-sequence-benchmark/orders-4-6/AA"),  # the long benchmark's first order is order 4
        (None, None, "orders-1-3", "standard-cl-benchmark/orders-1-3/AA"),
    ]
    assert rows[0][4:6] == ("extracted", 0) and rows[3][5] == 1 and '"table": "Table 4"' in rows[3][6]
    boards = _query(db, "SELECT id, order_label, num_tasks, columns_json, rank_by FROM leaderboard ORDER BY id")
    assert boards == [
        ("long-sequence-benchmark/orders-4-6/AA", "orders 4-6", 15, '["4", "5", "6", "avg"]', "avg"),
        ("standard-cl-benchmark/orders-1-3/AA", "orders 1-3", 4, '["1", "2", "3", "avg", "value"]', "avg"),
    ]


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
