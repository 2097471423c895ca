"""Counts per taxonomy node, per year and per venue (``clatlas stats``)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from catalog.loader import Catalog
from catalog.taxonomy import AXES


def catalog_stats(cat: Catalog) -> dict[str, Any]:
    """Counts of papers (not placements) at every prefix of the taxonomy path.

    A paper placed twice under one node counts once there, as in the survey's Fig. 2.
    """
    nodes: dict[str, set[str]] = {}
    for key, rec in cat.papers.items():
        for pl in rec.paper.placements:
            path: list[str] = []
            for axis in AXES:
                path.append(getattr(pl, axis))
                nodes.setdefault("/".join(path), set()).add(key)
    years = Counter(rec.paper.year for rec in cat.papers.values())
    venues = Counter(rec.paper.venue for rec in cat.papers.values())
    kinds = Counter(rec.paper.kind for rec in cat.papers.values())
    return {
        "papers": len(cat.papers),
        "datasets": len(cat.datasets),
        "reported_results": sum(len(r.paper.results) for r in cat.papers.values()),
        "reproduction_runs": len(cat.runs),
        "kinds": dict(sorted(kinds.items())),
        "taxonomy": {k: len(v) for k, v in sorted(nodes.items())},
        "years": dict(sorted(years.items())),
        "venues": dict(sorted(venues.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def format_stats(stats: dict[str, Any], fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(stats, indent=2)
    lines = [
        f"papers: {stats['papers']}  datasets: {stats['datasets']}  reported results: {stats['reported_results']}  "
        f"reproduction runs: {stats['reproduction_runs']}",
        "",
        "by kind:",
        *(f"  {k:<10} {n:>5}" for k, n in stats["kinds"].items()),
        "",
        "by taxonomy node (setting/increment/family/technique):",
    ]
    for node, n in stats["taxonomy"].items():
        depth = node.count("/")
        lines.append(f"  {'  ' * depth}{node.rsplit('/', 1)[-1]:<{40 - 2 * depth}} {n:>5}")
    lines += ["", "by year:", *(f"  {y} {n:>5}" for y, n in stats["years"].items())]
    lines += ["", "by venue:", *(f"  {v:<50} {n:>5}" for v, n in stats["venues"].items())]
    return "\n".join(lines)
