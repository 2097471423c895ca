"""Search on the paper list: what is indexed (acronyms, aliases, arXiv ids), ranking, prefixes, and the empty-query notice."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("fastapi")

from support.webfixture import LORA_KEY, client, fixture_db  # noqa: F401,E402


def keys_on(html: str) -> list[str]:
    return re.findall(r'class="paper-title" href="/papers/([a-z0-9]+)"', html)


def api_keys(client, **params) -> list[str]:
    return [p["key"] for p in client.get("/api/papers", params=params).json()["papers"]]


@pytest.mark.parametrize(
    "q, key",
    [
        ("O-LoRA", "wang2023orthogonal"),  # the acronym shown on the card
        ("o-lora", "wang2023orthogonal"),
        ("MBPA++", "demassondautume2019episodic"),
        ("PP", "razdaibiedina2023progressive"),
    ],
)
def test_acronyms_on_cards_are_searchable(client, q, key):
    keys = api_keys(client, q=q)
    assert keys and keys[0] == key, (q, keys)
    html = client.get("/papers", params={"q": q}).text
    assert keys_on(html)[0] == key
    assert '<span class="acronym"><mark>' in html  # the card marks why it matched


def test_alias_title_and_alias_arxiv_id_find_the_entry(client):
    assert api_keys(client, q="Routing Among Low-Rank Specialists") == [LORA_KEY]
    assert api_keys(client, q="2311.00001") == [LORA_KEY]
    html = client.get("/papers", params={"q": "specialists"}).text
    assert keys_on(html) == [LORA_KEY] and "also known as:" in html and "<mark>Specialists</mark>" in html


def test_own_arxiv_id_finds_the_entry(client):
    assert api_keys(client, q="2310.14152") == ["wang2023orthogonal"]
    assert api_keys(client, q="2310.99999") == []


def test_words_match_as_prefixes(client):
    assert "wang2023orthogonal" in api_keys(client, q="orthog")
    assert api_keys(client, q="orthog") == api_keys(client, q="orthog*")


def test_a_query_is_ranked_by_relevance_by_default(client):
    # "lora" is in wang2023orthogonal's acronym and title and in the LoRA paper's title; the year order would differ
    by_default = api_keys(client, q="subspace lora")
    assert by_default == api_keys(client, q="subspace lora", sort="relevance") == ["wang2023orthogonal"]
    newest_first = api_keys(client, q="lora", sort="-year")
    relevance = api_keys(client, q="lora")
    assert set(newest_first) == set(relevance)
    # an explicit order is kept
    years = [client.get(f"/api/papers/{k}").json()["year"] for k in newest_first]
    assert years == sorted(years, reverse=True)


@pytest.mark.parametrize("q", ["***", "!!", "-", "“”"])
def test_query_without_searchable_word_says_so(client, q):
    html = client.get("/papers", params={"q": q}).text
    assert 'class="notice"' in html and "has no word to search for" in html
    assert len(keys_on(html)) == 5  # the list is not narrowed, and the page says why
    body = client.get("/api/papers", params={"q": q}).json()
    assert "no word to search for" in body["notice"] and body["total"] == 5


def test_a_searchable_query_has_no_notice(client):
    html = client.get("/papers", params={"q": "lora"}).text
    assert 'class="notice"' not in html
    assert "notice" not in client.get("/api/papers", params={"q": "lora"}).json()
