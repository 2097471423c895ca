"""The continual-learning metrics (the survey's §7, LA, GA and their log-perplexity forms), implemented once, as a registry.

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

Language-modelling streams (continual pre-training) measure a *loss*
instead: ``l[i][j]`` is the log-perplexity (mean negative log-likelihood in
nats per token) on held-out text of domain ``j`` after stage ``i``, where
lower is better. Their metrics are separate ids (``LP-*``) with their own
directions rather than a sign flag on the accuracy ones, so every id keeps
one meaning and one direction. A loss is a score with the sign flipped, so
the retention metrics reuse the accuracy functions on ``-l``: LP-FM is the
rise of each domain's loss above its best earlier value, LP-BWT and LP-FWT
keep BWT/FWT's sign convention (negative means forgetting, positive means
help). The level metrics (LP-AVG, LP-LA) and the general-text change
(LP-GEN) keep the loss's own sign, so they read as log-perplexities.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from math import isfinite

Matrix = Sequence[Sequence[float | None]]


class MetricInputError(ValueError):
    """The accuracy matrix or vectors do not have the shape a metric needs."""


# The metric functions index entries a[i][j] with j <= i, which _check_square has checked are numbers;
# mypy cannot carry that check over to the indexing, hence the type: ignore[operator,misc] comments below.
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
    return sum(a[t - 1][j] - a[j][j] for j in range(t - 1)) / (t - 1)  # type: ignore[operator,misc]


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
    return sum(a_star[j] - a[j][j] for j in range(t)) / t  # type: ignore[operator,misc]


def learning_accuracy(a: Matrix) -> float:
    """LA: mean accuracy on each task right after learning it (plasticity; Riemer et al. 2019)."""
    t = _check_square(a)
    return sum(a[i][i] for i in range(t)) / t  # type: ignore[misc]


def general_ability_change(probe: Sequence[float | None]) -> float:
    """GA: score on a probe no task trains, after the last task minus before the first (TRACE's general-ability delta)."""
    if len(probe) < 2 or probe[0] is None or probe[-1] is None:
        raise MetricInputError("general-ability change needs the probe score before and after the stream")
    return probe[-1] - probe[0]


def negated(m: Matrix) -> list[list[float | None]]:
    """``-m`` cell by cell (``None`` stays): turns a loss matrix into a score matrix."""
    return [[None if v is None else -v for v in row] for row in m]


def _neg(v: Sequence[float | None]) -> list[float | None]:
    return [None if x is None else -x for x in v]


@dataclass(frozen=True)
class Evaluation:
    """Everything a run measured, from which every metric is computed.

    ``matrix[i][j]``: score on task j after stage i; ``baseline[j]``: score of
    the untrained model; ``reference[j]``: a reference model's score (IM);
    ``probe[k]``: a general-ability probe before the stream (k = 0) and after
    each stage. A language-modelling run has ``loss[i][j]`` instead (log-
    perplexity on domain j after stage i, lower is better), ``loss_baseline``
    (the untrained model's) and ``loss_general[k]`` (held-out general text
    before the stream and after each stage). A run has a score matrix, a loss
    matrix or both; each metric reads one of them.
    """

    matrix: Matrix | None = None
    baseline: Sequence[float | None] | None = None
    reference: Sequence[float | None] | None = None
    probe: Sequence[float | None] | None = None
    loss: Matrix | None = None
    loss_baseline: Sequence[float | None] | None = None
    loss_general: Sequence[float | None] | None = None


@dataclass(frozen=True)
class MetricSpec:
    """One metric: how to compute it, which way is better, the matrix it reads and the other inputs it needs.

    ``source`` is ``matrix`` (scores, higher is better), ``loss``
    (log-perplexity, lower is better) or ``probe`` (a general-ability probe's
    scores, which both kinds of run can have); ``direction`` is the metric's
    own. ``min_tasks`` is the least length of the source (rows of a matrix,
    entries of the probe).
    """

    id: str
    compute: Callable[[Evaluation], float]
    direction: str  # higher | lower
    needs: tuple[str, ...] = ()
    min_tasks: int = 1
    source: str = "matrix"  # matrix | loss | probe

    def available(self, ev: Evaluation) -> bool:
        m = getattr(ev, self.source)
        if m is None or len(m) < self.min_tasks:
            return False
        return all(getattr(ev, n) is not None and all(v is not None for v in getattr(ev, n)) for n in self.needs)


METRICS: dict[str, MetricSpec] = {}
SOURCES: tuple[str, ...] = ("matrix", "loss", "probe")


def register(spec: MetricSpec) -> MetricSpec:
    """Add a metric; ``data/metrics.yaml`` must define the same id with the same direction (the loader checks)."""
    if spec.id in METRICS:
        raise ValueError(f"metric {spec.id!r} registered twice")
    if spec.direction not in ("higher", "lower") or spec.source not in SOURCES:
        raise ValueError(f"metric {spec.id!r}: direction must be higher/lower and source one of {SOURCES}")
    METRICS[spec.id] = spec
    return spec


# compute() runs only where available() found the matrix or loss (not None): the type: ignore[arg-type] below.
register(MetricSpec("AA", lambda ev: average_accuracy(ev.matrix), "higher"))  # type: ignore[arg-type]
register(MetricSpec("AIA", lambda ev: average_incremental_accuracy(ev.matrix), "higher"))  # type: ignore[arg-type]
register(MetricSpec("FM", lambda ev: forgetting_measure(ev.matrix), "lower", min_tasks=2))  # type: ignore[arg-type]
register(MetricSpec("BWT", lambda ev: backward_transfer(ev.matrix), "higher", min_tasks=2))  # type: ignore[arg-type]
register(MetricSpec("FWT", lambda ev: forward_transfer(ev.matrix, ev.baseline or []), "higher", ("baseline",), min_tasks=2))  # type: ignore[arg-type]
register(MetricSpec("IM", lambda ev: intransigence(ev.matrix, ev.reference or []), "lower", ("reference",)))  # type: ignore[arg-type]
register(MetricSpec("LA", lambda ev: learning_accuracy(ev.matrix), "higher"))  # type: ignore[arg-type]
# GA reads the probe alone, so a run of either kind (scores or losses) that answered the probe has it.
register(MetricSpec("GA", lambda ev: general_ability_change(ev.probe), "higher", ("probe",), min_tasks=2, source="probe"))  # type: ignore[arg-type]

# Log-perplexity (loss) metrics: the accuracy functions on the loss (levels) or on -loss (retention).
register(MetricSpec("LP-AVG", lambda ev: average_accuracy(ev.loss), "lower", source="loss"))  # type: ignore[arg-type]
register(MetricSpec("LP-LA", lambda ev: learning_accuracy(ev.loss), "lower", source="loss"))  # type: ignore[arg-type]
register(MetricSpec("LP-FM", lambda ev: forgetting_measure(negated(ev.loss)), "lower", min_tasks=2, source="loss"))  # type: ignore[arg-type]
register(MetricSpec("LP-BWT", lambda ev: backward_transfer(negated(ev.loss)), "higher", min_tasks=2, source="loss"))  # type: ignore[arg-type]
register(
    MetricSpec(
        "LP-FWT",
        lambda ev: forward_transfer(negated(ev.loss), _neg(ev.loss_baseline or [])),  # type: ignore[arg-type]
        "higher",
        ("loss_baseline",),
        min_tasks=2,
        source="loss",
    )
)
register(MetricSpec("LP-GEN", lambda ev: general_ability_change(ev.loss_general or []), "lower", ("loss_general",), source="loss"))

METRIC_IDS: tuple[str, ...] = tuple(METRICS)


def metric_key(metric_id: str) -> str:
    """The identifier-safe key of a metric: lower case, ``-`` as ``_`` (``LP-AVG`` → ``lp_avg``).

    Why: SQL column aliases, template variables and JSON keys of the web app
    need a plain identifier, and every layer must derive it the same way.
    """
    return metric_id.lower().replace("-", "_")


def _lacks_future_cells(m: Matrix) -> bool:
    return len(m) >= 2 and any(m[i - 1][i] is None for i in range(1, len(m)))


def compute(ev: Evaluation) -> dict[str, float | None]:
    """Every registered metric that the evaluation's inputs allow; the others are ``None``."""
    if ev.matrix is None and ev.loss is None:
        raise MetricInputError("an evaluation needs a score matrix or a loss matrix")
    if ev.matrix is not None:
        _check_square(ev.matrix)
        if ev.baseline is not None and _lacks_future_cells(ev.matrix):
            ev = replace(ev, baseline=None)  # FWT needs the not-yet-seen cells
    if ev.loss is not None:
        _check_square(ev.loss)
        if ev.loss_baseline is not None and _lacks_future_cells(ev.loss):
            ev = replace(ev, loss_baseline=None)
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
    return compute(Evaluation(matrix=a, baseline=b, reference=a_star, probe=probe))
