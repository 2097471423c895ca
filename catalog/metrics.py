"""The continual-learning metrics (the survey's §7 plus LA and GA), implemented once, as a registry.

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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import isfinite

Matrix = Sequence[Sequence[float | None]]


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


def learning_accuracy(a: Matrix) -> float:
    """LA: mean accuracy on each task right after learning it (plasticity; Riemer et al. 2019)."""
    t = _check_square(a)
    return sum(a[i][i] for i in range(t)) / t  # type: ignore[misc]


def general_ability_change(probe: Sequence[float | None]) -> float:
    """GA: score on a probe no task trains, after the last task minus before the first (TRACE's general-ability delta)."""
    if len(probe) < 2 or probe[0] is None or probe[-1] is None:
        raise MetricInputError("general-ability change needs the probe score before and after the stream")
    return probe[-1] - probe[0]  # type: ignore[operator]


@dataclass(frozen=True)
class Evaluation:
    """Everything a run measured, from which every metric is computed.

    ``matrix[i][j]``: score on task j after stage i; ``baseline[j]``: score of
    the untrained model; ``reference[j]``: a reference model's score (IM);
    ``probe[k]``: a general-ability probe before the stream (k = 0) and after
    each stage.
    """

    matrix: Matrix
    baseline: Sequence[float | None] | None = None
    reference: Sequence[float | None] | None = None
    probe: Sequence[float | None] | None = None


@dataclass(frozen=True)
class MetricSpec:
    """One metric: how to compute it, which way is better, and which inputs it needs beyond the matrix."""

    id: str
    compute: Callable[[Evaluation], float]
    direction: str  # higher | lower
    needs: tuple[str, ...] = ()
    min_tasks: int = 1

    def available(self, ev: Evaluation) -> bool:
        if len(ev.matrix) < self.min_tasks:
            return False
        return all(getattr(ev, n) is not None and all(v is not None for v in getattr(ev, n)) for n in self.needs)


METRICS: dict[str, MetricSpec] = {}


def register(spec: MetricSpec) -> MetricSpec:
    """Add a metric; ``data/metrics.yaml`` must define the same id with the same direction (the loader checks)."""
    if spec.id in METRICS:
        raise ValueError(f"metric {spec.id!r} registered twice")
    METRICS[spec.id] = spec
    return spec


register(MetricSpec("AA", lambda ev: average_accuracy(ev.matrix), "higher"))
register(MetricSpec("AIA", lambda ev: average_incremental_accuracy(ev.matrix), "higher"))
register(MetricSpec("FM", lambda ev: forgetting_measure(ev.matrix), "lower", min_tasks=2))
register(MetricSpec("BWT", lambda ev: backward_transfer(ev.matrix), "higher", min_tasks=2))
register(MetricSpec("FWT", lambda ev: forward_transfer(ev.matrix, ev.baseline or []), "higher", ("baseline",), min_tasks=2))
register(MetricSpec("IM", lambda ev: intransigence(ev.matrix, ev.reference or []), "lower", ("reference",)))
register(MetricSpec("LA", lambda ev: learning_accuracy(ev.matrix), "higher"))
register(MetricSpec("GA", lambda ev: general_ability_change(ev.probe or []), "higher", ("probe",)))

METRIC_IDS: tuple[str, ...] = tuple(METRICS)


def compute(ev: Evaluation) -> dict[str, float | None]:
    """Every registered metric that the evaluation's inputs allow; the others are ``None``."""
    _check_square(ev.matrix)
    if ev.baseline is not None and len(ev.matrix) >= 2 and any(ev.matrix[i - 1][i] is None for i in range(1, len(ev.matrix))):
        ev = Evaluation(ev.matrix, None, ev.reference, ev.probe)  # FWT needs the not-yet-seen cells
    return {mid: (spec.compute(ev) if spec.available(ev) else None) for mid, spec in METRICS.items()}


def compute_all(
    a: Matrix,
    b: Sequence[float | None] | None = None,
    a_star: Sequence[float | None] | None = None,
    probe: Sequence[float | None] | None = None,
) -> dict[str, float | None]:
    """Every metric that the given inputs allow; the others are ``None`` (see :func:`compute`).

    FWT needs ``b``, IM needs ``a_star``, GA needs ``probe``, and FM/BWT/FWT
    need two or more tasks. Missing inputs give ``None`` rather than an
    error, so a result stores what could honestly be computed.
    """
    return compute(Evaluation(a, b, a_star, probe))
