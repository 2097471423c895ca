"""The paper page's reported results, pivoted: method × task order, one block per benchmark, backbone and protocol."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")

from support.webfixture import LORA_KEY, client, fixture_db  # noqa: F401,E402

from webapp.resultgrid import column_order, pivot  # noqa: E402


def _r(
    i: int,
    method: str,
    order: str | None,
    value: float,
    *,
    metric: str = "AA",
    backbone: str = "T5-large",
    paper: str = "p2023x",
    table: str = "Table 2",
    native: bool = True,
    reference: bool = False,
    shots: int | None = None,
    provenance: str = "paper-text",
) -> dict:
    return dict(
        id=i,
        benchmark_id="standard-cl-benchmark",
        benchmark_name="Standard CL",
        backbone=backbone,
        backbone_key=backbone.lower(),
        order_group="orders-1-3",
        order_label="orders 1-3",
        num_tasks=4,
        shots=shots,
        task_order=order,
        method=method,
        method_key=f"name:{method.lower()}",
        method_paper_key=None,
        native=native,
        reference=reference,
        metric_id=metric,
        value=value,
        table_ref=table,
        note=None,
        provenance=provenance,
        paper_key=paper,
        reporter_title="P",
        leaderboard=f"standard-cl-benchmark/orders-1-3/{metric}",
    )


def test_column_order_is_natural_then_avg_then_value():
    assert column_order(["avg", "10", "2", "value", "1"]) == ["1", "2", "10", "avg", "value"]


def test_pivot_folds_one_number_per_row_into_a_table():
    rows = [
        _r(1, "SeqFT", "1", 10.0, native=False),
        _r(2, "O-LoRA", "1", 75.0),
        _r(3, "O-LoRA", "2", 76.0),
        _r(4, "O-LoRA", "avg", 75.5),
        _r(5, "O-LoRA", "1", -1.0, metric="BWT"),
        _r(6, "MTL", "avg", 80.0, native=False, reference=True),
        _r(7, "O-LoRA", "avg", 60.0, backbone="LLaMA-7B"),
        _r(8, "O-LoRA", "avg", 50.0, shots=5),
    ]
    blocks = pivot(rows)
    assert [(b.backbone, b.shots) for b in blocks] == [("T5-large", None), ("LLaMA-7B", None), ("T5-large", 5)]
    t5 = blocks[0]
    assert t5.metrics == ["AA", "BWT"] and t5.columns == {"AA": ["1", "2", "avg"], "BWT": ["1"]}
    assert t5.header == [("AA", "1"), ("AA", "2"), ("AA", "avg"), ("BWT", "1")]
    assert [(r.method, r.kind) for r in t5.rows] == [("O-LoRA", "native"), ("SeqFT", "rerun"), ("MTL", "reference")]
    olora = t5.rows[0]
    assert {k: c.value for k, c in olora.cells.items()} == {("AA", "1"): 75.0, ("AA", "2"): 76.0, ("AA", "avg"): 75.5, ("BWT", "1"): -1.0}
    assert t5.leaderboards == {"AA": "standard-cl-benchmark/orders-1-3/AA", "BWT": "standard-cl-benchmark/orders-1-3/BWT"}


def test_rows_split_by_table_and_keep_each_cells_provenance():
    rows = [_r(1, "O-LoRA", "1", 75.0, table="Table 2"), _r(2, "O-LoRA", "avg", 75.5, table="Table 4", provenance="extracted")]
    (block,) = pivot(rows)
    assert [(r.table, r.provenances) for r in block.rows] == [("Table 2", ["paper-text"]), ("Table 4", ["extracted"])]


def test_own_tables_come_first():
    rows = [_r(1, "O-LoRA", "1", 1.0, paper="other2024x", backbone="GPT-2"), _r(2, "O-LoRA", "1", 2.0, paper="me2023x")]
    assert [b.backbone for b in pivot(rows, "me2023x")] == ["T5-large", "GPT-2"]


def test_paper_page_shows_the_pivot(client):
    html = client.get(f"/papers/{LORA_KEY}").text
    section = html.split("<h2>Reported results</h2>")[1].split("<h2>Reproduction</h2>")[0]
    assert section.count('class="result-block"') == 2  # T5-large and LLaMA-7B on the standard benchmark
    t5 = section.split('class="result-block"')[1]
    assert '<th colspan="4" class="metric">AA</th>' in t5 and '<th colspan="1" class="metric">BWT</th>' in t5
    # LoRA-Experts' orders 1, 2, 3 and avg of Table 2 sit in one row, left to right; its BWT comes from Table 3, another row
    row, bwt_row = (x.split("</tr>")[0] for x in t5.split("<td>LoRA-Experts")[1:3])
    assert row.index("78.1") < row.index("77.0") < row.index("76.9") < row.index("77.3") and "Table 2 of this paper" in row
    assert "-1.5" in bwt_row and "Table 3 of this paper" in bwt_row and "-1.5" not in row
    assert 'href="/leaderboards/standard-cl-benchmark/orders-1-3/AA"' in t5 and "orders 1-3 (4 tasks)" in t5
    ref = t5.split("<td>MTL")[1].split("</tr>")[0]
    assert "badge reference" in ref and "80.0" in ref and "multitask upper bound" in ref
