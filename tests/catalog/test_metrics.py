"""catalog.metrics on small matrices whose metrics were computed by hand."""

from __future__ import annotations

import pytest

from catalog.metrics import (
    MetricInputError,
    average_accuracy,
    average_incremental_accuracy,
    backward_transfer,
    compute_all,
    forgetting_measure,
    forward_transfer,
    intransigence,
)

# a[i][j]: accuracy on task j after training through task i (3 tasks).
A = [
    [80.0, 10.0, 20.0],
    [60.0, 90.0, 30.0],
    [50.0, 70.0, 85.0],
]
B = [5.0, 15.0, 25.0]
A_STAR = [85.0, 95.0, 90.0]


def test_hand_computed_values() -> None:
    # AA = (50 + 70 + 85) / 3
    assert average_accuracy(A) == pytest.approx(205 / 3)
    # AIA = (80 + (60+90)/2 + (50+70+85)/3) / 3 = (80 + 75 + 68.333..) / 3
    assert average_incremental_accuracy(A) == pytest.approx((80 + 75 + 205 / 3) / 3)
    # FM = ((max(80,60) - 50) + (max(90) - 70)) / 2 = (30 + 20) / 2
    assert forgetting_measure(A) == pytest.approx(25.0)
    # BWT = ((50-80) + (70-90)) / 2
    assert backward_transfer(A) == pytest.approx(-25.0)
    # FWT = ((a[0][1] - b[1]) + (a[1][2] - b[2])) / 2 = ((10-15) + (30-25)) / 2
    assert forward_transfer(A, B) == pytest.approx(0.0)
    # IM = ((85-80) + (95-90) + (90-85)) / 3
    assert intransigence(A, A_STAR) == pytest.approx(5.0)


def test_forgetting_uses_best_earlier_accuracy_not_first() -> None:
    a: list[list[float | None]] = [[40.0, None], [70.0, 90.0]]  # task 0 improved later: FM is negative (best earlier 40, final 70)
    a3 = [[40.0, 0, 0], [70.0, 60.0, 0], [65.0, 60.0, 50.0]]
    assert forgetting_measure(a3) == pytest.approx(((70 - 65) + (60 - 60)) / 2)
    assert backward_transfer(a3) == pytest.approx(((65 - 40) + (60 - 60)) / 2)
    assert compute_all(a)["FM"] == pytest.approx(40 - 70)


def test_compute_all_leaves_unavailable_metrics_none() -> None:
    out = compute_all([[70.0]])
    assert out["AA"] == 70.0 and out["AIA"] == 70.0
    assert out["FM"] is None and out["BWT"] is None and out["FWT"] is None and out["IM"] is None
    lower: list[list[float | None]] = [[80.0, None], [60.0, 90.0]]
    assert compute_all(lower, [10.0, 20.0])["FWT"] is None  # a[0][1] missing
    full = compute_all(A, B, A_STAR)
    assert full["FWT"] == pytest.approx(0.0) and full["IM"] == pytest.approx(5.0)


@pytest.mark.parametrize(
    "bad",
    [[], [[1.0, 2.0]], [[1.0], [2.0]], [[None, 1.0], [1.0, 1.0]], [[float("nan")]]],
)
def test_bad_matrices_rejected(bad: list) -> None:
    with pytest.raises(MetricInputError):
        average_accuracy(bad)


def test_vector_length_checked() -> None:
    with pytest.raises(MetricInputError):
        forward_transfer(A, [1.0, 2.0])
    with pytest.raises(MetricInputError):
        intransigence(A, [1.0, None, 2.0])


def test_learning_accuracy_and_general_ability() -> None:
    m = compute_all(A, B, None, [50.0, 40.0, 45.0, 20.0])
    assert m["LA"] == pytest.approx((80 + 90 + 85) / 3)
    assert m["GA"] == pytest.approx(20.0 - 50.0)
    assert compute_all(A)["GA"] is None  # no probe, no GA


def test_adding_a_metric_is_one_function_and_one_yaml_entry(mini_data) -> None:  # noqa: ANN001
    """The documented change (docs/architecture.md): register a spec, define it in metrics.yaml."""
    from catalog.loader import load_catalog
    from catalog.metrics import METRICS, Evaluation, MetricSpec, compute, register

    def final_minimum(ev: Evaluation) -> float:
        assert ev.matrix is not None  # compute() runs only where available() found the matrix
        return min(v for v in ev.matrix[-1] if v is not None)  # the last row is complete

    register(MetricSpec("MIN", final_minimum, "higher"))
    try:
        assert compute(Evaluation(A))["MIN"] == 50.0
        problems = load_catalog(mini_data).problems
        assert [p.entry for p in problems] == ["MIN"]  # implemented but not defined in data/metrics.yaml
        with open(mini_data / "metrics.yaml", "a", encoding="utf-8") as fh:
            fh.write(
                "- id: MIN\n  name: Final minimum\n  formula: min_j a[T][j]\n  direction: higher\n  unit: percent\n  description: The worst task at the end.\n"
            )
        assert load_catalog(mini_data).problems == []
    finally:
        del METRICS["MIN"]


def test_a_reported_only_metric_needs_no_implementation(mini_data) -> None:  # noqa: ANN001
    from catalog.loader import load_catalog

    entry = "- id: XT\n  name: Paper-only\n  formula: see paper\n  direction: higher\n  unit: percent\n  description: d.\n"
    with open(mini_data / "metrics.yaml", "a", encoding="utf-8") as fh:
        fh.write(entry)
    assert [p.field for p in load_catalog(mini_data).problems] == ["id"]  # no implementation
    text = (mini_data / "metrics.yaml").read_text(encoding="utf-8").replace("  description: d.\n", "  description: d.\n  reported_only: true\n")
    (mini_data / "metrics.yaml").write_text(text, encoding="utf-8")
    assert load_catalog(mini_data).problems == []


def test_adding_a_taxonomy_value_is_one_yaml_entry(mini_data) -> None:  # noqa: ANN001
    """A new technique only needs data/taxonomy.yaml; the schema reads the allowed values from it."""
    from catalog.loader import load_catalog

    paper = mini_data / "papers" / "wang2023orthogonal.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("technique: parameter-efficient", "technique: unlearning", 1), encoding="utf-8")
    assert any("unlearning" in p.message for p in load_catalog(mini_data).problems)
    tax = mini_data / "taxonomy.yaml"
    tax.write_text(
        tax.read_text(encoding="utf-8").replace(
            "      model-merging:\n",
            "      unlearning:\n        label: Unlearning\n        description: Forgetting on purpose.\n"
            "        extension: true\n        rationale: test value\n      model-merging:\n",
        ),
        encoding="utf-8",
    )
    from catalog.taxonomy import load_taxonomy

    load_taxonomy.cache_clear()
    assert load_catalog(mini_data).problems == []
