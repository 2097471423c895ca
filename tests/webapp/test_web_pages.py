"""HTML pages: every route renders, filters narrow, facets count, empty tables are handled."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("fastapi")

from support.webfixture import LORA_KEY, REPRO, XSS_KEY, client, empty_client, empty_db, fixture_db  # noqa: F401,E402


def keys_on(html: str) -> list[str]:
    return re.findall(r'class="paper-title" href="/papers/([a-z0-9]+)"', html)


def test_home_counts_and_tree(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "text/html" in r.headers["content-type"]
    html = r.text
    assert "<strong>5</strong> papers" in html
    assert 'id="taxonomy-tree"' in html
    # a node links to the filtered list, with its full path
    assert 'href="/papers?setting=offline&amp;increment=TIL&amp;family=LLM&amp;technique=parameter-efficient"' in html
    assert "/static-vendor/plotly.min.js" in html and 'id="fig-sunburst"' in html


def test_home_rejects_parameters(client):
    assert client.get("/?x=1").status_code == 400


def test_papers_list_all(client):
    r = client.get("/papers")
    assert r.status_code == 200
    assert sorted(keys_on(r.text)) == sorted(["demassondautume2019episodic", "razdaibiedina2023progressive", "wang2023orthogonal", XSS_KEY, LORA_KEY])


def test_papers_filter_same_placement(client):
    html = client.get("/papers?family=LLM&increment=TIL&technique=parameter-efficient").text
    assert sorted(keys_on(html)) == sorted(["wang2023orthogonal", LORA_KEY])
    # LLM + CIL is on no single path
    assert keys_on(client.get("/papers?family=LLM&increment=CIL").text) == []


def test_papers_facet_counts_follow_filter(client):
    html = client.get("/papers?family=LLM").text
    facet = html.split('data-facet="technique"')[1].split("</section>")[0]
    pe = re.search(r">parameter-efficient</a>\s*<span class=\"count\">(\d+)</span>", facet)
    it = re.search(r">instruction-tuning</a>\s*<span class=\"count\">(\d+)</span>", facet)
    assert pe and pe.group(1) == "2"
    assert it and it.group(1) == "1"
    # the family facet ignores its own selection (disjunctive), so other families stay clickable
    fam = html.split('data-facet="family"')[1].split("</section>")[0]
    assert "✓ LLM" in fam and re.search(r">PLM</a>\s*<span class=\"count\">2</span>", fam)


def test_papers_year_venue_code_repro_filters(client):
    assert sorted(keys_on(client.get("/papers?year_min=2024").text)) == sorted([XSS_KEY, LORA_KEY])
    assert keys_on(client.get("/papers?year_min=2019&year_max=2019").text) == ["demassondautume2019episodic"]
    assert keys_on(client.get("/papers?venue=ACL+2024").text) == [LORA_KEY]
    with_code = keys_on(client.get("/papers?has_code=1").text)
    assert LORA_KEY in with_code and XSS_KEY not in with_code
    assert keys_on(client.get("/papers?has_reproduction=true").text) == ["wang2023orthogonal"]
    assert keys_on(client.get("/papers?dataset=long-sequence-benchmark&kind=method").text).count(LORA_KEY) == 1


def test_papers_sort_and_pagination(client):
    by_title = keys_on(client.get("/papers?sort=title").text)
    titles = [client.get(f"/api/papers/{k}").json()["title"].lower() for k in by_title]
    assert titles == sorted(titles)
    oldest = keys_on(client.get("/papers?sort=year").text)
    assert oldest[0] == "demassondautume2019episodic"
    p1 = client.get("/papers?per_page=2").text
    p3 = client.get("/papers?per_page=2&page=3").text
    assert len(keys_on(p1)) == 2 and len(keys_on(p3)) == 1
    assert 'rel="next" href="/papers?page=2&amp;per_page=2"' in p1
    assert "page 3 of 3" in p3
    assert keys_on(client.get("/papers?page=99").text) == []


def test_papers_search_highlights(client):
    html = client.get("/papers?q=LoRA").text
    keys = keys_on(html)
    assert "wang2023orthogonal" in keys and LORA_KEY in keys
    assert "<mark>LoRA</mark>" in html
    assert 'value="LoRA"' in html  # the search box keeps the query
    # relevance sort and a prefix search
    assert keys_on(client.get("/papers?q=orthog*&sort=relevance").text) == ["wang2023orthogonal"]


@pytest.mark.parametrize("q", ['"', "NEAR(", "a AND", "***", "(((", "lora OR", "-x", "title:foo", "\u00e9t\u00e9", "😀", "x" * 300])
def test_search_syntax_never_errors(client, q):
    r = client.get("/papers", params={"q": q})
    assert r.status_code == 200


@pytest.mark.parametrize(
    "url, needle",
    [
        ("/papers?family=LLMs", "did you mean 'LLM'"),
        ("/papers?page=0", "page must be between"),
        ("/papers?page=abc", "page must be a whole number"),
        ("/papers?per_page=100000", "per_page must be between"),
        ("/papers?has_code=maybe", "has_code must be"),
        ("/papers?sort=random", "sort must be one of"),
        ("/papers?venue=Nowhere", "is not a known venue"),
        ("/papers?familly=LLM", "did you mean 'family'"),
        ("/papers?page=1&page=2", "page given 2 times"),
        ("/papers?q=" + "x" * 400, "q is too long"),
    ],
)
def test_bad_filters_are_400_pages(client, url, needle):
    r = client.get(url)
    assert r.status_code == 400
    assert "text/html" in r.headers["content-type"]
    assert needle in r.text.replace("&#39;", "'")


@pytest.mark.parametrize(
    "url, needle",
    [
        ("/papers?setting=offline&increment=HTB", "belongs to setting &#39;online&#39;"),
        ("/papers?year_min=2025&year_max=2020", "is after year_max (2020), so no year is in the range"),
    ],
)
def test_filters_that_match_nothing_say_why(client, url, needle):
    """Well-formed values that select nothing are an empty list with the reason, not an error."""
    r = client.get(url)
    assert r.status_code == 200 and keys_on(r.text) == []
    assert 'class="notice"' in r.text and needle in r.text


def test_empty_form_values_are_ignored(client):
    r = client.get("/papers?q=&venue=&year_min=&year_max=&sort=-year")
    assert r.status_code == 200 and len(keys_on(r.text)) == 5


def test_paper_page(client):
    r = client.get("/papers/wang2023orthogonal")
    assert r.status_code == 200
    html = r.text
    assert "Orthogonal Subspace Learning for Language Model Continual Learning" in html
    assert "https://doi.org/10.18653/v1/2023.findings-emnlp.715" in html
    assert "https://arxiv.org/abs/2310.14152" in html
    assert "https://aclanthology.org/2023.findings-emnlp.715/" in html
    assert "https://github.com/cmnfriend/O-LoRA" in html
    assert 'href="/papers?setting=offline&amp;increment=TIL&amp;family=LLM&amp;technique=parameter-efficient"' in html
    assert "/datasets/standard-cl-benchmark" in html
    # its own native number and the re-run reported by another paper, with provenance
    assert "75.4" in html and "Table 1 of this paper" in html and "unverified · extracted" in html
    assert "75.0" in html and "re-run baseline" in html
    # reproduction: exact link, what runs (measured on its own: the run's protocol matches no reported number), the command
    assert 'class="badge link-exact"' in html and "Where it departs from the paper: MiniLM instead of T5." in html
    assert REPRO["command"] in html and "73.2 (1 seed)" in html and "reported 7" not in html
    assert "not run yet" in html and "clatlas repro run olora --benchmark wordnet-instruct --profile standard --seed 0" in html
    assert "clatlas repro sweep --methods olora --benchmarks wordnet-instruct --seeds 0,1,2 --profile standard" in html
    assert 'id="bibtex"' in html and "@inproceedings{wang2023orthogonal" in html
    assert 'href="/papers/wang2023orthogonal.bib"' in html
    assert f'href="/papers/{LORA_KEY}"' in html  # related: same placement


def test_paper_page_without_results(client):
    html = client.get("/papers/demassondautume2019episodic").text
    assert "No reported results recorded yet." in html and "not run yet" in html
    assert "clatlas repro run mbpapp --benchmark wordnet-5x4-online-htb --profile standard --seed 0" in html


def test_paper_page_links(client):
    html = client.get(f"/papers/{LORA_KEY}").text
    assert 'class="badge link-family"' in html and "LoRA-based continual fine-tuning" in html
    assert "O-LoRA shares one LoRA per task; it has no router between experts." in html
    assert "73.2 (1 seed)" in html  # the stand-in's measured number, on its own
    html = client.get(f"/papers/{XSS_KEY}").text
    assert 'class="badge link-none"' in html and "needs a vision-language backbone" in html and "What runs" not in html


def test_paper_404(client):
    r = client.get("/papers/doesnotexist")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"] and "no paper with key" in r.text
    assert client.get("/papers/doesnotexist.bib").status_code == 404
    assert client.get("/nowhere").status_code == 404


def test_paper_bib_download(client):
    r = client.get("/papers/wang2023orthogonal.bib")
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"] and "wang2023orthogonal.bib" in r.headers["content-disposition"]
    assert r.text.startswith("@inproceedings{wang2023orthogonal,")


def test_datasets_pages(client):
    html = client.get("/datasets").text
    assert "/datasets/standard-cl-benchmark" in html and "/papers?dataset=ag-news" in html
    d = client.get("/datasets/standard-cl-benchmark").text
    assert "/leaderboards/standard-cl-benchmark/orders-1-3/AA" in d and "orders 1-3 (4 tasks)" in d
    # a member dataset links the boards of the benchmarks it is part of
    assert "/leaderboards/standard-cl-benchmark/orders-1-3/AA" in client.get("/datasets/ag-news").text
    assert "/papers/wang2023orthogonal" in d and "/datasets/ag-news" in d
    assert client.get("/datasets/nope").status_code == 404


def test_metrics_page(client):
    html = client.get("/metrics").text
    for m in ("AA", "AIA", "FM", "BWT", "FWT", "IM"):
        assert f'id="{m}"' in html
    assert "Lower is better" in html and "Higher is better" in html


def test_leaderboards(client):
    html = client.get("/leaderboards").text
    assert "/leaderboards/standard-cl-benchmark/orders-1-3/AA" in html
    assert "/leaderboards/standard-cl-benchmark/orders-1-3/BWT" in html
    assert 'href="/compare"' in html
    lb = client.get("/leaderboards/standard-cl-benchmark/orders-1-3/AA").text
    # one table per backbone, best first by the avg column; the BWT number is not here
    t5 = lb.split('id="backbone-t5-large"')[1].split("</section>")[0]
    llama = lb.split('id="backbone-llama-7b"')[1].split("</section>")[0]
    assert t5.index("77.3") < t5.index("75.8") < t5.index("75.0")
    assert "70.0" in llama and "77.3" not in llama
    assert "-1.5" not in lb
    assert 'class="badge native"' in lb and 'class="badge rerun"' in lb
    assert f"/papers/{LORA_KEY}" in lb
    # the reference row stands apart, unranked
    refs = t5.split("Reference rows")[1]
    assert "MTL" in refs and "80.0" in refs and "MTL" not in t5.split("Reference rows")[0]
    # provenance: verified and unverified badges; a method spelled differently is still one method
    assert "unverified · extracted" in lb and 'class="badge verified"' in lb
    assert "(printed O-Lora)" in lb
    # protocol fields when present, code links, exports with the same filter, the state-of-the-art chart
    assert "3 seeds · 8x A100 80GB · batch 32" in llama
    assert 'href="https://github.com/example/lowrank"' in lb
    assert 'href="/export/leaderboards/standard-cl-benchmark/orders-1-3/AA.csv"' in lb
    assert 'id="fig-sota"' in lb and "/static-vendor/plotly.min.js" in lb
    assert client.get("/leaderboards/nope/AA").status_code == 404


def test_leaderboard_filters(client):
    url = "/leaderboards/standard-cl-benchmark/orders-1-3/AA"
    lb = client.get(url, params={"verified": "true"}).text
    assert "unverified · extracted" not in lb and "77.3" in lb
    assert 'name="verified" value="true" checked' in lb
    assert "/export/leaderboards/standard-cl-benchmark/orders-1-3/AA.csv?verified=true" in lb
    only = client.get(url, params={"backbone": "LLaMA-7B"}).text
    assert 'id="backbone-llama-7b"' in only and 'id="backbone-t5-large"' not in only
    # empty form fields mean "any"
    assert client.get(url + "?has_code=&rank_by=&verified=").status_code == 200
    none = client.get(url, params={"has_code": "false"}).text
    assert "No entries match these filters" in none
    r = client.get(url, params={"backbone": "GPT-9"})
    assert r.status_code == 400 and "not a backbone of this board" in r.text


def test_compare_page(client):
    html = client.get("/compare").text
    assert 'value="paper:wang2023orthogonal"' in html and "Choose at least two methods" in html
    html = client.get("/compare", params=[("method", "paper:wang2023orthogonal"), ("method", f"paper:{LORA_KEY}")]).text
    assert 'href="/leaderboards/standard-cl-benchmark/orders-1-3/AA"' in html and 'href="/leaderboards/standard-cl-benchmark/orders-1-3/BWT"' in html
    assert "75.8" in html and "77.3" in html and "#1" in html
    assert client.get("/compare?method=name:nope").status_code == 400
    assert client.get("/compare?x=1").status_code == 400


def test_reproductions_page(client):
    html = client.get("/reproductions").text
    assert REPRO["command"] in html and "73.20" in html and "-2.90" in html and "412 s" in html


def test_charts_page_and_local_plotly(client):
    html = client.get("/charts").text
    for fig in ("fig-per-year", "fig-heatmap", "fig-measured"):
        assert f'id="{fig}"' in html
    assert "No leaderboard shares enough methods" in html  # the fixture has one measured method
    assert "cdn" not in html.lower()
    js = client.get("/static-vendor/plotly.min.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"] and len(js.content) > 1_000_000
    assert client.get("/static/atlas.js").status_code == 200
    assert client.get("/static/atlas.css").status_code == 200


def test_api_docs_page(client):
    html = client.get("/api/docs").text
    assert "GET /api/papers" in html and "/api/openapi.json" in html


@pytest.mark.parametrize(
    "url",
    ["/", "/papers", "/papers?q=x", "/datasets", "/metrics", "/leaderboards", "/compare", "/reproductions", "/charts", "/api/docs", "/papers/nonexistent"],
)
def test_empty_catalog_pages(empty_client, url):
    r = empty_client.get(url)
    assert r.status_code == (404 if "nonexistent" in url else 200)


def test_empty_catalog_messages(empty_client):
    assert "No papers match" in empty_client.get("/papers").text
    assert "No reported results yet" in empty_client.get("/leaderboards").text
    assert "No reproduction runs yet" in empty_client.get("/reproductions").text


def test_missing_database_is_503(tmp_path):
    from fastapi.testclient import TestClient

    from webapp.app import create_app

    c = TestClient(create_app(tmp_path / "missing.sqlite"))
    assert c.get("/papers").status_code == 503
    assert c.get("/api/papers").status_code == 503


# --------------------------------------------------------------------------- beyond the survey


def test_home_counts_papers_in_and_beyond_the_survey(client):
    html = client.get("/").text
    assert '<a href="/papers?in_survey=1">3 in the survey</a>' in html
    assert '<a href="/papers?in_survey=0">2 beyond it</a>' in html
    # the extension technique is marked in the tree and explained with its rationale
    assert 'class="badge ext"' in html and "Model merging</strong> (technique):" in html


def test_in_survey_facet_filters_and_counts(client):
    assert sorted(keys_on(client.get("/papers?in_survey=0").text)) == sorted([XSS_KEY, LORA_KEY])
    assert len(keys_on(client.get("/papers?in_survey=1").text)) == 3
    html = client.get("/papers").text
    facet = html.split('data-facet="in_survey"')[1].split("</section>")[0]
    assert re.search(r">in the survey</a>\s*<span class=\"count\">3</span>", facet)
    assert re.search(r">beyond the survey</a>\s*<span class=\"count\">2</span>", facet)
    assert 'class="badge new"' in html  # cards of papers beyond the survey say so


def test_extension_values_are_marked_in_facets(client):
    html = client.get("/papers").text
    facet = html.split('data-facet="technique"')[1].split("</section>")[0]
    assert re.search(
        r"""model-merging<span class="badge ext" """
        r"""title="Added by CL Atlas beyond the survey's taxonomy: The survey [^"]+">extension</span>""",
        facet,
    )
    assert 'parameter-efficient<span class="badge ext"' not in facet


def test_paper_page_first_public_aliases_and_placement_sources(client):
    html = client.get(f"/papers/{LORA_KEY}").text
    assert "ACL 2024" in html and "first public 2023-11" in html
    assert "Also known as:" in html and "Routing Among Low-Rank Specialists" in html
    assert 'href="https://arxiv.org/abs/2311.00001"' in html and "the first preprint&#39;s title" in html
    assert 'class="badge new"' in html
    # curated placements say so; the extension technique is marked and its reason shown
    assert "curated</span>" in html and 'class="extension-note"' in html
    survey = client.get("/papers/wang2023orthogonal").text
    assert "Findings of EMNLP 2023" in survey and "first public 2023-10" in survey
    assert "per the survey</span>" in survey and "in the survey</span>" in survey
    assert "Also known as:" not in survey and 'class="extension-note"' not in survey


def test_timeline_chart_by_quarter(client):
    import json

    html = client.get("/charts").text
    assert 'id="fig-per-quarter"' in html and 'id="timeline"' in html
    fig = json.loads(html.split('id="fig-per-quarter">')[1].split("</script>")[0].replace("<\\/", "</"))
    x = fig["data"][0]["x"]
    assert "2023 Q4" in x and "2019 (month unknown)" in x  # first_public 2023-10 / 2023-11; no month for the 2019 paper
    assert x == sorted(x, key=lambda s: (s[:4], s[5:]))  # year bucket before that year's quarters
    assert x == ["2019 (month unknown)", "2023 (month unknown)", "2023 Q4", "2024 (month unknown)"]
    merging = next(t for t in fig["data"] if t["name"].startswith("Model merging"))
    assert merging["name"].endswith("(extension)") and sum(merging["y"]) == 1


def test_papers_list_reproduction_facet(client):
    html = client.get("/papers").text
    assert 'data-facet="reproduction"' in html and 'href="/papers?reproduction=exact"' in html
    html = client.get("/papers?reproduction=none").text
    assert keys_on(html) == [XSS_KEY] and "reproduction: none ✕" in html
    assert 'type="hidden" name="reproduction" value="none"' in html  # the search form keeps the facet
    assert "exact reproduction" in client.get("/papers?q=orthogonal").text


def test_datasets_survey_table1_view(client):
    html = client.get("/datasets").text
    assert 'href="/datasets?table1=1"' in html
    t1 = client.get("/datasets?table1=1")
    assert t1.status_code == 200 and "The survey's Table 1" in t1.text and 'href="/datasets"' in t1.text
    from webapp.database import connect_readonly

    rows = t1.text.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == connect_readonly(client.app.state.atlas.db.path).execute("SELECT COUNT(*) FROM dataset_table1").fetchone()[0] > 0
    assert "not in Table 1" not in t1.text
    assert client.get("/datasets?table1=0").text == html
    assert client.get("/datasets?table1=maybe").status_code == 400 and client.get("/datasets?x=1").status_code == 400
