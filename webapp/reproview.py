"""What runs for one paper: its link (exact / family / none), the methods that stand behind it, their measured numbers.

The paper page and ``/api/papers/{key}`` both call :func:`paper_reproduction`,
so the page shows exactly what the API returns. Measured numbers come from
:mod:`webapp.measured` (mean ± std over seeds; a reported number beside one
only where benchmark, protocol and metric match).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from webapp import queries
from webapp.measured import METRICS, Measured, reported_beside, run_command, summarise, sweep_command

# The metrics a paper's "what runs" table shows: accuracies, or log-perplexities for continual pre-training runs.
SHOWN_METRICS: tuple[str, ...] = ("AA", "BWT", "FM")
SHOWN_LOSS_METRICS: tuple[str, ...] = ("LP-AVG", "LP-BWT", "LP-GEN")


def for_paper(atlas: Any, con: sqlite3.Connection, key: str, results: list[dict[str, Any]]) -> dict[str, Any] | None:
    """:func:`paper_reproduction` with the per-build caches of ``atlas`` (a :class:`webapp.app.Atlas`)."""
    return paper_reproduction(
        con,
        key,
        results,
        atlas.cached("measured", measured_all),
        atlas.cached("repro_methods", queries.repro_methods),
        atlas.cached("repro_benchmarks", queries.repro_benchmarks),
        atlas.cached("meta", queries.meta),
    )


def measured_all(con: sqlite3.Connection) -> list[Measured]:
    """Every summary of the committed runs (cache it per database generation)."""
    return summarise(queries.reproduction_metrics(con))


def paper_reproduction(
    con: sqlite3.Connection,
    key: str,
    results: list[dict[str, Any]],
    measured: list[Measured],
    methods: dict[str, dict[str, Any]],
    benchmarks: dict[str, dict[str, Any]],
    meta: dict[str, str],
) -> dict[str, Any] | None:
    """The paper's link and one row per method × benchmark that stands behind it; ``None`` for a paper without a link."""
    link = queries.paper_link(con, key)
    if link is None:
        return None
    profile = meta.get("repro_profile") or "standard"
    seeds = json.loads(meta.get("repro_seeds") or "[0]")
    rows: list[dict[str, Any]] = []
    for ref in link["methods"]:
        m = methods.get(ref)
        if m is None:
            continue
        wanted = [link["benchmark"]] if link["benchmark"] else m["benchmarks"]
        ran = sorted((s for s in measured if s.ref == ref and s.benchmark in wanted), key=lambda s: (wanted.index(s.benchmark), s.profile))
        for s in ran:
            rows.append(_row(m, benchmarks, s.benchmark, s.profile, s.seeds, s, results))
        if not ran:
            rows.append(_row(m, benchmarks, wanted[0], profile, seeds, None, results))
    first = rows[0] if rows else None
    loss_only = any(r["measured"] for r in rows) and not any("AA" in (r["measured"] or {}) for r in rows)
    return {
        "kind": link["link"],
        "method": link["methods"][0] if link["methods"] else None,
        "methods": link["methods"],
        "benchmark": link["benchmark"] or (first["benchmark"] if first else None),
        "backbone": first["backbone"] if first else None,
        "note": link["note"],
        "family": link["family"],
        "family_label": link["family_label"],
        "reason": link["reason"],
        "reason_text": link["reason_text"],
        "label": link["label"],
        "stand_in_benchmark": link["benchmark"],
        "runs": rows,
        "metrics": list(SHOWN_LOSS_METRICS if loss_only else SHOWN_METRICS),
    }


def _row(
    m: dict[str, Any], benchmarks: dict[str, dict[str, Any]], benchmark: str, profile: str, seeds: list[int], s: Measured | None, results: list[dict[str, Any]]
) -> dict[str, Any]:
    bench = benchmarks.get(benchmark, {})
    return {
        "method": m["ref"],
        "method_id": m["method_id"],
        "label": m["label"],
        "approach": m["approach"],
        "backbone": m["backbone_label"],
        "backbone_note": m["backbone_note"],
        "benchmark": benchmark,
        "scenario": bench.get("scenario"),
        "benchmark_description": bench.get("description"),
        "profile": profile,
        "seeds": seeds,
        "measured": {METRICS[k]: {"mean": st.mean, "std": st.std, "n": st.n} for k, st in s.stats.items()} if s else None,
        "measured_text": {METRICS[k]: st.text(3 if METRICS[k].startswith("LP-") else 1) for k, st in s.stats.items()} if s else {},
        # a reported number beside a measured one only where benchmark, protocol and metric match (webapp.measured.comparable)
        "reported": {METRICS[k]: v for k in METRICS if s and (v := reported_beside(results, s, k)) is not None},
        "command": run_command(m["method_id"], benchmark, profile, seeds[0] if seeds else 0),
        "sweep_command": sweep_command(m["method_id"], benchmark, profile, seeds) if len(seeds) > 1 else None,
    }
