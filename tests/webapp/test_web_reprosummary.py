"""Reproduction runs summarised: mean ± sample std per method and benchmark, seeds behind a disclosure."""

from __future__ import annotations

import statistics

import pytest

pytest.importorskip("fastapi")

from support.webfixture import REPRO, client, fixture_db  # noqa: F401,E402

from webapp.reprosummary import mean_std, summarise  # noqa: E402


def _run(method: str, seed: int, aa: float | None, benchmark: str = "wordnet-5x4", scenario: str = "CIL") -> dict:
    return dict(
        method=method,
        benchmark=benchmark,
        scenario=scenario,
        profile="standard",
        seed=seed,
        aa=aa,
        bwt=-aa if aa else None,
        fwt=None,
        fm=None,
        wall_time_s=10.0 * (seed + 1),
        trainable_params=100,
        papers=[{"key": "k2024x", "title": "T"}],
        command="c",
    )


def test_mean_std_is_the_sample_std():
    s = mean_std([1.0, 2.0, None, 4.0])
    assert s.n == 3 and s.mean == pytest.approx(7 / 3) and s.std == pytest.approx(statistics.stdev([1.0, 2.0, 4.0]))
    one = mean_std([5.0])
    assert one.mean == 5.0 and one.std is None
    assert mean_std([None, None]) is None


def test_summarise_groups_by_benchmark_then_method():
    runs = [_run("seqft", 1, 12.0), _run("replay", 0, 50.0), _run("seqft", 0, 10.0), _run("seqft", 0, 80.0, "wordnet-5x4-til", "TIL")]
    groups = summarise(runs)
    assert [(g.benchmark, g.scenario) for g in groups] == [("wordnet-5x4", "CIL"), ("wordnet-5x4-til", "TIL")]
    cil = groups[0]
    assert [m.method for m in cil.methods] == ["replay", "seqft"]
    seqft = cil.methods[1]
    assert seqft.seeds == [0, 1] and seqft.stats["aa"].mean == 11.0 and seqft.stats["aa"].std == pytest.approx(2**0.5)
    assert seqft.stats["fwt"] is None and seqft.wall_time.mean == 15.0 and seqft.trainable_params == 100
    assert seqft.papers == [{"key": "k2024x", "title": "T"}]


def test_reproductions_page_shows_summary_and_seeds(client):
    html = client.get("/reproductions").text
    section = html.split('class="repro-group"')[1]
    assert REPRO["benchmark"] in section and "TIL · smoke profile" in section
    summary = section.split('<tr class="summary">')[1].split("</tr>")[0]
    assert REPRO["method"] in summary and "73.20" in summary and "±" not in summary  # one seed: no spread to show
    seeds = section.split('<tr class="seeds">')[1]
    assert "<details><summary>per seed (0)</summary>" in seeds and REPRO["command"] in seeds and "412 s" in seeds


def test_a_group_shows_the_metrics_its_runs_have():
    """Continual pre-training runs have log-perplexity metrics, not accuracies: their group shows those columns."""
    cpt = [
        dict(
            method="cpt-seq",
            benchmark="domains-cpt",
            scenario="DIL",
            profile="standard",
            seed=s,
            lp_avg=2.0 + s,
            lp_bwt=-0.1 * s,
            lp_gen=0.05,
            wall_time_s=1.0,
            papers=[],
            command="c",
        )
        for s in (0, 1)
    ]
    groups = summarise(cpt + [_run("seqft", 0, 10.0)])
    by_bench = {g.benchmark: g for g in groups}
    assert [m for m, _ in by_bench["domains-cpt"].metrics] == ["LP-AVG", "LP-BWT", "LP-GEN"]
    assert by_bench["domains-cpt"].methods[0].stats["lp_avg"].mean == 2.5
    assert [m for m, _ in by_bench["wordnet-5x4"].metrics] == ["AA", "BWT"]
