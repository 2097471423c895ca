"""The published API contract: the OpenAPI document as clients and fuzzers should read it.

FastAPI's document says what Python types say. Two things need the catalog
or a finer hand, and are added here, once per database build:

- optional query parameters are ``T | None`` in Python, which FastAPI
  publishes as ``anyOf: [T, null]``; a query string cannot carry a null
  (an absent parameter is the "none"), so they are published as plain ``T``
  (the API page used to show "integer[] | null[]");
- every value a parameter accepts is listed: taxonomy values, kinds,
  venues, datasets, benchmarks, metrics, leaderboards, backbones, board
  columns, methods, sorts, each with ``""`` where an empty form field means
  "any". The parsers accept exactly these, so a schema-valid request is
  never refused and anything else is (checked by ``schemathesis run
  --checks all``, see tests/webapp/test_web_contract.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from webapp import queries
from webapp.database import DatabaseMissing
from webapp.filters import SORTS

PAPER_LIST_PATHS = ("/api/papers", "/export/papers.bib", "/export/papers.csv", "/export/papers.json")
BOARD_PATHS = ("/api/leaderboards/{lb_id}", "/export/leaderboards/{lb_id}.csv", "/export/leaderboards/{lb_id}.json")
EMPTY_MEANS_ANY = ""


def scalar_query_params(spec: dict[str, Any]) -> None:
    """Publish optional query parameters as their type, not ``anyOf: [type, null]``."""
    for ops in spec.get("paths", {}).values():
        for op in ops.values():
            for prm in op.get("parameters", []):
                schema = prm.get("schema", {})
                alts = schema.get("anyOf")
                if prm.get("in") != "query" or not alts:
                    continue
                real = [a for a in alts if a.get("type") != "null"]
                if len(real) == 1 and len(real) < len(alts):
                    rest = {k: v for k, v in schema.items() if k != "anyOf"}
                    prm["schema"] = {**real[0], **rest}


def _set_enum(prm: dict[str, Any], values: list[str], *, empty: bool) -> None:
    """List the accepted values of a string or string-array parameter (with ``""`` when empty means any)."""
    values = ([EMPTY_MEANS_ANY] if empty else []) + [v for v in values if v != EMPTY_MEANS_ANY]
    if not values:
        return
    schema = prm["schema"]
    target = schema["items"] if schema.get("type") == "array" else schema
    target["enum"] = values


def vocabulary(con: Any, atlas: Any) -> dict[str, dict[str, list[str]]]:
    """Per group of operations, the accepted values of each enumerated parameter."""
    vocab = atlas.vocab()
    result = queries.result_vocab(con)
    boards = queries.board_vocab(con)
    papers = {axis: vocab.taxonomy.allowed(axis) for axis in ("setting", "increment", "family", "technique")}
    papers.update(
        kind=sorted(vocab.kinds), venue=sorted(vocab.venues), dataset=sorted(vocab.datasets), sort=list(SORTS), reproduction=list(vocab.allowed("reproduction"))
    )
    return {
        "papers": papers,
        "results": {"benchmark": sorted(result["benchmark"]), "metric": sorted(result["metric"]), "leaderboard": sorted(result["leaderboard"])},
        "leaderboards": {"benchmark": sorted(result["benchmark"]), "metric": sorted(result["metric"])},
        "boards": {"backbone": boards["backbones"], "rank_by": boards["columns"]},
        "compare": {"method": [m["key"] for m in queries.method_list(con)]},
    }


def add_vocabulary(spec: dict[str, Any], vocab: dict[str, dict[str, list[str]]]) -> None:
    """Enumerate the accepted values in ``spec`` (see :func:`vocabulary`)."""
    groups = {p: "papers" for p in PAPER_LIST_PATHS} | {p: "boards" for p in BOARD_PATHS}
    groups |= {"/api/results": "results", "/api/leaderboards": "leaderboards", "/api/compare": "compare"}
    for path, ops in spec.get("paths", {}).items():
        group = groups.get(path)
        if group is None:
            continue
        for op in ops.values():
            for prm in op.get("parameters", []):
                values = vocab[group].get(prm["name"])
                if values is None or prm.get("in") != "query":
                    continue
                if group == "compare":  # two or more different methods; an empty value is no method
                    _set_enum(prm, values, empty=False)
                    prm["schema"].update(minItems=2, uniqueItems=True)
                else:
                    _set_enum(prm, values, empty=True)


def install(app: FastAPI, atlas: Any) -> None:
    """Serve the refined document at ``app.openapi_url``, rebuilt when the catalog is rebuilt."""
    generate: Callable[[], dict[str, Any]] = app.openapi
    cache: dict[str, dict[str, Any]] = {}

    def openapi() -> dict[str, Any]:
        try:
            token = atlas.data_token()
        except DatabaseMissing:
            token = ""
        if token in cache:
            return cache[token]
        spec = copy.deepcopy(generate())
        scalar_query_params(spec)
        if token:
            add_vocabulary(spec, atlas.cached("openapi_vocab", lambda con: vocabulary(con, atlas)))
        cache.clear()
        cache[token] = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
