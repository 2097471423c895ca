"""Measured numbers (webapp.measured) and the literature-vs-measured rank comparison (webapp.rankcompare)."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("pandas")

from webapp.measured import Measured, Stat, comparable, reported_beside, run_command, summarise, sweep_command  # noqa: E402
from webapp.rankcompare import match, spearman  # noqa: E402


def _run(seed: int, aa: float, bwt: float | None = -1.0, **kw) -> dict:
    base = dict(
        method_kind="classify",
        method="replay",
        benchmark="wordnet-5x4",
        profile="standard",
        seed=seed,
        aa=aa,
        aia=None,
        fm=None,
        bwt=bwt,
        fwt=None,
        num_tasks=5,
    )
    base.update(kw)
    return base


def test_summarise_means_and_sample_std_per_method_benchmark_profile():
    runs = [_run(0, 50.0), _run(1, 54.0), _run(2, 58.0, bwt=None), _run(0, 70.0, profile="smoke"), _run(0, 20.0, method="seqft")]
    got = {(m.method, m.profile): m for m in summarise(runs)}
    m = got[("replay", "standard")]
    assert m.seeds == [0, 1, 2] and m.num_tasks == 5 and m.ref == "classify/replay"
    assert m.stats["aa"] == Stat(54.0, 4.0, 3)  # sample std (ddof=1)
    assert m.stats["bwt"].n == 2 and "fm" not in m.stats  # missing values are left out, not zeros
    assert got[("replay", "smoke")].stats["aa"].std is None and got[("replay", "smoke")].stats["aa"].text() == "70.0 (1 seed)"
    assert m.stats["aa"].text() == "54.0 ± 4.0"
    assert summarise([]) == []


def _measured(**kw) -> Measured:
    base: dict[str, Any] = dict(
        method_kind="classify", method="olora", benchmark="wordnet-5x4-til", profile="standard", seeds=[0, 1, 2], num_tasks=5, stats={"aa": Stat(70.0, 1.0, 3)}
    )
    base.update(kw)
    return Measured(**base)


def _reported(**kw) -> dict:
    base = dict(benchmark_id="wordnet-5x4-til", metric_id="AA", num_tasks=5, task_order=None, shots=None, reference=False, value=71.5)
    base.update(kw)
    return base


@pytest.mark.parametrize(
    "change, ok",
    [
        ({}, True),
        ({"benchmark_id": "standard-cl-benchmark"}, False),  # another benchmark
        ({"metric_id": "BWT"}, False),  # another metric
        ({"num_tasks": 4}, False),  # another protocol: number of tasks
        ({"num_tasks": None}, False),  # protocol unknown: never assumed equal
        ({"task_order": "1"}, False),  # a named order the runs do not have
        ({"shots": 16}, False),  # few-shot
        ({"reference": True}, False),  # a multitask upper bound is not the method
    ],
)
def test_a_reported_number_sits_beside_a_measured_one_only_when_benchmark_protocol_and_metric_match(change, ok):
    assert comparable(_reported(**change), _measured(), "aa") is ok
    assert reported_beside([_reported(**change)], _measured(), "AA") == (71.5 if ok else None)


def test_no_metric_measured_means_nothing_beside():
    assert not comparable(_reported(metric_id="FM"), _measured(), "fm")


def test_commands():
    assert run_command("olora", "wordnet-instruct", "standard", 0) == "clatlas repro run olora --benchmark wordnet-instruct --profile standard --seed 0"
    assert (
        sweep_command("olora", "wordnet-5x4", "standard", [0, 1, 2])
        == "clatlas repro sweep --methods olora --benchmarks wordnet-5x4 --seeds 0,1,2 --profile standard"
    )


def test_spearman_and_matching():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    olora = {"papers": ["wang2023orthogonal"], "names": ["O-LoRA"]}
    assert match("wang2023orthogonal", ["anything"], olora)
    assert match(None, ["o-lora"], olora)  # printed names match without case
    assert not match("other2024", ["IncLoRA"], olora)


def test_real_runs_rank_against_the_standard_benchmark(tmp_path):
    """On the committed data, the O-LoRA paper's T5-large table and the measured wordnet-5x4 runs share six methods."""
    pytest.importorskip("plotly")
    import json

    from catalog.build import build_database
    from catalog.paths import data_dir
    from webapp import charts, queries, rankcompare, reproview
    from webapp.database import Database

    db = build_database(data_dir(), tmp_path / "catalog.sqlite").path
    con = Database(db).connection()
    measured = reproview.measured_all(con)
    methods = queries.repro_methods(con)
    found = rankcompare.comparisons(con, measured, methods)
    std = [c for c in found if c.board_id == "standard-cl-benchmark/orders-1-3/AA" and c.backbone == "T5-large" and c.measured_benchmark == "wordnet-5x4"]
    assert len(std) == 1
    c = std[0]
    assert {"O-LoRA", "IncLoRA", "Replay", "EWC", "SeqFT", "SeqLoRA"} <= set(c.methods) and -1.0 <= c.rho <= 1.0
    assert c.literature_ranks[0] == 1.0  # the literature's best first
    fig = json.loads(charts.rank_agreement(found))
    assert "different backbones and data" in fig["layout"]["title"]["text"]
    assert any("ρ =" in a["text"] for a in fig["layout"]["annotations"])
    overview = json.loads(charts.measured_overview(measured, methods))
    assert "not the papers' setups" in overview["layout"]["title"]["text"] and len(overview["data"]) >= 4  # one bar series per benchmark run
    assert charts.rank_agreement([]) is None and charts.measured_overview([], methods) is None
