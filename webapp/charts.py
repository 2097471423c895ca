"""Plotly figures of the catalog, built server-side and rendered by the local plotly.js.

Figures are built with plotly's Python API and sent as JSON inside a
``<script type="application/json">`` block; ``static/atlas.js`` hands them
to the plotly.min.js that the ``plotly`` package ships (served from
``/static/plotly.min.js``, never a CDN). The data change only when the
database is rebuilt, so callers cache the JSON per database generation.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

from catalog.boards import BoardView, best_per_year
from catalog.taxonomy import Taxonomy
from webapp import queries


def plotly_js_path() -> Path:
    """The plotly.min.js bundled with the installed ``plotly`` package."""
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


@lru_cache(maxsize=1)
def plotly_js_gzip() -> bytes:
    """plotly.min.js gzip-compressed, computed once per process (about 1.4 MB from 4.8 MB)."""
    import gzip

    return gzip.compress(plotly_js_path().read_bytes(), compresslevel=9, mtime=0)


def _layout(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict(margin=dict(l=50, r=20, t=40, b=40), height=420, template="plotly_white")
    base.update(kw)
    return base


def _json(fig: Any) -> str:
    """Figure JSON that is safe inside a ``<script>`` element (no ``</`` or ``<!--``)."""
    return fig.to_json().replace("</", "<\\/").replace("<!--", "<\\u0021--")


def sunburst_values(node: dict[str, Any]) -> int:
    """A node's sector size: its paper count at a leaf, the sum of its children's sizes above.

    With ``branchvalues="total"`` plotly draws a child as its share of the
    parent, so a parent must be exactly the sum of its children. A node's
    distinct-paper count is smaller than that sum when a paper sits on two of
    its children (two techniques under one family), so sizes count
    placements and the hover shows the distinct papers. (The former
    "remainder" mode added each parent's own count on top of its children's,
    which inflated every inner ring.)
    """
    if not node["children"]:
        return node["count"]
    return sum(sunburst_values(child) for child in node["children"])


def sunburst(tree: list[dict[str, Any]]) -> str:
    """The taxonomy as a sunburst (the survey's Fig. 2); each node carries its list URL and its distinct-paper count."""
    import plotly.graph_objects as go
    from urllib.parse import urlencode

    ids, labels, parents, values, data = [], [], [], [], []

    def walk(node: dict[str, Any], parent: str) -> None:
        node_id = "/".join(node["path"].values())
        ids.append(node_id)
        labels.append(f"{node['value']}")
        parents.append(parent)
        values.append(sunburst_values(node))
        data.append(["/papers?" + urlencode(node["path"]), node["count"]])
        for child in node["children"]:
            walk(child, node_id)

    for node in tree:
        walk(node, "")
    fig = go.Figure(go.Sunburst(ids=ids, labels=labels, parents=parents, values=values, customdata=data, branchvalues="total",
                                hovertemplate="%{id}: %{customdata[1]} papers<extra></extra>"))
    fig.update_layout(**_layout(height=520, margin=dict(l=0, r=0, t=10, b=10)))
    return _json(fig)


def papers_per_year(con: sqlite3.Connection, tax: Taxonomy) -> str:
    """Papers per year, stacked by technique (a paper counts once per technique it uses)."""
    import plotly.graph_objects as go

    rows = queries.papers_per_year_by_technique(con)
    years = sorted({r[0] for r in rows})
    fig = go.Figure()
    for tech in tax.values["technique"]:
        by_year = {y: n for y, t, n in rows if t == tech.value}
        fig.add_bar(name=tech.label, x=years, y=[by_year.get(y, 0) for y in years])
    fig.update_layout(**_layout(barmode="stack", title="Papers per year by technique", xaxis_title="year", yaxis_title="papers"))
    return _json(fig)


def period_of(year: int, first_public: str | None) -> tuple[tuple[int, int], str]:
    """The timeline bucket of a paper: the quarter of its first preprint, else its year alone.

    Returns a sort key and a label. A paper whose first month is unknown sits
    in a year bucket just before that year's quarters, labelled as such,
    rather than being put in a quarter it may not belong to.
    """
    if first_public:
        y, m = int(first_public[:4]), int(first_public[5:7])
        q = (m - 1) // 3 + 1
        return (y, q), f"{y} Q{q}"
    return (year, 0), f"{year} (month unknown)"


def timeline_axis(periods: dict[tuple[int, int], str]) -> list[str]:
    """The timeline's labels in order, with every quarter between the first and the last.

    Empty quarters stay on the axis so that the spacing of the bars reads as
    time; year buckets (month unknown) appear only where they hold papers.
    """
    full = dict(periods)
    quarters = [k for k in periods if k[1]]
    if quarters:
        first, last = min(quarters), max(quarters)
        for y in range(first[0], last[0] + 1):
            for q in range(1, 5):
                if first <= (y, q) <= last:
                    full.setdefault((y, q), f"{y} Q{q}")
    return [full[k] for k in sorted(full)]


def papers_per_quarter(con: sqlite3.Connection, tax: Taxonomy) -> str:
    """Papers per quarter of first public appearance, stacked by technique (the "what came after the survey" view)."""
    import plotly.graph_objects as go

    counts: dict[tuple[str, str], int] = {}
    periods: dict[tuple[int, int], str] = {}
    for year, first_public, tech, n in queries.papers_per_first_public_by_technique(con):
        key, label = period_of(year, first_public)
        periods[key] = label
        counts[(label, tech)] = counts.get((label, tech), 0) + n
    labels = timeline_axis(periods)
    fig = go.Figure()
    for tech in tax.values["technique"]:
        name = tech.label + (" (extension)" if tech.extension else "")
        fig.add_bar(name=name, x=labels, y=[counts.get((lb, tech.value), 0) for lb in labels])
    fig.update_layout(**_layout(barmode="stack", title="Papers per quarter of first appearance, by technique",
                                xaxis_title="quarter of the first preprint (else year)", yaxis_title="papers",
                                xaxis=dict(type="category")))
    return _json(fig)


def family_increment_heatmap(con: sqlite3.Connection, tax: Taxonomy) -> str:
    """How many papers sit on each (family, increment) pair."""
    import plotly.graph_objects as go

    got = {(f, i): n for f, i, n in queries.family_increment_counts(con)}
    fams, incs = tax.allowed("family"), tax.allowed("increment")
    z = [[got.get((f, i), 0) for i in incs] for f in fams]
    fig = go.Figure(go.Heatmap(z=z, x=incs, y=fams, colorscale="Blues", text=z, texttemplate="%{text}",
                               hovertemplate="%{y} × %{x}: %{z} papers<extra></extra>"))
    fig.update_layout(**_layout(title="Model family × increment type", height=360))
    return _json(fig)


def reported_vs_reproduced(con: sqlite3.Connection) -> str:
    """Measured AA of each reproduction run against the paper's reported AA on the same benchmark."""
    import plotly.graph_objects as go

    rows = [r for r in queries.reported_vs_reproduced(con) if r["reported"] is not None]
    fig = go.Figure()
    if rows:
        fig.add_scatter(x=[r["reported"] for r in rows], y=[r["measured"] for r in rows], mode="markers",
                        text=[f"{r['paper_key']} on {r['benchmark']}" for r in rows], name="runs",
                        hovertemplate="%{text}<br>reported %{x:.1f}, measured %{y:.1f}<extra></extra>")
        lo = min(min(r["reported"], r["measured"]) for r in rows)
        hi = max(max(r["reported"], r["measured"]) for r in rows)
        fig.add_scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="y = x", line=dict(dash="dot", color="grey"))
    fig.update_layout(**_layout(title="Reported vs reproduced average accuracy (AA)", xaxis_title="reported AA",
                                yaxis_title="measured AA", height=420))
    return _json(fig)


def state_of_the_art(view: BoardView, title: str, axis_title: str) -> str | None:
    """Best value per year on a board, one line per backbone (ranks never cross backbones, nor do these lines).

    The year is that of the method's own paper when the catalog has it, else
    of the paper that reports the number; reference rows are left out.
    ``None`` when no ranked entry has a year.
    """
    import plotly.graph_objects as go

    series = best_per_year(view)
    if not series:
        return None
    fig = go.Figure()
    for backbone, points in series.items():
        fig.add_scatter(x=[p[0] for p in points], y=[p[1] for p in points], mode="lines+markers", name=backbone,
                        text=[p[2] for p in points], hovertemplate="%{x}: %{y} (%{text})<extra>" + backbone.replace("<", "&lt;") + "</extra>")
    fig.update_layout(**_layout(title=title, xaxis_title="year", yaxis_title=axis_title, height=360, xaxis=dict(dtick=1)))
    return _json(fig)
