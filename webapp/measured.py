"""Measured numbers of the reproductions: summaries over seeds, and when one may sit beside a reported number.

Why one module: the paper page, the API and the charts all show measured
numbers, and all must follow the same two rules.

1. A measured number is a mean ± sample standard deviation over the seeds of
   one method on one benchmark with one profile (:func:`summarise`, pandas).
2. It sits beside a reported number only when benchmark, protocol and metric
   match (:func:`comparable`): the same benchmark id, the same metric, the
   same number of tasks, and a reported row with no named task order and no
   shot count (the runs have neither). Today no reported result passes: the
   runs are MiniLM and SmolLM2 on WordNet benchmarks, which no paper reports.
   Otherwise a page shows what was run and its measured numbers on their own,
   labelled as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from catalog.metrics import METRIC_IDS, metric_key

# Every registered metric by its key (``aa``, ``lp_avg``): the columns of queries.reproduction_metrics.
METRICS: dict[str, str] = {metric_key(mid): mid for mid in METRIC_IDS}
KEYS: tuple[str, ...] = ("method_kind", "method", "benchmark", "profile")


@dataclass(frozen=True)
class Stat:
    """Mean ± sample std of one metric over ``n`` seeds (std is None for a single seed)."""

    mean: float
    std: float | None
    n: int

    def text(self, digits: int = 1) -> str:
        if self.std is None:
            return f"{self.mean:.{digits}f} (1 seed)"
        return f"{self.mean:.{digits}f} ± {self.std:.{digits}f}"


@dataclass
class Measured:
    """One method on one benchmark with one profile, over its seeds."""

    method_kind: str | None
    method: str
    benchmark: str
    profile: str
    seeds: list[int]
    num_tasks: int | None
    stats: dict[str, Stat] = field(default_factory=dict)

    @property
    def ref(self) -> str | None:
        return f"{self.method_kind}/{self.method}" if self.method_kind else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "method_kind": self.method_kind,
            "method": self.method,
            "benchmark": self.benchmark,
            "profile": self.profile,
            "seeds": self.seeds,
            "num_tasks": self.num_tasks,
            "metrics": {METRICS[m]: {"mean": s.mean, "std": s.std, "n": s.n} for m, s in self.stats.items()},
        }


def summarise(runs: Iterable[dict[str, Any]]) -> list[Measured]:
    """Mean ± sample std per (kind, method, benchmark, profile), from reproduction rows (``queries.reproduction_metrics``)."""
    import pandas as pd

    df = pd.DataFrame(list(runs))
    if df.empty:
        return []
    df["method_kind"] = df["method_kind"].fillna("")
    out: list[Measured] = []
    for key, group in df.groupby(list(KEYS), sort=True):
        kind, method, benchmark, profile = key
        tasks = group["num_tasks"].dropna().unique()
        m = Measured(kind or None, method, benchmark, profile, sorted(int(s) for s in group["seed"]), int(tasks[0]) if len(tasks) == 1 else None)
        for metric in METRICS:
            if metric not in group:
                continue
            values = group[metric].dropna()
            if len(values):
                m.stats[metric] = Stat(float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else None, int(len(values)))
        out.append(m)
    return out


def comparable(reported: dict[str, Any], measured: Measured, metric: str) -> bool:
    """True when a reported number and a measured one share benchmark, protocol and metric (the one rule)."""
    return (
        reported.get("benchmark_id") == measured.benchmark
        and metric_key(reported.get("metric_id") or "") == metric_key(metric)
        and metric_key(metric) in measured.stats
        and reported.get("num_tasks") is not None
        and reported.get("num_tasks") == measured.num_tasks
        and reported.get("task_order") is None
        and reported.get("shots") is None
        and not reported.get("reference")
    )


def reported_beside(results: list[dict[str, Any]], measured: Measured, metric: str) -> float | None:
    """The reported number that may sit beside ``measured`` for ``metric``, if any."""
    for r in results:
        if comparable(r, measured, metric):
            return float(r["value"])
    return None


def run_command(method: str, benchmark: str, profile: str, seed: int) -> str:
    """The command that runs one seed (what ``clatlas repro run`` records, without device flags)."""
    return f"clatlas repro run {method} --benchmark {benchmark} --profile {profile} --seed {seed}"


def sweep_command(method: str, benchmark: str, profile: str, seeds: list[int]) -> str:
    """The command that runs every seed of a summary at once (skipping seeds already run)."""
    return f"clatlas repro sweep --methods {method} --benchmarks {benchmark} --seeds {','.join(map(str, seeds))} --profile {profile}"
