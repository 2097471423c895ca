"""Reproduction runs as a reader compares them: mean ± std over seeds, per method and benchmark.

Why: the runs table lists one row per seed, so three seeds of twenty
methods are sixty rows, and the spread that decides whether two methods
differ has to be worked out by hand. The page shows one row per method on
each benchmark (scenario and profile) with mean ± sample standard deviation,
the statistic the README's tables use (``reproductions/run_science.py``),
and keeps the per-seed rows behind a disclosure.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from catalog.metrics import metric_key

# The metric columns a group shows, in this order, when its runs have them: the accuracy metrics for
# classification and instruction runs, the log-perplexity ones for continual pre-training.
SHOWN = ("AA", "BWT", "FWT", "FM", "GA", "LP-AVG", "LP-BWT", "LP-FWT", "LP-FM", "LP-GEN")


@dataclass(frozen=True)
class Stat:
    mean: float
    std: float | None  # None with one value: no spread to report
    n: int


def mean_std(values: Iterable[float | None]) -> Stat | None:
    """Mean and sample standard deviation of the values that are present (``None`` when none is)."""
    got = [float(v) for v in values if v is not None]
    if not got:
        return None
    return Stat(statistics.fmean(got), statistics.stdev(got) if len(got) > 1 else None, len(got))


@dataclass
class MethodRuns:
    """One method's runs on one benchmark, scenario and profile."""

    method: str
    runs: list[dict[str, Any]]
    stats: dict[str, Stat | None] = field(default_factory=dict)
    wall_time: Stat | None = None

    @property
    def seeds(self) -> list[Any]:
        return [r["seed"] for r in self.runs]

    @property
    def trainable_params(self) -> int | None:
        values = {r.get("trainable_params") for r in self.runs} - {None}
        return values.pop() if len(values) == 1 else None

    @property
    def papers(self) -> list[dict[str, str]]:
        seen: dict[str, dict[str, str]] = {}
        for r in self.runs:
            for p in r.get("papers", []):
                seen.setdefault(p["key"], p)
        return list(seen.values())


@dataclass
class Group:
    benchmark: str
    scenario: str | None
    profile: str
    methods: list[MethodRuns]
    metrics: list[tuple[str, str]] = field(default_factory=list)  # (id, column) of the metrics any run has, in SHOWN order


def summarise(runs: Iterable[dict[str, Any]]) -> list[Group]:
    """Runs grouped by (benchmark, scenario, profile), then by method, with their statistics."""
    groups: dict[tuple[str, str | None, str], dict[str, list[dict[str, Any]]]] = {}
    for r in runs:
        groups.setdefault((r["benchmark"], r.get("scenario"), r["profile"]), {}).setdefault(r["method"], []).append(r)
    out = []
    for (benchmark, scenario, profile), by_method in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
        methods = []
        for method in sorted(by_method, key=str.casefold):
            seeds = sorted(by_method[method], key=lambda r: (r["seed"] is None, r["seed"]))
            methods.append(
                MethodRuns(
                    method, seeds, {metric_key(m): mean_std(r.get(metric_key(m)) for r in seeds) for m in SHOWN}, mean_std(r.get("wall_time_s") for r in seeds)
                )
            )
        shown = [(m, metric_key(m)) for m in SHOWN if any(r.get(metric_key(m)) is not None for mr in methods for r in mr.runs)]
        out.append(Group(benchmark, scenario, profile, methods, shown))
    return out
