"""The survey's continual-learning metrics (DESIGN.md §2), implemented once.

The reproductions, the catalog build and the web pages all call these
functions, so a number shown anywhere in the atlas was computed by the same
code. The module is pure Python on purpose: the catalog must not need numpy or
torch to compute a metric from a stored accuracy matrix.

Notation: ``a[i][j]`` is the accuracy on task ``j`` after training through
task ``i`` (0-based here, 1-based in the formulas), ``T`` tasks in all;
``b[j]`` is the accuracy on task ``j`` of the model before any CL training;
``a_star[j]`` is the accuracy of a reference model trained on task ``j`` alone
(or jointly). Entries ``a[i][j]`` with ``j > i`` (tasks not yet seen) are only
needed by FWT and may be ``None`` otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import isfinite

Matrix = Sequence[Sequence[float | None]]

METRIC_IDS: tuple[str, ...] = ("AA", "AIA", "FM", "BWT", "FWT", "IM")

# Benchmark-specific metrics that papers report and the catalog lists
# (data/metrics.yaml), defined here once; reproduction runs do not store them,
# so they stay out of METRIC_IDS and compute_all.
REPORTED_METRIC_IDS: tuple[str, ...] = ("MTIL-Transfer", "MTIL-Avg")
ALL_METRIC_IDS: tuple[str, ...] = METRIC_IDS + REPORTED_METRIC_IDS


class MetricInputError(ValueError):
    """The accuracy matrix or vectors do not have the shape a metric needs."""


def _check_square(a: Matrix) -> int:
    t = len(a)
    if t == 0:
        raise MetricInputError("accuracy matrix is empty")
    for i, row in enumerate(a):
        if len(row) != t:
            raise MetricInputError(f"accuracy matrix row {i} has {len(row)} entries, expected {t}")
        for j in range(i + 1):
            v = row[j]
            if v is None or not isfinite(v):
                raise MetricInputError(f"accuracy a[{i}][{j}] is missing or not finite")
    return t


def _check_vector(name: str, v: Sequence[float | None], t: int) -> None:
    if len(v) != t:
        raise MetricInputError(f"{name} has {len(v)} entries, expected {t}")


def average_accuracy(a: Matrix) -> float:
    """AA: mean accuracy over all tasks after training on the last one."""
    t = _check_square(a)
    return sum(a[t - 1][j] for j in range(t)) / t  # type: ignore[misc]


def average_incremental_accuracy(a: Matrix) -> float:
    """AIA: mean over stages of the average accuracy on the tasks seen so far."""
    t = _check_square(a)
    return sum(sum(a[i][j] for j in range(i + 1)) / (i + 1) for i in range(t)) / t  # type: ignore[misc]


def forgetting_measure(a: Matrix) -> float:
    """FM: mean over earlier tasks of the drop from their best to their final accuracy."""
    t = _check_square(a)
    if t < 2:
        raise MetricInputError("forgetting needs at least 2 tasks")
    drops = [max(a[i][j] for i in range(j, t - 1)) - a[t - 1][j] for j in range(t - 1)]  # type: ignore[type-var,operator]
    return sum(drops) / (t - 1)


def backward_transfer(a: Matrix) -> float:
    """BWT: mean change on earlier tasks between learning them and the end (negative = forgetting)."""
    t = _check_square(a)
    if t < 2:
        raise MetricInputError("backward transfer needs at least 2 tasks")
    return sum(a[t - 1][j] - a[j][j] for j in range(t - 1)) / (t - 1)  # type: ignore[operator]


def forward_transfer(a: Matrix, b: Sequence[float | None]) -> float:
    """FWT: mean gain on a task from the earlier tasks, before training on it, over the untrained model."""
    t = _check_square(a)
    if t < 2:
        raise MetricInputError("forward transfer needs at least 2 tasks")
    _check_vector("b (accuracy before CL training)", b, t)
    total = 0.0
    for j in range(1, t):
        before, base = a[j - 1][j], b[j]
        if before is None or base is None:
            raise MetricInputError(f"forward transfer needs a[{j - 1}][{j}] and b[{j}]")
        total += before - base
    return total / (t - 1)


def intransigence(a: Matrix, a_star: Sequence[float | None]) -> float:
    """IM: mean shortfall of just-learned accuracy against a reference model per task."""
    t = _check_square(a)
    _check_vector("a_star (reference accuracy)", a_star, t)
    if any(v is None for v in a_star):
        raise MetricInputError("intransigence needs a reference accuracy for every task")
    return sum(a_star[j] - a[j][j] for j in range(t)) / t  # type: ignore[operator]


def _check_full(a: Matrix) -> int:
    """The whole matrix, including a[i][j] for tasks j not yet learned at stage i."""
    t = _check_square(a)
    for i, row in enumerate(a):
        for j in range(i + 1, t):
            v = row[j]
            if v is None or not isfinite(v):
                raise MetricInputError(f"accuracy a[{i}][{j}] (task not yet learned) is missing or not finite")
    return t


def mtil_transfer(a: Matrix) -> float:
    """MTIL Transfer (ZSCL): mean over tasks 2..T of their accuracy at the stages before they are learned."""
    t = _check_full(a)
    if t < 2:
        raise MetricInputError("transfer needs at least 2 tasks")
    return sum(sum(a[i][j] for i in range(j)) / j for j in range(1, t)) / (t - 1)  # type: ignore[misc]


def mtil_average(a: Matrix) -> float:
    """MTIL Avg. (ZSCL): mean accuracy over every task at every stage, learned or not."""
    t = _check_full(a)
    return sum(sum(row) for row in a) / (t * t)  # type: ignore[arg-type]


def compute_all(
    a: Matrix,
    b: Sequence[float | None] | None = None,
    a_star: Sequence[float | None] | None = None,
) -> dict[str, float | None]:
    """Every metric that the given inputs allow; the others are ``None``.

    FWT needs ``b``, IM needs ``a_star``, and FM/BWT/FWT need two or more
    tasks. Missing inputs give ``None`` rather than an error, so a result file
    stores what could honestly be computed.
    """
    t = _check_square(a)
    out: dict[str, float | None] = {
        "AA": average_accuracy(a),
        "AIA": average_incremental_accuracy(a),
        "FM": forgetting_measure(a) if t >= 2 else None,
        "BWT": backward_transfer(a) if t >= 2 else None,
        "FWT": None,
        "IM": None,
    }
    if b is not None and t >= 2 and all(a[i - 1][i] is not None for i in range(1, t)):
        out["FWT"] = forward_transfer(a, b)
    if a_star is not None and all(v is not None for v in a_star):
        out["IM"] = intransigence(a, a_star)
    return out
