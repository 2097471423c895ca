"""JSON API and exports: same filters as the pages, totals, 400/404/422, exports parse back."""

from __future__ import annotations

import csv
import io
import json

import pytest

pytest.importorskip("fastapi")

from support.webfixture import LORA_KEY, REPRO, REPRO_METRICS, XSS_KEY, client, empty_client, empty_db, fixture_db  # noqa: F401,E402

from catalog.metrics import METRIC_IDS  # noqa: E402


def test_api_papers_filters_and_total(client):
    r = client.get("/api/papers", params={"family": "LLM", "increment": "TIL", "technique": "parameter-efficient"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 2 and body["page"] == 1 and body["pages"] == 1
    assert sorted(p["key"] for p in body["papers"]) == sorted(["wang2023orthogonal", LORA_KEY])
    assert body["filters"] == {"setting": [], "increment": ["TIL"], "family": ["LLM"], "technique": ["parameter-efficient"]} or body["filters"] == {
        "increment": ["TIL"],
        "family": ["LLM"],
        "technique": ["parameter-efficient"],
    }
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


@pytest.mark.parametrize(
    "qs, status",
    [
        ("family=XXX", 400),
        ("familly=LLM", 400),
        ("venue=Nope", 400),
        ("family=LLM%20", 400),
        ("sort=bogus", 400),
        ("page=0", 422),
        ("page=x", 422),
        ("per_page=100000", 422),
        ("has_code=maybe", 422),
        ("year_min=abc", 422),
    ],
)
def test_api_papers_bad_input(client, qs, status):
    r = client.get(f"/api/papers?{qs}")
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["errors"]


def test_api_paper(client):
    body = client.get("/api/papers/wang2023orthogonal").json()
    assert body["key"] == "wang2023orthogonal" and body["has_reproduction"] is True
    assert {r["value"] for r in body["results"]} == {75.4, 75.8, 75.0}
    rerun = next(r for r in body["results"] if r["value"] == 75.0)
    assert (rerun["method"], rerun["method_name"], rerun["method_key"]) == ("O-Lora", "O-LoRA", "paper:wang2023orthogonal")
    assert rerun["provenance"] == "extracted" and rerun["verified"] is False and rerun["reference"] is False
    assert body["reproductions"][0]["command"] == REPRO["command"]
    assert body["reproductions"][0]["aa"] == REPRO_METRICS["AA"] and body["reproductions"][0]["metrics"] == REPRO_METRICS
    rep = body["reproduction"]
    assert (rep["kind"], rep["method"], rep["benchmark"], rep["backbone"]) == ("exact", "classify/olora", "wordnet-5x4-til", "MiniLM-L6 encoder + linear head")
    assert rep["note"] == "MiniLM instead of T5." and rep["methods"] == ["classify/olora", "generate/olora"]
    ran = rep["runs"][0]
    assert ran["measured"]["AA"] == {"mean": 73.2, "std": None, "n": 1} and ran["reported"] == {} and ran["command"] == REPRO["command"]
    assert rep["runs"][-1]["method"] == "generate/olora" and rep["runs"][-1]["measured"] is None
    assert client.get(f"/api/papers/{XSS_KEY}").json()["reproduction"]["kind"] == "none"
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
    assert {t["value"]: t["count"] for t in llm["children"]} == {"parameter-efficient": 2, "instruction-tuning": 1, "model-merging": 1}
    # an extension value says so, with its reason; the survey's own values do not
    tech = {v["value"]: v for v in body["axes"]["technique"]}
    assert tech["model-merging"]["extension"] is True and "survey" in tech["model-merging"]["rationale"]
    assert tech["parameter-efficient"]["extension"] is False and "rationale" not in tech["parameter-efficient"]


def test_api_datasets_metrics(client):
    ds = client.get("/api/datasets").json()
    assert any(d["id"] == "standard-cl-benchmark" and d["leaderboards"] == 2 for d in ds)
    one = client.get("/api/datasets/standard-cl-benchmark").json()
    assert {b["metric_id"] for b in one["leaderboards"]} == {"AA", "BWT"}
    assert client.get("/api/datasets/nope").status_code == 404
    metrics = client.get("/api/metrics").json()
    ids = [m["id"] for m in metrics]
    assert ids[: len(METRIC_IDS)] == list(METRIC_IDS)  # computed metrics first, in registry order
    assert set(ids) - set(METRIC_IDS) <= {"MTIL-Transfer", "MTIL-Avg"}  # reported-only ones after them
    assert {m["id"]: m["direction"] for m in metrics}["FM"] == "lower"


def test_api_results_and_leaderboards(client):
    body = client.get("/api/results", params={"benchmark": "standard-cl-benchmark", "metric": "AA"}).json()
    assert body["total"] == 9 and {r["metric_id"] for r in body["results"]} == {"AA"}
    assert client.get("/api/results?metric=BWT").json()["total"] == 1
    assert client.get("/api/results?native=false").json()["total"] == 2
    assert client.get("/api/results?metric=XX").status_code == 400
    assert client.get("/api/results?benchmark=nope").status_code == 400
    assert client.get("/api/results?bogus=1").status_code == 400
    boards = client.get("/api/leaderboards").json()
    assert {b["id"] for b in boards} == {"standard-cl-benchmark/orders-1-3/AA", "standard-cl-benchmark/orders-1-3/BWT"}
    aa = next(b for b in boards if b["metric_id"] == "AA")
    assert aa["columns"] == ["1", "2", "3", "avg"] and aa["rank_by"] == "avg" and aa["order_label"] == "orders 1-3"
    assert (aa["num_tasks"], aa["backbones"], aa["papers"]) == (4, 2, 2)
    assert client.get("/api/leaderboards/nope").status_code == 404
    assert client.get("/api/leaderboards?metric=nope").status_code == 400
    assert client.get("/api/leaderboards?bogus=1").status_code == 400


def test_api_leaderboard_ranks_within_backbones(client):
    lb = client.get("/api/leaderboards/standard-cl-benchmark/orders-1-3/AA").json()
    assert lb["leaderboard"]["backbone_names"] == ["LLaMA-7B", "T5-large"]
    sections = {s["backbone"]: s for s in lb["sections"]}
    t5 = sections["T5-large"]
    assert [(e["rank"], e["method"], e["values"]["avg"]) for e in t5["ranked"]] == [(1, "LoRA-Experts", 77.3), (2, "O-LoRA", 75.8)]
    # the re-run has no avg: listed, not ranked; the reference row is above everyone but apart and unranked
    assert [(e["rank"], e["printed_as"], e["values"]) for e in t5["unranked"]] == [(None, ["O-Lora"], {"1": 75.0})]
    assert [(e["rank"], e["method"], e["reference"]) for e in t5["references"]] == [(None, "MTL", True)]
    llama = sections["LLaMA-7B"]["ranked"]
    assert [(e["rank"], e["values"]["avg"]) for e in llama] == [(1, 70.0)]  # ranked on its own, not below the T5 entries
    assert (llama[0]["seeds"], llama[0]["hardware"], llama[0]["batch_size"]) == (3, "8x A100 80GB", 32)
    assert t5["ranked"][1]["verified"] is False and t5["ranked"][1]["provenance"] == ["extracted"]
    assert t5["ranked"][0]["cells"]["1"]["provenance"] == "paper-text"


def test_api_leaderboard_filters(client):
    url = "/api/leaderboards/standard-cl-benchmark/orders-1-3/AA"
    verified = client.get(url, params={"verified": "true"}).json()
    t5 = next(s for s in verified["sections"] if s["backbone"] == "T5-large")
    # hiding the unverified O-LoRA rows ranks the rest among themselves
    assert [e["method"] for e in t5["ranked"]] == ["LoRA-Experts"] and t5["unranked"] == []
    only = client.get(url, params={"backbone": "llama-7b"}).json()
    assert [s["backbone"] for s in only["sections"]] == ["LLaMA-7B"]
    by1 = client.get(url, params={"rank_by": "1"}).json()
    t5 = next(s for s in by1["sections"] if s["backbone"] == "T5-large")
    assert [(e["rank"], e["values"]["1"]) for e in t5["ranked"]] == [(1, 78.1), (2, 75.4), (3, 75.0)]
    assert by1["filter"]["rank_by"] == "1"
    no_code = client.get(url, params={"has_code": "false"}).json()
    assert no_code["sections"] == []  # every entry's method paper has code in the fixture
    for bad in ({"backbone": "GPT-9"}, {"rank_by": "7"}, {"verified": "maybe"}, {"sort": "x"}):
        r = client.get(url, params=bad)
        assert r.status_code in (400, 422) and r.json()["errors"], bad


def test_api_compare(client):
    methods = client.get("/api/methods").json()
    keys = {m["key"]: m for m in methods}
    assert keys["paper:wang2023orthogonal"]["name"] == "O-LoRA" and "name:mtl" not in keys  # references are not methods to compare
    body = client.get("/api/compare", params=[("method", "paper:wang2023orthogonal"), ("method", f"paper:{LORA_KEY}")]).json()
    assert [b["leaderboard"]["id"] for b in body] == ["standard-cl-benchmark/orders-1-3/AA", "standard-cl-benchmark/orders-1-3/BWT"]
    t5 = next(r for r in body[0]["rows"] if r["backbone"] == "T5-large")
    assert [c["value"] for c in t5["methods"]["paper:wang2023orthogonal"]] == [75.8, None]  # its own avg, and the re-run without one
    assert t5["methods"][f"paper:{LORA_KEY}"][0]["rank"] == 1
    assert client.get("/api/compare", params={"method": "paper:wang2023orthogonal"}).status_code == 400
    assert client.get("/api/compare", params=[("method", "paper:wang2023orthogonal"), ("method", "name:nope")]).status_code == 400


def test_export_leaderboard_csv_and_json(client):
    r = client.get("/export/leaderboards/standard-cl-benchmark/orders-1-3/AA.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv") and "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(row["backbone"], row["rank"], row["method"], row["avg"]) for row in rows] == [
        ("T5-large", "1", "LoRA-Experts", "77.3"),
        ("T5-large", "2", "O-LoRA", "75.8"),
        ("T5-large", "", "O-LoRA", ""),
        ("T5-large", "", "MTL", "80.0"),
        ("LLaMA-7B", "1", "LoRA-Experts", "70.0"),
    ]
    assert rows[3]["reference"] == "true" and rows[1]["verified"] == "false" and rows[4]["seeds"] == "3"
    filtered = list(csv.DictReader(io.StringIO(client.get("/export/leaderboards/standard-cl-benchmark/orders-1-3/AA.csv?verified=true").text)))
    assert all(row["verified"] == "true" for row in filtered) and len(filtered) == 3
    j = client.get("/export/leaderboards/standard-cl-benchmark/orders-1-3/AA.json?backbone=T5-large")
    assert j.status_code == 200 and "attachment" in j.headers["content-disposition"]
    assert json.loads(j.text) == client.get("/api/leaderboards/standard-cl-benchmark/orders-1-3/AA?backbone=T5-large").json()
    assert client.get("/export/leaderboards/nope/AA.csv").status_code == 404
    assert client.get("/export/leaderboards/standard-cl-benchmark/orders-1-3/AA.csv?rank_by=9").status_code == 400


def test_api_reproductions(client):
    runs = client.get("/api/reproductions").json()
    assert len(runs) == 1
    run = runs[0]
    assert run["method"] == "olora" and run["wall_time_s"] == 412.0 and run["bwt"] == -2.9
    assert run["papers"] == [{"key": "wang2023orthogonal", "title": "Orthogonal Subspace Learning for Language Model Continual Learning"}]


def test_openapi_document(client):
    spec = client.get("/api/openapi.json").json()
    for path in (
        "/api/papers",
        "/api/papers/{key}",
        "/api/taxonomy",
        "/api/datasets",
        "/api/metrics",
        "/api/results",
        "/api/reproductions",
        "/export/papers.bib",
        "/export/papers.csv",
        "/export/papers.json",
    ):
        assert path in spec["paths"], path
    names = {p["name"] for p in spec["paths"]["/api/papers"]["get"]["parameters"]}
    assert {
        "setting",
        "increment",
        "family",
        "technique",
        "venue",
        "year_min",
        "year_max",
        "has_code",
        "has_reproduction",
        "q",
        "page",
        "per_page",
        "sort",
    } <= names


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


def test_reproduction_link_facet_filter_and_exports(client):
    body = client.get("/api/papers", params={"facets": "true"}).json()
    counts = {v["value"]: v["count"] for v in body["facets"]["reproduction"]}
    assert counts == {"exact": 2, "family": 2, "none": 1}
    assert {p["key"]: p["reproduction_link"] for p in body["papers"]}["wang2023orthogonal"] == "exact"
    exact = client.get("/api/papers", params=[("reproduction", "exact")]).json()
    assert {p["key"] for p in exact["papers"]} == {"wang2023orthogonal", "demassondautume2019episodic"}
    both = client.get("/api/papers", params=[("reproduction", "family"), ("reproduction", "none")]).json()
    assert both["total"] == 3 and both["filters"]["reproduction"] == ["family", "none"]
    bad = client.get("/api/papers?reproduction=exactly")
    assert bad.status_code == 400 and "'exactly' is not a known reproduction; did you mean 'exact'?" in bad.json()["errors"][0]
    rows = list(csv.DictReader(io.StringIO(client.get("/export/papers.csv").text)))
    assert {r["key"]: r["reproduction_link"] for r in rows}[XSS_KEY] == "none"
    assert {p["key"]: p["reproduction_link"] for p in client.get("/export/papers.json?reproduction=family").json()} == {
        LORA_KEY: "family",
        "razdaibiedina2023progressive": "family",
    }
    spec = client.get("/api/openapi.json").json()
    param = next(p for p in spec["paths"]["/api/papers"]["get"]["parameters"] if p["name"] == "reproduction")
    schema = json.dumps(param["schema"])
    assert all(f'"{v}"' in schema for v in ("exact", "family", "none")) and '"enum"' in schema
