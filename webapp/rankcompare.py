"""Does the literature's ordering of methods survive on our small setups? Rank agreement per board.

The measured numbers can never sit beside the reported ones (other
backbones, other data: see :mod:`webapp.measured`), but the *ordering* of
the same methods can be compared. For every board (benchmark, protocol,
metric) and backbone, the ranked entries that are one of the harness's
methods (matched by the catalog paper the method reproduces, or by a name
tables print for it, from methods.yaml) are paired with the measured means
of the same methods on each harness benchmark of the same metric; where at
least :data:`MIN_METHODS` methods are on both sides, the two orderings and
their Spearman rank correlation make one comparison. A method that a board
lists twice (a native row and a re-run) counts with its best-ranked entry.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from catalog.metrics import metric_key
from webapp import queries
from webapp.boardview import load_board
from webapp.measured import METRICS, Measured

MIN_METHODS = 4  # below this a rank correlation says next to nothing


@dataclass
class Comparison:
    """One board × backbone against one measured benchmark, on the methods both have."""

    board_id: str
    board_label: str
    metric: str
    direction: str
    backbone: str
    measured_benchmark: str
    measured_backbone: str
    methods: list[str]  # method labels, in the literature's order (best first)
    literature: list[float]
    measured: list[float]
    rho: float

    @property
    def literature_ranks(self) -> list[float]:
        return _ranks(self.literature, self.direction)

    @property
    def measured_ranks(self) -> list[float]:
        return _ranks(self.measured, self.direction)


def _ranks(values: list[float], direction: str) -> list[float]:
    import pandas as pd

    return [float(r) for r in pd.Series(values).rank(ascending=direction != "higher", method="average")]


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman's rank correlation (average ranks for ties), computed by pandas."""
    import pandas as pd

    return float(pd.Series(a).corr(pd.Series(b), method="spearman"))


def match(entry_paper: str | None, printed: list[str], method: dict[str, Any]) -> bool:
    """True when a board entry is this harness method: the paper it reproduces, or a name tables print for it."""
    if entry_paper and entry_paper in method["papers"]:
        return True
    names = {n.casefold() for n in method["names"]}
    return any(p.casefold() in names for p in printed)


def comparisons(con: sqlite3.Connection, measured: list[Measured], methods: dict[str, dict[str, Any]]) -> list[Comparison]:
    """Every board × backbone × measured benchmark with at least :data:`MIN_METHODS` methods in common."""
    by_bench: dict[tuple[str, str], dict[str, float]] = {}  # (benchmark, metric) -> {ref: mean}
    for s in measured:
        for metric, stat in s.stats.items():
            if s.ref in methods:
                by_bench.setdefault((s.benchmark, metric), {})[s.ref] = stat.mean
    out: list[Comparison] = []
    for board in queries.leaderboard_list(con):
        metric = metric_key(board["metric_id"])
        if metric not in METRICS:
            continue
        loaded = load_board(con, board["id"], [])
        if loaded is None:
            continue
        head, _, view = loaded
        label = _board_label(head)
        for section in view.sections:
            for (bench, m_metric), means in sorted(by_bench.items()):
                if m_metric != metric:
                    continue
                lit: dict[str, float] = {}
                for e in section.ranked:  # best first, so the first entry of a method is its best
                    value = e.value(view.rank_by)
                    for ref, meth in methods.items():
                        if ref in means and ref not in lit and value is not None and match(e.method_paper_key, e.printed_names + [e.method_name], meth):
                            lit[ref] = value
                common = [r for r in lit if r in means]
                if len(common) < MIN_METHODS:
                    continue
                a, b = [lit[r] for r in common], [means[r] for r in common]
                out.append(
                    Comparison(
                        board["id"],
                        label,
                        board["metric_id"],
                        board["direction"],
                        section.backbone,
                        bench,
                        methods[common[0]]["backbone_label"],
                        [methods[r]["label"] for r in common],
                        a,
                        b,
                        spearman(a, b),
                    )
                )
    return out


def _board_label(head: dict[str, Any]) -> str:
    proto = head.get("order_label") or (f"{head['num_tasks']} tasks" if head.get("num_tasks") else "")
    shots = f", {head['shots']}-shot" if head.get("shots") else ""
    return f"{head['benchmark_name']}" + (f" ({proto}{shots})" if proto or shots else "") + f", {head['metric_id']}"
