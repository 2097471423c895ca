"""The committed catalog itself: valid, covering the survey, and described truthfully."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from catalog.coverage import check_coverage, format_coverage
from catalog.links import link_counts
from catalog.loader import Catalog, load_catalog
from catalog.paths import REPO_ROOT, data_dir


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(data_dir())


def test_committed_data_validates(catalog: Catalog) -> None:
    assert catalog.problems == [], "\n".join(p.format() for p in catalog.problems)


def test_survey_coverage_is_complete(catalog: Catalog) -> None:
    report = check_coverage(catalog, data_dir() / "survey")
    assert len(report.items) == 105
    assert report.complete, format_coverage(report)


# Papers for which no DOI, arXiv, ACL Anthology or OpenReview id was seen in a source.
# Each stays listed here, with its reason, until someone verifies an identifier.
WITHOUT_STANDARD_ID = {
    "cui2024continual": "AAAI 2024 article page only; its DOI was not seen in a source",
}


def test_every_paper_has_year_venue_and_an_identifier(catalog: Catalog) -> None:
    missing = {k for k, r in catalog.papers.items() if not (r.paper.doi or r.paper.arxiv or r.paper.acl_anthology or r.paper.openreview)}
    assert missing == set(WITHOUT_STANDARD_ID), f"papers without DOI, arXiv, ACL Anthology or OpenReview id: {sorted(missing)}"
    assert all(r.paper.year and r.paper.venue for r in catalog.papers.values())


def test_null_survey_techniques_are_marked_curated(catalog: Catalog) -> None:
    curated = [pl for r in catalog.papers.values() for pl in r.paper.placements if pl.technique_source == "curated"]
    assert curated, "the survey leaves some techniques open; they must be marked curated"


def test_readme_counts_match_the_data(catalog: Catalog) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    stated = {m.group(2): int(m.group(1)) for m in re.finditer(r"\*\*(\d+) (papers|datasets and benchmarks|metrics|reported results)\*\*", readme)}
    actual = {
        "papers": len(catalog.papers),
        "datasets and benchmarks": len(catalog.datasets),
        "metrics": len(catalog.metrics),
        "reported results": sum(len(r.paper.results) for r in catalog.papers.values()),
    }
    assert stated == actual


@pytest.fixture(scope="module")
def real_client(tmp_path_factory):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from catalog.build import build_database
    from webapp.app import create_app

    db = build_database(data_dir(), tmp_path_factory.mktemp("real") / "catalog.sqlite").path
    with TestClient(create_app(db)) as c:
        yield c


def test_acronyms_and_aliases_of_the_real_catalog_are_searchable(real_client) -> None:
    for q, key in (("JARe", "peng2024scalable"), ("MoE-Adapters4CL", "yu2024boosting"), ("2310.15694", "zhang2025copr")):
        assert [p["key"] for p in real_client.get("/api/papers", params={"q": q}).json()["papers"]][:1] == [key], q


# --------------------------------------------------------------------------- links to the reproductions


def test_no_method_paper_is_unresolved(catalog: Catalog) -> None:
    methods = {k for k, r in catalog.papers.items() if r.paper.kind == "method"}
    assert catalog.methods is not None and methods
    assert methods <= set(catalog.links), f"method papers without a link: {sorted(methods - set(catalog.links))}"


def test_readme_link_counts_match_the_links(catalog: Catalog) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    kinds = {k: r.paper.kind for k, r in catalog.papers.items()}
    stated = {m.group(2): int(m.group(1)) for m in re.finditer(r"\*\*(\d+)\s+(exact|family|none)\*\*", readme)}
    assert stated == link_counts(catalog.links, kinds)
    papers = re.search(r"\*\*(\d+)\s+method\s+papers\*\*", readme)
    assert papers and int(papers.group(1)) == sum(1 for k in kinds.values() if k == "method")
    reasons = Counter(r.reason for k, r in catalog.links.items() if kinds[k] == "method" and r.link == "none")
    for reason, phrase in (("vlm", "need a vision-language backbone"), ("model-merging", "are model merging")):
        found = re.search(r"(\d+)\s+" + r"\s+".join(phrase.split()), readme)  # the README wraps lines anywhere
        assert found and int(found.group(1)) == reasons[reason], reason


def test_exact_links_are_the_papers_the_harness_reproduces(catalog: Catalog) -> None:
    exact = {k for k, r in catalog.links.items() if r.link == "exact"}
    assert catalog.methods is not None
    assert exact == {k for m in catalog.methods.methods.values() for k in m.papers}
    assert exact == {
        "wang2023orthogonal",
        "razdaibiedina2023progressive",
        "madotto2021continual",
        "demassondautume2019episodic",
        "wang2024inscl",
        "ibrahim2024simple",
        "gururangan2022demix",
    }


def test_language_model_papers_without_a_stand_in_say_why(catalog: Catalog) -> None:
    """The LM (PLM/LLM) method papers left at none are model merging; VLM-only ones need a VLM."""

    def families(k: str) -> set[str]:
        return {pl.family for pl in catalog.papers[k].paper.placements}

    none = {k for k, r in catalog.links.items() if r.link == "none" and catalog.papers[k].paper.kind == "method"}
    assert {catalog.links[k].reason for k in none if families(k) & {"PLM", "LLM"}} <= {"model-merging"}
    assert all(catalog.links[k].reason == "vlm" for k in none if families(k) == {"VLM"})


def test_trace_page_shows_its_runnable_stand_in(real_client) -> None:
    html = real_client.get("/papers/wang2023trace").text
    assert "SmolLM2-135M on wordnet-instruct, not TRACE" in html
    assert "clatlas repro run seqlora --benchmark wordnet-instruct --profile standard --seed 0" in html
    rep = real_client.get("/api/papers/wang2023trace").json()["reproduction"]
    assert (rep["kind"], rep["benchmark"], rep["backbone"]) == ("family", "wordnet-instruct", "SmolLM2-135M-Instruct")
    assert rep["label"] == "SmolLM2-135M on wordnet-instruct, not TRACE"
    assert {r["benchmark"] for r in rep["runs"]} == {"wordnet-instruct"}
