"""Log-perplexity metrics: directions, hand-computed values, and the perplexity evaluation in result files."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path
from typing import cast

import pytest
import yaml
from pydantic import ValidationError

from catalog import runfile as res
from catalog.metrics import METRICS, Evaluation, MetricInputError, compute, compute_all
from catalog.paths import REPO_ROOT

# l[i][j]: log-perplexity on domain j after training through domain i (3 domains); lower is better.
L = [
    [1.0, 3.0, 3.5],
    [1.5, 1.2, 3.2],
    [1.8, 1.4, 0.9],
]
LB = [2.0, 3.1, 3.4]
G = [2.0, 2.1, 2.3, 2.5]
LP_IDS = ("LP-AVG", "LP-LA", "LP-FM", "LP-BWT", "LP-FWT", "LP-GEN")


def test_loss_metrics_by_hand() -> None:
    m = compute(Evaluation(loss=L, loss_baseline=LB, loss_general=G))
    assert m["LP-AVG"] == pytest.approx((1.8 + 1.4 + 0.9) / 3)
    assert m["LP-LA"] == pytest.approx((1.0 + 1.2 + 0.9) / 3)
    # forgetting: final minus the best (lowest) value before the last stage
    assert m["LP-FM"] == pytest.approx(((1.8 - 1.0) + (1.4 - 1.2)) / 2)
    # backward transfer keeps BWT's sign: negative = forgetting
    assert m["LP-BWT"] == pytest.approx(((1.0 - 1.8) + (1.2 - 1.4)) / 2)
    # forward transfer: before-training loss minus the loss just before the domain is trained
    assert m["LP-FWT"] == pytest.approx(((3.1 - 3.0) + (3.4 - 3.2)) / 2)
    assert m["LP-GEN"] == pytest.approx(0.5)
    assert all(m[k] is None for k in ("AA", "AIA", "FM", "BWT", "FWT", "IM", "LA", "GA"))  # no score matrix


def test_directions_match_meaning_and_the_yaml() -> None:
    want = {"LP-AVG": "lower", "LP-LA": "lower", "LP-FM": "lower", "LP-BWT": "higher", "LP-FWT": "higher", "LP-GEN": "lower"}
    assert {k: METRICS[k].direction for k in LP_IDS} == want
    assert all(METRICS[k].source == "loss" for k in LP_IDS)
    yml = {m["id"]: m for m in yaml.safe_load((REPO_ROOT / "data" / "metrics.yaml").read_text())}
    for k, spec in METRICS.items():
        assert yml[k]["direction"] == spec.direction


def test_more_forgetting_scores_worse_on_every_loss_metric() -> None:
    worse = [row[:] for row in L]
    worse[2][0] += 1.0  # domain 0 ends harder to predict
    good, bad = compute(Evaluation(loss=L)), compute(Evaluation(loss=worse))
    for k in ("LP-AVG", "LP-FM", "LP-BWT"):
        g, b = good[k], bad[k]
        assert g is not None and b is not None, k
        better = g < b if METRICS[k].direction == "lower" else g > b
        assert better, k


def test_accuracy_metrics_unchanged_and_loss_metrics_absent() -> None:
    a = [[80.0, 10.0], [60.0, 90.0]]
    m = compute_all(a, [5.0, 15.0], None, [50.0, 40.0, 45.0])
    assert m["AA"] == 75.0 and m["BWT"] == -20.0 and m["FWT"] == -5.0 and m["GA"] == -5.0
    assert all(m[k] is None for k in LP_IDS)


def test_general_ability_comes_from_the_probe_for_either_kind_of_run() -> None:
    """A language-modelling run that answered the probe has GA, like an accuracy run; without a probe, neither has it."""
    m = compute(Evaluation(loss=L, loss_general=G, probe=[50.0, 45.0, 40.0, 37.5]))
    assert m["GA"] == pytest.approx(-12.5) and m["AA"] is None and m["LP-GEN"] == pytest.approx(0.5)
    assert METRICS["GA"].source == "probe" and METRICS["GA"].direction == "higher"
    assert compute(Evaluation(loss=L))["GA"] is None
    assert compute(Evaluation(loss=L, probe=[50.0]))["GA"] is None  # one score: no change to measure


def test_loss_inputs_are_checked() -> None:
    with pytest.raises(MetricInputError, match="score matrix or a loss matrix"):
        compute(Evaluation())
    with pytest.raises(MetricInputError):
        compute(Evaluation(loss=[[1.0, 2.0]]))
    m = compute(Evaluation(loss=[[1.0, None], [1.1, 0.9]], loss_baseline=[2.0, 2.0]))
    assert m["LP-FWT"] is None and m["LP-FM"] == pytest.approx(0.1)  # FWT needs the not-yet-trained cells


PPL = [[math.exp(v) for v in row] for row in L]


def ppl_scores(**kw: object) -> res.PerplexityScores:
    data: dict[str, object] = dict(
        matrix=PPL,
        baseline=[math.exp(v) for v in LB],
        tokens=[127 * 8] * 3,
        block_size=128,
        general=res.GeneralPerplexity(name="licenses", description="licence texts", tokens=1016, values=[math.exp(v) for v in G]),
    )
    data.update(kw)
    return res.PerplexityScores(**data)  # type: ignore[arg-type]


def make(**kw: object) -> res.ReproductionResult:
    ppl = cast(res.PerplexityScores, kw.pop("perplexity", ppl_scores()))
    data: dict[str, object] = dict(
        method="cpt-seq",
        papers=[],
        benchmark="domains-cpt",
        scenario="DIL",
        profile="smoke",
        seed=0,
        task_names=["syscalls", "git", "openssl"],
        config={},
        versions=res.Versions(python="3.11.0"),
        device="cpu",
        metrics=kw.pop("metrics") if "metrics" in kw else compute(ppl.evaluation()),
        trainable_params=1,
        total_params=2,
        wall_time_s=1.0,
        peak_memory_mb=1.0,
        command="clatlas repro run cpt-seq --benchmark domains-cpt",
        created=datetime(2026, 1, 1, tzinfo=timezone.utc),
        perplexity=ppl,
    )
    data.update(kw)
    return res.ReproductionResult(**data)  # type: ignore[arg-type]


def test_perplexity_result_round_trip(tmp_path: Path) -> None:
    r = make()
    assert r.accuracy_matrix is None and r.schema_version == 3
    assert r.metrics["LP-FM"] == pytest.approx(0.5) and r.metrics["AA"] is None
    path = res.write_result(r, tmp_path / "r.json")
    assert res.read_result(path) == r


def test_perplexity_result_validation() -> None:
    with pytest.raises(ValidationError, match="3 x 3"):
        make(perplexity=ppl_scores(matrix=PPL[:2]), metrics={})
    with pytest.raises(ValidationError, match="at least 1"):
        bad = [row[:] for row in PPL]
        bad[0][0] = 0.5
        make(perplexity=ppl_scores(matrix=bad))
    with pytest.raises(ValidationError, match="disagrees"):
        make(metrics={**compute(ppl_scores().evaluation()), "LP-AVG": 0.1})
    with pytest.raises(ValidationError, match="4 entries"):
        make(perplexity=ppl_scores(general=res.GeneralPerplexity(name="g", description="", tokens=1, values=[2.0])), metrics={})
    with pytest.raises(ValidationError, match="accuracy_matrix or a perplexity"):
        make(perplexity=None, metrics={})
