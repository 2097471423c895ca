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
    mtil_average,
    mtil_transfer,
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
    a = [[40.0, None], [70.0, 90.0]]  # task 0 improved later: FM is negative (best earlier 40, final 70)
    a3 = [[40.0, 0, 0], [70.0, 60.0, 0], [65.0, 60.0, 50.0]]
    assert forgetting_measure(a3) == pytest.approx(((70 - 65) + (60 - 60)) / 2)
    assert backward_transfer(a3) == pytest.approx(((65 - 40) + (60 - 60)) / 2)
    assert compute_all(a)["FM"] == pytest.approx(40 - 70)


def test_compute_all_leaves_unavailable_metrics_none() -> None:
    out = compute_all([[70.0]])
    assert out["AA"] == 70.0 and out["AIA"] == 70.0
    assert out["FM"] is None and out["BWT"] is None and out["FWT"] is None and out["IM"] is None
    lower = [[80.0, None], [60.0, 90.0]]
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


def test_mtil_transfer_and_average() -> None:
    # Transfer = (a[0][1] + (a[0][2] + a[1][2]) / 2) / 2 = (10 + 25) / 2
    assert mtil_transfer(A) == pytest.approx(17.5)
    # Avg = mean of all nine entries
    assert mtil_average(A) == pytest.approx(sum(sum(r) for r in A) / 9)
    with pytest.raises(MetricInputError):
        mtil_transfer([[80.0, None], [60.0, 90.0]])  # zero-shot entry missing
    with pytest.raises(MetricInputError):
        mtil_transfer([[70.0]])
