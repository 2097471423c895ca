"""JSON API under ``/api`` and the exports under ``/export``, mirroring the pages.

Query parameters are declared here so that they appear in the OpenAPI
document (``/api/openapi.json``, rendered at ``/api/docs``), but the values
are always parsed by :func:`webapp.filters.parse_filter`, the parser the
HTML list uses, so the API, the exports and the pages cannot drift apart.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from catalog import read
from catalog.boards import VERIFIED
from catalog.export import paper_public_dict
from catalog.exportformats import ExportFormat, web_formats
from webapp import queries, reproview
from webapp.app import atlas_of
from webapp.boardfilter import parse_methods
from webapp.boardview import board_csv, board_json, compare, load_board
from webapp.filters import LIST_PARAMS, MAX_PAGE, MAX_PER_PAGE, MAX_Q, SORTS, YEAR_RANGE, FilterError, PaperFilter, parse_filter


class ErrorOut(BaseModel):
    detail: Any
    errors: list[str] = []


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Unknown filter value or malformed parameter; `errors` says which."},
}
EXPORT_ERRORS: dict[int | str, dict[str, Any]] = {  # errors are JSON even where the export is not
    400: {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        "description": "Unknown filter value or malformed parameter.",
    },
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "No such item."}}
EXPORT_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}, "description": "No such item."},
}

router = APIRouter()
AxisValues = Annotated[list[str] | None, Query(description="taxonomy value(s); repeat for OR (see /api/taxonomy)")]


def paper_filter(
    request: Request,
    setting: AxisValues = None,
    increment: AxisValues = None,
    family: AxisValues = None,
    technique: AxisValues = None,
    venue: Annotated[list[str] | None, Query(description="venue label(s) exactly as listed, e.g. 'Findings of EMNLP 2023'")] = None,
    kind: Annotated[list[str] | None, Query(description="paper kind(s): method, benchmark, study, survey, tool")] = None,
    dataset: Annotated[list[str] | None, Query(description="dataset id(s) the paper uses (see /api/datasets)")] = None,
    reproduction: Annotated[
        list[str] | None,
        Query(
            description="link kind(s) to the reproductions: exact (its own method runs), family (a reference reproduction of its technique stands in) or none"
        ),
    ] = None,
    year_min: Annotated[int | None, Query(ge=YEAR_RANGE[0], le=YEAR_RANGE[1])] = None,
    year_max: Annotated[int | None, Query(ge=YEAR_RANGE[0], le=YEAR_RANGE[1])] = None,
    has_code: Annotated[bool | None, Query(description="only papers with (true) or without (false) official code")] = None,
    has_reproduction: Annotated[bool | None, Query(description="only papers with (true) or without (false) a reproduction")] = None,
    in_survey: Annotated[bool | None, Query(description="only papers the survey lists (true) or papers added beyond it (false)")] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_Q,
            description="full-text search over title, survey acronym, authors, aliases, arXiv ids and summary "
            "(words are ANDed, each also matches as a prefix; a-b or 2310.15694 is one phrase)",
        ),
    ] = None,
    sort: Annotated[str | None, Query(description=f"one of {', '.join(SORTS)}; default: relevance when q is given, else -year")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 25,
) -> PaperFilter:
    """Declared for the OpenAPI document; the values are parsed by the shared parser."""
    return parse_filter(request.query_params.multi_items(), atlas_of(request).vocab(), allow=("facets",))


Filter = Annotated[PaperFilter, Depends(paper_filter)]


@router.get("/api/papers", tags=["papers"], responses=ERRORS)
def api_papers(
    request: Request, f: Filter, facets: Annotated[bool, Query(description="include facet counts for the current filter")] = False
) -> dict[str, Any]:
    """Papers matching the filters, one page at a time, with the total count."""
    atlas = atlas_of(request)
    con = atlas.con()
    total, keys, facet_values = atlas.index().search(con, f, with_facets=facets)
    out: dict[str, Any] = {
        "total": total,
        "page": f.page,
        "per_page": f.per_page,
        "pages": max(1, math.ceil(total / f.per_page)),
        "filters": dict(_group(f.params(paging=False))),
        "papers": [paper_public_dict(p) for p in read.papers(con, keys)],
    }
    if f.unsearchable:
        out["notice"] = f"q {f.q!r} has no word to search for (letters or digits), so it does not narrow the list"
    if f.notices:
        out["notices"] = list(f.notices)
    if facets:
        out["facets"] = {
            name: [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected} for v in vals] for name, vals in (facet_values or {}).items()
        }
    return out


def _group(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return {k: v if len(v) > 1 or k in LIST_PARAMS else v[0] for k, v in out.items()}


@router.get("/api/papers/{key}", tags=["papers"], responses=NOT_FOUND)
def api_paper(request: Request, key: Annotated[str, Path(max_length=200)]) -> dict[str, Any]:
    """One paper with its reported results, reproductions and related papers."""
    con = atlas_of(request).con()
    found = read.papers(con, [key])
    if not found:
        raise HTTPException(404, f"no paper with key {key!r}")
    out = paper_public_dict(found[0])
    results = queries.results_for_paper(con, key)
    out["results"] = [_result(r) for r in results]
    out["reproductions"] = [_repro(r) for r in queries.reproductions_for_paper(con, key)]
    out["reproduction"] = _reproduction(reproview.for_paper(atlas_of(request), con, key, results))
    out["related"] = [{"key": r["key"], "title": r["title"], "year": r["year"], "shared_paths": r["shared"]} for r in queries.related_papers(con, key)]
    return out


RESULT_FIELDS = (
    "id",
    "paper_key",
    "benchmark_id",
    "task_order",
    "task_order_printed",
    "order_group",
    "num_tasks",
    "shots",
    "backbone",
    "method",
    "method_key",
    "method_name",
    "method_paper_key",
    "native",
    "reference",
    "metric_id",
    "value",
    "table_ref",
    "note",
    "provenance",
    "also_in",
    "seeds",
    "hardware",
    "batch_size",
    "leaderboard",
)


def _result(r: dict[str, Any]) -> dict[str, Any]:
    """A reported number as the API shows it: provenance, reference flag, reprints and protocol details included."""
    import json

    d = {k: r.get(k) for k in RESULT_FIELDS}
    d["native"], d["reference"] = bool(d["native"]), bool(d["reference"])
    d["also_in"] = json.loads(r.get("also_in_json") or "[]")
    d["verified"] = d["provenance"] == VERIFIED
    return d


def _reproduction(r: dict[str, Any] | None) -> dict[str, Any] | None:
    """The paper's link (kind: exact / family / none), its primary method, benchmark and backbone, the note, and what runs."""
    if r is None:
        return None
    runs = [{k: v for k, v in run.items() if k != "measured_text"} for run in r["runs"]]
    return {**{k: v for k, v in r.items() if k != "runs"}, "runs": runs}


def _repro(r: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "id",
        "method",
        "benchmark",
        "scenario",
        "profile",
        "seed",
        "aa",
        "aia",
        "fm",
        "bwt",
        "fwt",
        "im",
        "metrics",
        "trainable_params",
        "total_params",
        "wall_time_s",
        "peak_memory_mb",
        "command",
        "created",
        "device",
        "matrix",
        "task_names",
        "papers",
    )
    return {k: r.get(k) for k in keep if k in r}


@router.get("/api/taxonomy", tags=["taxonomy"])
def api_taxonomy(request: Request) -> dict[str, Any]:
    """The four axes with their values, and the setting → increment → family → technique tree with paper counts.

    A value with ``extension: true`` is CL Atlas's own addition beyond the survey's taxonomy; its ``rationale`` says why."""
    atlas = atlas_of(request)
    tax = atlas.vocab().taxonomy
    tree = atlas.cached("tree", lambda con: queries.taxonomy_tree(con, tax))
    axes = {
        axis: [
            {
                "value": v.value,
                "label": v.label,
                "description": v.description,
                **({"setting": v.setting} if v.setting else {}),
                "extension": v.extension,
                **({"rationale": v.rationale} if v.extension else {}),
            }
            for v in vals
        ]
        for axis, vals in tax.values.items()
    }
    return {"axes": axes, "tree": tree}


@router.get("/api/datasets", tags=["datasets"])
def api_datasets(request: Request) -> list[dict[str, Any]]:
    """Every dataset and benchmark with its survey Table 1 rows and usage counts."""
    return queries.dataset_list(atlas_of(request).con())


@router.get("/api/datasets/{ds_id}", tags=["datasets"], responses=NOT_FOUND)
def api_dataset(request: Request, ds_id: Annotated[str, Path(max_length=200)]) -> dict[str, Any]:
    d = queries.dataset_detail(atlas_of(request).con(), ds_id)
    if d is None:
        raise HTTPException(404, f"no dataset with id {ds_id!r}")
    d.pop("source_path", None)
    return d


@router.get("/api/metrics", tags=["metrics"])
def api_metrics(request: Request) -> list[dict[str, Any]]:
    """The CL metrics: definition, formula, direction (higher/lower is better), unit."""
    return queries.metric_list(atlas_of(request).con())


def _check_known(name: str, value: str | None, known: frozenset[str]) -> list[str]:
    if value is None or value in known:
        return []
    from catalog.taxonomy import suggest

    near = suggest(value, sorted(known))
    return [f"{value!r} is not a known {name}" + (f"; did you mean {near!r}?" if near else "")]


@router.get("/api/results", tags=["results"], responses={**ERRORS, **NOT_FOUND})
def api_results(
    request: Request,
    benchmark: Annotated[str | None, Query(description="dataset id of the benchmark; empty: any")] = None,
    metric: Annotated[str | None, Query(description="metric id, e.g. AA; empty: any")] = None,
    leaderboard: Annotated[str | None, Query(description="leaderboard id (benchmark + protocol + metric); empty: any")] = None,
    paper: Annotated[str | None, Query(max_length=200, description="key of the reporting paper (404 when the catalog has no such paper); empty: any")] = None,
    native: Annotated[bool | None, Query(description="true: the paper's own method; false: re-run baselines")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Reported results with provenance, filterable by benchmark, metric, leaderboard and paper."""
    atlas = atlas_of(request)
    known = atlas.cached("result_vocab", queries.result_vocab)
    benchmark, metric, leaderboard, paper = (v or None for v in (benchmark, metric, leaderboard, paper))  # empty form field: any
    errors = (
        _check_known("benchmark", benchmark, known["benchmark"])
        + _check_known("metric", metric, known["metric"])
        + _check_known("leaderboard", leaderboard, known["leaderboard"])
    )
    allowed = {"benchmark", "metric", "leaderboard", "paper", "native", "page", "per_page"}
    errors += [f"unknown parameter {k!r}" for k in request.query_params if k not in allowed]
    if errors:
        raise FilterError(errors)
    if paper is not None and paper not in known["paper"]:
        raise HTTPException(404, _check_known("paper", paper, known["paper"])[0])
    total, rows = queries.result_list(
        atlas.con(), benchmark=benchmark, metric=metric, leaderboard=leaderboard, paper=paper, native=native, limit=per_page, offset=(page - 1) * per_page
    )
    return {"total": total, "page": page, "per_page": per_page, "results": [_result(r) for r in rows]}


@router.get("/api/leaderboards", tags=["leaderboards"], responses=ERRORS)
def api_leaderboards(
    request: Request,
    benchmark: Annotated[str | None, Query(description="dataset id of the benchmark; empty: any")] = None,
    metric: Annotated[str | None, Query(description="metric id, e.g. AA; empty: any")] = None,
) -> list[dict[str, Any]]:
    """One entry per board (benchmark + task-order group + shots + metric), with its columns and size."""
    atlas = atlas_of(request)
    known = atlas.cached("result_vocab", queries.result_vocab)
    benchmark, metric = benchmark or None, metric or None
    errors = _check_known("benchmark", benchmark, known["benchmark"]) + _check_known("metric", metric, known["metric"])
    errors += [f"unknown parameter {k!r}" for k in request.query_params if k not in ("benchmark", "metric")]
    if errors:
        raise FilterError(errors)
    return queries.leaderboard_list(atlas.con(), benchmark=benchmark, metric=metric)


def _board(request: Request, lb_id: str) -> tuple[dict[str, Any], Any, Any]:
    loaded = load_board(atlas_of(request).con(), lb_id, request.query_params.multi_items(), atlas_of(request).cached("board_vocab", queries.board_vocab))
    if loaded is None:
        raise HTTPException(404, f"no leaderboard {lb_id!r}")
    return loaded


BackboneQ = Annotated[
    list[str] | None, Query(description="only these backbone(s); ranks are always within one backbone; a backbone of another board selects nothing")
]
VerifiedQ = Annotated[bool | None, Query(description="true: only numbers read in the paper's own text (provenance paper-text)")]
HasCodeQ = Annotated[bool | None, Query(description="only entries whose method's paper has (true) or lacks (false) a code URL")]
RankByQ = Annotated[
    str | None,
    Query(description="the column that ranks: an order, avg, or value (default: avg when the board has it); a column this board lacks ranks no entry"),
]


@router.get("/api/leaderboards/{lb_id:path}", tags=["leaderboards"], responses={**NOT_FOUND, **ERRORS})
def api_leaderboard(
    request: Request, lb_id: str, backbone: BackboneQ = None, verified: VerifiedQ = None, has_code: HasCodeQ = None, rank_by: RankByQ = None
) -> dict[str, Any]:
    """A board: per backbone, ranked entries, unranked entries and reference rows, each with provenance and protocol details."""
    return board_json(*_board(request, lb_id))


@router.get("/api/methods", tags=["leaderboards"])
def api_methods(request: Request) -> list[dict[str, Any]]:
    """Every method on the boards (keys for /api/compare): one per catalog paper, else per printed name."""
    return queries.method_list(atlas_of(request).con())


@router.get("/api/compare", tags=["leaderboards"], responses=ERRORS)
def api_compare(
    request: Request, method: Annotated[list[str], Query(description="two or more different method keys from /api/methods")]
) -> list[dict[str, Any]]:
    """Methods side by side on every board where one of them has a number, per backbone, with their ranks on the board."""
    con = atlas_of(request).con()
    chosen = parse_methods(request.query_params.multi_items(), queries.method_list(con))
    if len(chosen) < 2:
        raise FilterError(["give at least two different methods (method=<key>, repeated; see /api/methods)"])
    return compare(con, chosen)


@router.get("/api/reproductions", tags=["reproductions"])
def api_reproductions(request: Request) -> list[dict[str, Any]]:
    """Reproduction runs: method, benchmark, measured metrics, runtime and the command that ran them."""
    return [_repro(r) for r in queries.reproduction_list(atlas_of(request).con())]


# --------------------------------------------------------------------------- exports


class CSVResponse(Response):
    media_type = "text/csv"


class JSONTextResponse(Response):
    """Already-serialised JSON (the export's own formatting), sent as is."""

    media_type = "application/json"


def _export(request: Request, f: PaperFilter, fmt: ExportFormat) -> Response:
    atlas = atlas_of(request)
    con = atlas.con()
    papers = read.papers(con, atlas.index().search(con, f, paged=False)[1])
    return Response(
        fmt.write(papers, atlas.vocab().taxonomy),
        media_type=fmt.media_type,
        headers={"Content-Disposition": f'attachment; filename="clatlas-papers.{fmt.suffix}"'},
    )


def _add_export_route(fmt: ExportFormat) -> None:
    """``/export/papers.<suffix>``: the papers matching the list page's filters (paging ignored) in ``fmt``."""

    def endpoint(request: Request, f: Filter) -> Response:
        return _export(request, f, fmt)

    endpoint.__doc__ = f"Every paper matching the filters (paging ignored): {fmt.description}"
    schema = {"type": "array", "items": {"type": "object"}} if fmt.media_type == "application/json" else {"type": "string"}
    router.add_api_route(
        f"/export/papers.{fmt.suffix}",
        endpoint,
        methods=["GET"],
        tags=["exports"],
        name=f"export_{fmt.name}",
        responses={**EXPORT_ERRORS, 200: {"content": {fmt.media_type: {"schema": schema}}}},
        response_class=Response,
    )


for _fmt in web_formats():  # every registered paper export the web serves (catalog.exportformats)
    _add_export_route(_fmt)


@router.get("/export/leaderboards/{lb_id:path}.csv", tags=["exports"], responses={**EXPORT_ERRORS, **EXPORT_NOT_FOUND}, response_class=CSVResponse)
def export_board_csv(
    request: Request, lb_id: str, backbone: BackboneQ = None, verified: VerifiedQ = None, has_code: HasCodeQ = None, rank_by: RankByQ = None
) -> Response:
    """One board as CSV (the filters of the board page apply): one line per entry, one column per order."""
    head, _, view = _board(request, lb_id)
    return CSVResponse(board_csv(head, view), headers={"Content-Disposition": f'attachment; filename="{_file_name(lb_id)}.csv"'})


@router.get(
    "/export/leaderboards/{lb_id:path}.json",
    tags=["exports"],
    response_class=JSONTextResponse,
    responses={**EXPORT_ERRORS, **EXPORT_NOT_FOUND, 200: {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
def export_board_json(
    request: Request, lb_id: str, backbone: BackboneQ = None, verified: VerifiedQ = None, has_code: HasCodeQ = None, rank_by: RankByQ = None
) -> Response:
    """One board as JSON, the same document as /api/leaderboards/{id}, as a download."""
    import json

    body = json.dumps(board_json(*_board(request, lb_id)), indent=2, ensure_ascii=False)
    return JSONTextResponse(body, headers={"Content-Disposition": f'attachment; filename="{_file_name(lb_id)}.json"'})


def _file_name(lb_id: str) -> str:
    return "clatlas-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in lb_id)
