"""JSON API and exports: same filters as the pages, totals, 400/404/422, exports parse back."""

from __future__ import annotations

import csv
import io
import json

import pytest

pytest.importorskip("fastapi")

from webfixture import LORA_KEY, REPRO, XSS_KEY, client, empty_client, empty_db, fixture_db  # noqa: F401,E402


def test_api_papers_filters_and_total(client):
    r = client.get("/api/papers", params={"family": "LLM", "increment": "TIL", "technique": "parameter-efficient"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 2 and body["page"] == 1 and body["pages"] == 1
    assert sorted(p["key"] for p in body["papers"]) == sorted(["wang2023orthogonal", LORA_KEY])
    assert body["filters"] == {"setting": [], "increment": ["TIL"], "family": ["LLM"], "technique": ["parameter-efficient"]} or \
        body["filters"] == {"increment": ["TIL"], "family": ["LLM"], "technique": ["parameter-efficient"]}
    p = next(p for p in body["papers"] if p["key"] == "wang2023orthogonal")
    for field in ("title", "authors", "year", "venue", "doi", "arxiv", "code_url", "placements", "datasets", "bibtex", "survey"):
        assert field in p


def test_api_papers_matches_page(client):
    import re

    for qs in ("family=LLM", "q=lora", "year_min=2023&has_code=1", "setting=online", "family=PLM&family=VLM&sort=title"):
        api = [p["key"] for p in client.get(f"/api/papers?{qs}&per_page=200").json()["papers"]]
        page = re.findall(r'class="paper-title" href="/papers/([a-z0-9]+)"', client.get(f"/papers?{qs}&per_page=200").text)
        assert api == page, qs


def test_api_papers_paging(client):
    a = client.get("/api/papers?per_page=2&page=1&sort=title").json()
    b = client.get("/api/papers?per_page=2&page=2&sort=title").json()
    assert a["total"] == b["total"] == 5 and a["pages"] == 3
    assert not {p["key"] for p in a["papers"]} & {p["key"] for p in b["papers"]}


def test_api_papers_search_and_facets(client):
    body = client.get("/api/papers?q=lora&facets=true").json()
    assert {"wang2023orthogonal", LORA_KEY} <= {p["key"] for p in body["papers"]}
    fam = {v["value"]: v["count"] for v in body["facets"]["family"]}
    assert fam["LLM"] == 2 and set(fam) == {"PLM", "LLM", "VLM"}


@pytest.mark.parametrize("qs, status", [
    ("family=XXX", 400), ("familly=LLM", 400), ("venue=Nope", 400), ("setting=online&increment=TIL", 400),
    ("sort=bogus", 400), ("year_min=2030&year_max=2020", 400), ("page=0", 422), ("page=x", 422), ("per_page=100000", 422),
    ("has_code=maybe", 422), ("year_min=abc", 422),
])
def test_api_papers_bad_input(client, qs, status):
    r = client.get(f"/api/papers?{qs}")
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["errors"]


def test_api_paper(client):
    body = client.get("/api/papers/wang2023orthogonal").json()
    assert body["key"] == "wang2023orthogonal" and body["has_reproduction"] is True
    assert {r["value"] for r in body["results"]} == {75.4, 75.0}
    assert body["reproductions"][0]["command"] == REPRO["command"]
    assert body["reproductions"][0]["aa"] == REPRO["aa"]
    assert any(r["key"] == LORA_KEY for r in body["related"])
    r = client.get("/api/papers/nope")
    assert r.status_code == 404 and r.json()["detail"]


def test_api_taxonomy(client):
    body = client.get("/api/taxonomy").json()
    assert [v["value"] for v in body["axes"]["setting"]] == ["offline", "online"]
    offline = next(n for n in body["tree"] if n["value"] == "offline")
    assert offline["count"] == 4
    til = next(n for n in offline["children"] if n["value"] == "TIL")
    llm = next(n for n in til["children"] if n["value"] == "LLM")
    assert llm["count"] == 2
    assert {t["value"]: t["count"] for t in llm["children"]} == {"parameter-efficient": 2, "instruction-tuning": 1}


def test_api_datasets_metrics(client):
    ds = client.get("/api/datasets").json()
    assert any(d["id"] == "standard-cl-benchmark" and d["leaderboards"] == 2 for d in ds)
    one = client.get("/api/datasets/standard-cl-benchmark").json()
    assert {b["metric_id"] for b in one["leaderboards"]} == {"AA", "BWT"}
    assert client.get("/api/datasets/nope").status_code == 404
    metrics = client.get("/api/metrics").json()
    assert [m["id"] for m in metrics] == ["AA", "AIA", "FM", "BWT", "FWT", "IM", "MTIL-Transfer", "MTIL-Avg"]
    assert {m["id"]: m["direction"] for m in metrics}["FM"] == "lower"


def test_api_results_and_leaderboards(client):
    body = client.get("/api/results", params={"benchmark": "standard-cl-benchmark", "metric": "AA"}).json()
    assert body["total"] == 3 and {r["metric_id"] for r in body["results"]} == {"AA"}
    assert client.get("/api/results?metric=BWT").json()["total"] == 1
    assert client.get("/api/results?native=false").json()["total"] == 1
    assert client.get("/api/results?metric=XX").status_code == 400
    assert client.get("/api/results?benchmark=nope").status_code == 400
    assert client.get("/api/results?bogus=1").status_code == 400
    boards = client.get("/api/leaderboards").json()
    assert {b["id"] for b in boards} == {"standard-cl-benchmark/order-1/4-tasks/AA", "standard-cl-benchmark/order-1/4-tasks/BWT"}
    lb = client.get("/api/leaderboards/standard-cl-benchmark/order-1/4-tasks/AA").json()
    assert [r["value"] for r in lb["rows"]] == [78.1, 75.4, 75.0]
    assert [r["native"] for r in lb["rows"]] == [True, True, False]
    assert client.get("/api/leaderboards/nope").status_code == 404
    assert client.get("/api/leaderboards?metric=nope").status_code == 400


def test_api_reproductions(client):
    runs = client.get("/api/reproductions").json()
    assert len(runs) == 1
    run = runs[0]
    assert run["method"] == "o-lora" and run["wall_time_s"] == 412.0 and run["bwt"] == -2.9
    assert run["papers"] == [{"key": "wang2023orthogonal", "title": "Orthogonal Subspace Learning for Language Model Continual Learning"}]


def test_openapi_document(client):
    spec = client.get("/api/openapi.json").json()
    for path in ("/api/papers", "/api/papers/{key}", "/api/taxonomy", "/api/datasets", "/api/metrics", "/api/results",
                 "/api/reproductions", "/export/papers.bib", "/export/papers.csv", "/export/papers.json"):
        assert path in spec["paths"], path
    names = {p["name"] for p in spec["paths"]["/api/papers"]["get"]["parameters"]}
    assert {"setting", "increment", "family", "technique", "venue", "year_min", "year_max", "has_code", "has_reproduction", "q", "page", "per_page", "sort"} <= names


def test_export_bibtex_parses_back(client):
    import bibtexparser

    r = client.get("/export/papers.bib?family=LLM")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-bibtex")
    assert "attachment" in r.headers["content-disposition"]
    lib = bibtexparser.parse_string(r.text)
    assert not lib.failed_blocks
    assert sorted(e.key for e in lib.entries) == sorted(["wang2023orthogonal", LORA_KEY])
    assert "Orthogonal Subspace" in next(e for e in lib.entries if e.key == "wang2023orthogonal").fields_dict["title"].value
    everything = bibtexparser.parse_string(client.get("/export/papers.bib").text)
    assert len(everything.entries) == 5 and not everything.failed_blocks
    # paging parameters do not truncate an export
    assert len(bibtexparser.parse_string(client.get("/export/papers.bib?per_page=1&page=2").text).entries) == 5


def test_export_csv_and_json(client):
    r = client.get("/export/papers.csv?q=lora&sort=title")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["key"] for row in rows} >= {"wang2023orthogonal", LORA_KEY}
    assert [row["title"].lower() for row in rows] == sorted(row["title"].lower() for row in rows)
    j = client.get("/export/papers.json?has_reproduction=1")
    data = json.loads(j.text)
    assert [p["key"] for p in data] == ["wang2023orthogonal"]
    assert client.get("/export/papers.json?year_min=2030").json() == []
    assert client.get("/export/papers.bib?family=NOPE").status_code == 400


def test_empty_catalog_api(empty_client):
    assert empty_client.get("/api/papers").json()["total"] == 0
    assert empty_client.get("/api/results").json() == {"total": 0, "page": 1, "per_page": 100, "results": []}
    assert empty_client.get("/api/reproductions").json() == []
    assert empty_client.get("/api/leaderboards").json() == []
    assert empty_client.get("/export/papers.bib").text == ""
    assert empty_client.get("/export/papers.json").json() == []
    tree = empty_client.get("/api/taxonomy").json()["tree"]
    assert all(n["count"] == 0 for n in tree)
