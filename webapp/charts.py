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
    from urllib.parse import urlencode

    import plotly.graph_objects as go

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
    fig = go.Figure(
        go.Sunburst(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            customdata=data,
            branchvalues="total",
            hovertemplate="%{id}: %{customdata[1]} papers<extra></extra>",
        )
    )
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
    for tv in tax.values["technique"]:
        name = tv.label + (" (extension)" if tv.extension else "")
        fig.add_bar(name=name, x=labels, y=[counts.get((lb, tv.value), 0) for lb in labels])
    fig.update_layout(
        **_layout(
            barmode="stack",
            title="Papers per quarter of first appearance, by technique",
            xaxis_title="quarter of the first preprint (else year)",
            yaxis_title="papers",
            xaxis=dict(type="category"),
        )
    )
    return _json(fig)


def family_increment_heatmap(con: sqlite3.Connection, tax: Taxonomy) -> str:
    """How many papers sit on each (family, increment) pair."""
    import plotly.graph_objects as go

    got = {(f, i): n for f, i, n in queries.family_increment_counts(con)}
    fams, incs = tax.allowed("family"), tax.allowed("increment")
    z = [[got.get((f, i), 0) for i in incs] for f in fams]
    fig = go.Figure(
        go.Heatmap(z=z, x=incs, y=fams, colorscale="Blues", text=z, texttemplate="%{text}", hovertemplate="%{y} × %{x}: %{z} papers<extra></extra>")
    )
    fig.update_layout(**_layout(title="Model family × increment type", height=360))
    return _json(fig)


def rank_agreement(comparisons: list[Any]) -> str | None:
    """The literature's ordering of methods against the measured ordering of the same methods, one panel per comparison.

    Each panel is one board (benchmark, protocol, metric) and backbone against
    one harness benchmark (:mod:`webapp.rankcompare`); a point is a method at
    (its rank in the paper's table, its rank measured here), 1 = best, with
    Spearman's ρ in the panel title. The backbones and data differ on the two
    axes, and every title says so. ``None`` when no board and no measured
    benchmark share enough methods.
    """
    from plotly.subplots import make_subplots

    if not comparisons:
        return None
    cols = 2 if len(comparisons) > 1 else 1
    rows = (len(comparisons) + cols - 1) // cols
    titles = [
        f"{c.board_label} · {c.backbone}<br>vs measured {c.measured_benchmark} · {c.measured_backbone}: ρ = {c.rho:+.2f} (n = {len(c.methods)})"
        for c in comparisons
    ]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.12, vertical_spacing=0.5 / rows)
    for i, c in enumerate(comparisons):
        row, col = i // cols + 1, i % cols + 1
        n = len(c.methods)
        fig.add_scatter(x=[1, n], y=[1, n], mode="lines", line=dict(dash="dot", color="grey"), showlegend=False, hoverinfo="skip", row=row, col=col)
        fig.add_scatter(
            x=c.literature_ranks,
            y=c.measured_ranks,
            mode="markers+text",
            text=c.methods,
            textposition="top center",
            showlegend=False,
            customdata=list(zip(c.literature, c.measured)),
            hovertemplate="%{text}<br>reported " + c.metric + " %{customdata[0]:.1f} (rank %{x})"
            "<br>measured " + c.metric + " %{customdata[1]:.1f} (rank %{y})<extra></extra>",
            row=row,
            col=col,
        )
        fig.update_xaxes(title_text="rank in the paper's table", autorange="reversed", dtick=1, row=row, col=col)
        fig.update_yaxes(title_text="rank measured here", autorange="reversed", dtick=1, row=row, col=col)
    fig.update_annotations(font_size=11)
    fig.update_layout(
        **_layout(
            title="Method ordering: literature vs measured here (different backbones and data)",
            height=max(420, 380 * rows),
            margin=dict(l=60, r=20, t=110, b=50),
        )
    )
    return _json(fig)


def measured_overview(measured: list[Any], methods: dict[str, dict[str, Any]], metric: str = "aa") -> str | None:
    """Measured mean ± sample std of one metric per method (bars) and benchmark (one colour each), from the runs.

    ``None`` when nothing has been run. The numbers come from small backbones
    on WordNet benchmarks, and the title says so.
    """
    import plotly.graph_objects as go

    rows = [s for s in measured if metric in s.stats]
    if not rows:
        return None
    labels = {ref: m["label"] for ref, m in methods.items()}
    order = [ref for ref in methods if any(s.ref == ref for s in rows)] + sorted({s.method for s in rows if s.ref not in methods})
    fig = go.Figure()
    for bench in sorted({s.benchmark for s in rows}):
        pts = {(s.ref or s.method): s for s in rows if s.benchmark == bench}
        xs = [labels.get(r, r) for r in order if r in pts]
        stats = [pts[r].stats[metric] for r in order if r in pts]
        fig.add_bar(
            name=bench,
            x=xs,
            y=[st.mean for st in stats],
            error_y=dict(type="data", array=[st.std or 0.0 for st in stats]),
            customdata=[[st.n, pts[r].profile] for r, st in zip([r for r in order if r in pts], stats)],
            hovertemplate="%{x} on " + bench + ": %{y:.1f} ± %{error_y.array:.1f} (%{customdata[0]} seeds, %{customdata[1]} profile)<extra></extra>",
        )
    backbones = sorted({methods[s.ref]["backbone_label"] for s in rows if s.ref in methods})
    fig.update_layout(
        **_layout(
            barmode="group",
            title=f"Measured {metric.upper()} per method and benchmark (mean ± sample std over seeds): "
            f"{' / '.join(backbones) or 'harness backbones'} on WordNet benchmarks, not the papers' setups",
            yaxis_title=f"measured {metric.upper()}",
            height=460,
            margin=dict(l=50, r=20, t=70, b=110),
        )
    )
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
        fig.add_scatter(
            x=[p[0] for p in points],
            y=[p[1] for p in points],
            mode="lines+markers",
            name=backbone,
            text=[p[2] for p in points],
            hovertemplate="%{x}: %{y} (%{text})<extra>" + backbone.replace("<", "&lt;") + "</extra>",
        )
    fig.update_layout(**_layout(title=title, xaxis_title="year", yaxis_title=axis_title, height=360, xaxis=dict(dtick=1)))
    return _json(fig)
