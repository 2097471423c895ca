"""Server-rendered HTML pages. Browsing, filtering and search work without JavaScript.

Handlers are plain ``def`` functions: FastAPI runs them in its threadpool,
where each thread holds its own read-only SQLite connection (SQLite releases
the GIL while it works, so threads do overlap). The paper list is the
exception: its work is mostly Python and numpy on in-memory data (the facet
index, the prebuilt cards; a search adds one FTS query and one page of rows),
so it runs on the event loop and saves the hop to a thread and back on the
busiest page.
"""

from __future__ import annotations

import math

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from catalog import read
from catalog.boards import backbone_key
from catalog.export import papers_to_bibtex
from catalog.taxonomy import AXES
from webapp import boardview, cards, charts, facetview, lookup, queries, rankcompare, reprosummary, reproview, resultgrid
from webapp.app import atlas_of
from webapp.boardfilter import parse_methods
from webapp.boardview import load_board, protocol_fields
from webapp.cards import REPRO_LINK_TITLES
from webapp.filters import FilterError, PaperFilter, parse_filter, parse_flags

router = APIRouter(include_in_schema=False)


def _no_params(request: Request) -> None:
    """Pages without parameters reject them too, so a typo is not silently ignored."""
    if request.query_params:
        raise FilterError([f"this page takes no query parameters (got {', '.join(sorted(set(request.query_params.keys())))})"])


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    _no_params(request)
    atlas = atlas_of(request)
    tax = atlas.vocab().taxonomy
    tree = atlas.cached("tree", lambda con: queries.taxonomy_tree(con, tax))
    sunburst = atlas.cached("chart:sunburst", lambda con: charts.sunburst(tree))
    counts = atlas.cached("counts", queries.counts)
    meta = atlas.cached("meta", queries.meta)
    extensions = [v for axis in AXES for v in tax.values[axis] if v.extension]
    return atlas.render(request, "home.html", tree=tree, counts=counts, meta=meta, sunburst=sunburst, PaperFilter=PaperFilter, tax=tax, extensions=extensions)


@router.get("/papers", response_class=HTMLResponse)
async def papers(request: Request) -> Response:
    atlas = atlas_of(request)
    vocab = atlas.vocab()
    f = parse_filter(request.query_params.multi_items(), vocab)
    con = atlas.con()
    total, keys, facets = atlas.index().search(con, f, with_facets=True)
    built = atlas.cards()
    if f.fts_query:  # a search marks its words in the cards: render them now (their placement paths are prebuilt)
        page_cards = cards.render_cards(atlas.env, vocab.taxonomy, queries.rows_for_keys(con, keys, f.q), built)
    else:  # no marks (f.unsearchable: the page says why q did nothing): the cards rendered once per build
        page_cards = [c for k in keys if (c := built.get(k)) is not None]
    pages = max(1, math.ceil(total / f.per_page))
    badges = atlas.cached("badges", lambda con: facetview.badges(vocab.taxonomy))
    sidebar = facetview.sidebar(f, facets or {}, vocab.taxonomy, REPRO_LINK_TITLES, badges)
    return atlas.render(request, "papers.html", f=f, total=total, cards=page_cards, sidebar=sidebar, pages=pages)


@router.get("/papers/{key}.bib")
def paper_bib(request: Request, key: str) -> Response:
    _no_params(request)
    papers = read.papers(atlas_of(request).con(), [key])
    if not papers:
        raise HTTPException(404, f"no paper with key {key!r}")
    return Response(
        papers_to_bibtex(papers), media_type="application/x-bibtex; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{key}.bib"'}
    )


@router.get("/papers/{key}", response_class=HTMLResponse)
def paper(request: Request, key: str) -> Response:
    _no_params(request)
    atlas = atlas_of(request)
    con = atlas.con()
    found = read.papers(con, [key])
    if not found:
        return _paper_not_found(request, key)
    p = found[0]
    tax = atlas.vocab().taxonomy
    results = queries.results_for_paper(con, key)
    repro = reproview.for_paper(atlas, con, key, results)
    extensions = [
        v for axis in AXES for value in dict.fromkeys(getattr(pl, axis) for pl in p.placements) if (v := tax.get(axis, value)) is not None and v.extension
    ]
    return atlas.render(
        request,
        "paper.html",
        p=p,
        tax=tax,
        results=results,
        repro=repro,
        extensions=extensions,
        grid=resultgrid.pivot(results, key),
        column_label=resultgrid.column_label,
        datasets=queries.datasets_of_paper(con, key),
        related=queries.related_papers(con, key),
        sources=p.sources,
        PaperFilter=PaperFilter,
    )


MAX_NAME = 120  # longer names are not looked up (no key, acronym or id is that long)


def _paper_not_found(request: Request, name: str) -> Response:
    """An acronym or arXiv id naming one paper redirects there; anything else is a 404 with the closest papers.

    The redirect's Location is relative (``/papers/<key>``), so it stays on
    whatever host and scheme the reader came through.
    """
    atlas = atlas_of(request)
    con = atlas.con()
    if len(name) <= MAX_NAME:
        key = lookup.exact_match(con, name)
        if key is not None:
            return RedirectResponse(f"/papers/{key}", status_code=302)
    near = lookup.suggestions(con, name[:MAX_NAME])
    return atlas.render(request, "error.html", 404, title="Not found", status=404, errors=[f"no paper with key {name!r}"], suggestions=near)


@router.get("/datasets", response_class=HTMLResponse)
def datasets(request: Request) -> Response:
    """Every dataset and benchmark; ``?table1=1``: only the survey's Table 1, one row per Table 1 row, every column."""
    flags = parse_flags(request.query_params.multi_items(), ("table1",))
    atlas = atlas_of(request)
    con = atlas.con()
    if flags["table1"]:
        return atlas.render(request, "datasets.html", table1=queries.table1_rows(con), datasets=None)
    return atlas.render(request, "datasets.html", datasets=queries.dataset_list(con), table1=None)


@router.get("/datasets/{ds_id}", response_class=HTMLResponse)
def dataset(request: Request, ds_id: str) -> Response:
    _no_params(request)
    atlas = atlas_of(request)
    d = queries.dataset_detail(atlas.con(), ds_id)
    if d is None:
        raise HTTPException(404, f"no dataset with id {ds_id!r}")
    return atlas.render(request, "dataset.html", d=d)


@router.get("/metrics", response_class=HTMLResponse)
def metrics(request: Request) -> Response:
    _no_params(request)
    atlas = atlas_of(request)
    return atlas.render(request, "metrics.html", metrics=queries.metric_list(atlas.con()))


@router.get("/leaderboards", response_class=HTMLResponse)
def leaderboards(request: Request) -> Response:
    _no_params(request)
    atlas = atlas_of(request)
    return atlas.render(request, "leaderboards.html", boards=queries.leaderboard_list(atlas.con()))


@router.get("/leaderboards/{lb_id:path}", response_class=HTMLResponse)
def leaderboard(request: Request, lb_id: str) -> Response:
    atlas = atlas_of(request)
    loaded = load_board(atlas.con(), lb_id, request.query_params.multi_items(), atlas.cached("board_vocab", queries.board_vocab))
    if loaded is None:
        raise HTTPException(404, f"no leaderboard {lb_id!r}")
    head, f, view = loaded
    axis = f"{head['metric_id']} ({head['column_labels'][view.rank_by]})"
    sota = charts.state_of_the_art(view, f"State of the art over time: best {axis} per year and backbone", axis)
    return atlas.render(request, "leaderboard.html", head=head, f=f, view=view, sota=sota, protocol_fields=protocol_fields, backbone_key=backbone_key)


@router.get("/compare", response_class=HTMLResponse)
def compare(request: Request) -> Response:
    """Two or more methods side by side on every board where one of them has a number."""
    atlas = atlas_of(request)
    con = atlas.con()
    methods = queries.method_list(con)
    chosen = parse_methods(request.query_params.multi_items(), methods)
    boards = boardview.compare(con, chosen) if len(chosen) >= 2 else []
    names = {m["key"]: m["name"] for m in methods}
    return atlas.render(request, "compare.html", methods=methods, chosen=chosen, names=names, boards=boards)


@router.get("/reproductions", response_class=HTMLResponse)
def reproductions(request: Request) -> Response:
    _no_params(request)
    atlas = atlas_of(request)
    return atlas.render(request, "reproductions.html", groups=reprosummary.summarise(queries.reproduction_list(atlas.con())))


@router.get("/charts", response_class=HTMLResponse)
def charts_page(request: Request) -> Response:
    _no_params(request)
    atlas = atlas_of(request)
    tax = atlas.vocab().taxonomy
    figs: dict[str, str | None] = {
        "per_year": atlas.cached("chart:per_year", lambda con: charts.papers_per_year(con, tax)),
        "per_quarter": atlas.cached("chart:per_quarter", lambda con: charts.papers_per_quarter(con, tax)),
        "heatmap": atlas.cached("chart:heatmap", lambda con: charts.family_increment_heatmap(con, tax)),
    }
    measured = atlas.cached("measured", reproview.measured_all)
    methods = atlas.cached("repro_methods", queries.repro_methods)
    figs["ranks"] = atlas.cached("chart:ranks", lambda con: charts.rank_agreement(rankcompare.comparisons(con, measured, methods)))
    figs["measured"] = atlas.cached("chart:measured", lambda con: charts.measured_overview(measured, methods))
    return atlas.render(request, "charts.html", figs=figs)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    """API reference rendered from the OpenAPI document on the server (no CDN-hosted Swagger UI)."""
    _no_params(request)
    atlas = atlas_of(request)
    spec = request.app.openapi()
    return atlas.render(request, "api_docs.html", spec=spec)
