"""Board rules: who a row is, which column ranks, ranks within one backbone, references never ranked; task-order mapping."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import cast

import pytest

from catalog.boards import (
    NO_ORDER,
    assemble,
    backbone_key,
    best_per_year,
    board_columns,
    column_label,
    default_rank_by,
    group_entries,
    method_key,
    method_names,
)
from catalog.build import build_database
from catalog.orders import AVG, order_token, resolve
from catalog.paths import data_dir
from catalog.schema import Dataset


def row(
    method: str,
    backbone: str,
    value: float,
    order: str | None = "avg",
    *,
    paper: str = "p2024a",
    table: str = "Table 1",
    method_paper: str | None = None,
    native: bool = False,
    reference: bool = False,
    provenance: str = "paper-text",
    year: int | None = 2024,
    code_url: str | None = None,
    **extra: object,
) -> dict:
    return dict(
        paper_key=paper,
        paper_title=paper,
        table_ref=table,
        method=method,
        method_key=method_key(method, method_paper),
        method_name=method,
        method_paper_key=method_paper,
        backbone=backbone,
        backbone_key=backbone_key(backbone),
        native=native,
        reference=reference,
        task_order=order,
        value=value,
        provenance=provenance,
        year=year,
        code_url=code_url,
        **extra,
    )


COLS = ["1", "2", "3", AVG]


# --------------------------------------------------------------------------- identity


def test_method_identity_goes_through_the_method_paper() -> None:
    assert method_key("O-Lora", "wang2023orthogonal") == method_key("O-LoRA", "wang2023orthogonal") == "paper:wang2023orthogonal"
    assert method_key("SeqFT", None) == method_key("seqft ", None) != method_key("SeqLoRA", None)
    assert method_key("O-LoRA", None) != method_key("O-LoRA", "wang2023orthogonal")


def test_method_display_name() -> None:
    names = method_names(
        [
            ("lee2024", "O-Lora", "wang2023orthogonal", False, "O-LoRA"),
            ("kim2024", "OLoRA", "wang2023orthogonal", False, "O-LoRA"),
            ("wang2023orthogonal", "O-LoRA (ours)", "wang2023orthogonal", True, "O-LoRA"),
            ("a", "PP", "razdaibiedina2023progressive", False, "PP"),
            ("b", "ProgPrompt", "razdaibiedina2023progressive", False, "PP"),
            ("b", "ProgPrompt", "razdaibiedina2023progressive", False, "PP"),
            ("c", "LFPT5", "qin2022lfpt5", False, "LFPT5"),
            ("d", "LFPT-5", "qin2022lfpt5", False, "LFPT5"),
            ("b", "Seq FT", None, False, None),
            ("c", "seq ft", None, False, None),
            ("d", "Seq FT", None, False, None),
        ]
    )
    assert names["paper:wang2023orthogonal"] == "O-LoRA (ours)"  # as its own paper prints it
    assert names["paper:razdaibiedina2023progressive"] == "ProgPrompt"  # else the spelling most papers (then rows) print
    assert names["paper:qin2022lfpt5"] == "LFPT5"  # a tie goes to the survey's acronym
    assert names["name:seq ft"] == "Seq FT"


def test_entry_notes_are_shown_once() -> None:
    rows = [
        row("A", "x", 1.0, "1", note="Main table."),
        row("A", "x", 2.0, "2", note="Main table."),
        row("A", "x", 1.5, AVG, note="Main table. The avg column is the mean."),
        row("A", "x", 3.0, "3", note="Other."),
    ]
    (e,) = group_entries(rows)
    assert e.notes == ["Main table. The avg column is the mean.", "Other."]


def test_backbone_spellings() -> None:
    assert backbone_key("T5-Large") == backbone_key("t5 large") == backbone_key(" T5_large ") == "t5-large"
    assert backbone_key("T5-large") != backbone_key("T5-xl")


def test_entries_fold_orders_of_one_method_in_one_table() -> None:
    rows = [
        row("O-Lora", "T5-large", 75.4, "1", method_paper="wang2023orthogonal"),
        row("O-LoRA", "T5-large", 75.8, AVG, method_paper="wang2023orthogonal"),
        row("O-LoRA", "T5-large", 74.0, AVG, method_paper="wang2023orthogonal", table="Table 4"),
    ]
    entries = group_entries(rows)
    assert [(e.table, sorted(e.cells), e.printed_names) for e in entries] == [("Table 1", ["1", AVG], ["O-Lora", "O-LoRA"]), ("Table 4", [AVG], ["O-LoRA"])]


# --------------------------------------------------------------------------- ranking


def test_ranks_are_within_one_backbone() -> None:
    rows = [row("A", "T5-large", 70.0), row("B", "LLaMA-7B", 80.0), row("C", "T5-large", 75.0), row("D", "llama 7b", 60.0)]
    view = assemble(rows, COLS, "higher")
    ranks = {s.backbone: [(e.method_name, e.rank) for e in s.ranked] for s in view.sections}
    assert ranks == {"T5-large": [("C", 1), ("A", 2)], "LLaMA-7B": [("B", 1), ("D", 2)]}


def test_reference_rows_are_never_ranked() -> None:
    view = assemble([row("MTL", "T5-large", 99.0, reference=True), row("A", "T5-large", 70.0)], COLS, "higher")
    (s,) = view.sections
    assert [(e.method_name, e.rank) for e in s.ranked] == [("A", 1)]
    assert [(e.method_name, e.rank) for e in s.references] == [("MTL", None)]


def test_entries_without_the_rank_column_are_listed_unranked() -> None:
    view = assemble([row("A", "T5-large", 70.0, "1"), row("B", "T5-large", 60.0)], COLS, "higher")
    (s,) = view.sections
    assert [e.method_name for e in s.ranked] == ["B"] and [(e.method_name, e.rank) for e in s.unranked] == [("A", None)]
    by1 = assemble([row("A", "T5-large", 70.0, "1"), row("B", "T5-large", 60.0)], COLS, "higher", "1")
    assert [e.method_name for e in by1.sections[0].ranked] == ["A"]


def test_ties_share_a_rank_and_lower_is_better_when_the_metric_says_so() -> None:
    view = assemble([row("A", "x", 5.0), row("B", "x", 5.0), row("C", "x", 7.0), row("D", "x", 1.0)], COLS, "higher")
    assert [(e.method_name, e.rank) for e in view.sections[0].ranked] == [("C", 1), ("A", 2), ("B", 2), ("D", 4)]
    fm = assemble([row("A", "x", 5.0), row("B", "x", 1.0)], COLS, "lower")
    assert [(e.method_name, e.rank) for e in fm.sections[0].ranked] == [("B", 1), ("A", 2)]


def test_filters_apply_before_ranking() -> None:
    rows = [row("A", "x", 90.0, provenance="extracted"), row("B", "x", 80.0, code_url="https://example.org/b"), row("C", "y", 70.0)]
    verified = assemble(rows, COLS, "higher", verified_only=True)
    assert [(e.method_name, e.rank) for e in verified.entries()] == [("B", 1), ("C", 1)]
    coded = assemble(rows, COLS, "higher", has_code=True)
    assert [e.method_name for e in coded.entries()] == ["B"]
    only_y = assemble(rows, COLS, "higher", backbones=["Y"])
    assert [e.method_name for e in only_y.entries()] == ["C"]


@pytest.mark.parametrize("seed", range(5))
def test_no_board_ranks_two_backbones_together_or_a_reference_row(seed: int) -> None:
    rng = random.Random(seed)
    rows = [
        row(
            f"M{i}",
            rng.choice(["T5-large", "t5 large", "LLaMA-7B", "T5-xl"]),
            round(rng.uniform(0, 90), 1),
            rng.choice(["1", "2", AVG, None]),
            paper=f"p{i % 7}",
            table=f"Table {i % 3}",
            reference=rng.random() < 0.2,
            provenance=rng.choice(["paper-text", "extracted"]),
        )
        for i in range(60)
    ]
    for rank_by in COLS + [NO_ORDER]:
        view = assemble(rows, COLS + [NO_ORDER], rng.choice(["higher", "lower"]), rank_by)
        assert len({s.backbone_key for s in view.sections}) == len(view.sections)
        for s in view.sections:
            members = s.ranked + s.unranked + s.references
            assert {e.backbone_key for e in members} == {s.backbone_key}
            assert all(e.rank is None for e in s.references + s.unranked)
            assert all(not e.reference for e in s.ranked)
            if s.ranked:
                assert s.ranked[0].rank == 1
                values = [e.value(rank_by) for e in s.ranked]
                assert None not in values  # a ranked entry has a value
                assert values == sorted(cast(list[float], values), reverse=view.direction == "higher")


def test_state_of_the_art_per_year_and_backbone() -> None:
    rows = [
        row("A", "x", 60.0, year=2022),
        row("B", "x", 70.0, year=2023),
        row("C", "x", 65.0, year=2023),
        row("D", "y", 50.0, year=2023),
        row("MTL", "x", 99.0, year=2024, reference=True),
        row("E", "x", 1.0, year=None),
    ]
    series = best_per_year(assemble(rows, COLS, "higher"))
    assert series == {"x": [(2022, 60.0, "A"), (2023, 70.0, "B")], "y": [(2023, 50.0, "D")]}


# --------------------------------------------------------------------------- columns and orders


def test_board_columns() -> None:
    assert board_columns(["1", "2", "3"], {"1", AVG}) == ["1", "2", "3", AVG]
    assert board_columns(["1", "2", "3"], {"1", None}) == ["1", "2", "3", AVG, NO_ORDER]
    assert board_columns([], {None}) == [NO_ORDER]
    assert board_columns([], {"10", "2", AVG}) == ["2", "10", AVG]
    assert default_rank_by(["1", "2", AVG]) == AVG and default_rank_by([NO_ORDER]) == NO_ORDER
    assert column_label(NO_ORDER, [NO_ORDER]) == "value" and column_label(NO_ORDER, ["1", NO_ORDER]) == "no order"
    assert column_label("1", ["1"]) == "order 1"


LONG = Dataset.model_validate(
    {
        "name": "Long",
        "kind": "benchmark",
        "description": "d",
        "task_orders": [
            {
                "id": "orders-4-6",
                "label": "orders 4-6",
                "num_tasks": 15,
                "orders": [{"id": "4", "aliases": ["1"]}, {"id": "5", "aliases": ["2"]}, {"id": "6", "aliases": ["3"]}],
            }
        ],
    }
)


def test_order_names_normalise() -> None:
    assert {order_token(x) for x in ("Order-4", "order 4", "ORDER4", "4", "O4", " 4 ")} == {"4"}
    assert resolve(LONG, "Order 1", 15).order == "4" and resolve(LONG, "order-6", None).order == "6"
    assert resolve(LONG, "Average", 15).order == AVG and resolve(LONG, "Avg.", 15).group == "orders-4-6"
    assert resolve(LONG, None, 15) == resolve(LONG, None, None)
    bad = resolve(LONG, "7", 15)
    assert bad.problem and "orders 4-6: 4, 5, 6" in bad.problem
    # another number of tasks is another protocol: no group, the order kept as printed
    assert (resolve(LONG, "Order 7", 20).group, resolve(LONG, "Order 7", 20).order, resolve(LONG, "Order 7", 20).problem) == (None, "7", None)
    assert resolve(None, "Order-2", 8).order == "2"


# --------------------------------------------------------------------------- the real catalog


def test_real_catalog_boards(tmp_path: Path) -> None:
    """Every board of the real catalog: no section mixes backbones, no reference row is ranked, O-LoRA is one method."""
    from webapp.boardview import load_board

    db = tmp_path / "catalog.sqlite"
    build_database(data_dir(), db)
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        ids = [r[0] for r in con.execute("SELECT id FROM leaderboard")]
        assert "standard-cl-benchmark/orders-1-3/AA" in ids and "long-sequence-benchmark/orders-4-6/AA" in ids
        for lb_id in ids:
            loaded = load_board(con, lb_id, [])
            assert loaded is not None
            _, _, view = loaded
            for s in view.sections:
                assert {e.backbone_key for e in s.ranked + s.unranked + s.references} == {s.backbone_key}, lb_id
                assert all(e.rank is None for e in s.references) and not any(e.reference for e in s.ranked), lb_id
        keys = {r[0] for r in con.execute("SELECT DISTINCT method_key FROM result WHERE method IN ('O-Lora', 'O-LoRA')")}
        assert keys == {"paper:wang2023orthogonal"}
        # the reprinted O-LoRA T5-large row of Table 4 is stored once, as an also_in of the main table
        olora = con.execute(
            "SELECT table_ref, also_in_json FROM result WHERE paper_key = 'wang2023orthogonal' AND method = 'O-LoRA' "
            "AND backbone = 'T5-large' AND benchmark_id = 'standard-cl-benchmark'"
        ).fetchall()
        assert len(olora) == 4 and all(r[0] == "Table 2" and "Table 4" in r[1] for r in olora)
    finally:
        con.close()
