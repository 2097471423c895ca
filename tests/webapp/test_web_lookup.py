"""``/papers/<name>`` for a name that is not a key: an exact acronym or arXiv id redirects, anything else suggests."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")

from support.webfixture import LORA_KEY, client, fixture_db  # noqa: F401,E402


@pytest.mark.parametrize(
    "name, key",
    [
        ("O-LoRA", "wang2023orthogonal"),
        ("olora", "wang2023orthogonal"),  # case and punctuation do not matter
        ("2310.14152", "wang2023orthogonal"),  # its arXiv id
        ("2310.14152v2", "wang2023orthogonal"),
        ("2311.00001", LORA_KEY),  # an alias's arXiv id
    ],
)
def test_exact_name_redirects_with_a_relative_location(client, name, key):
    r = client.get(f"/papers/{name}", follow_redirects=False)
    assert r.status_code == 302
    assert r.headers["location"] == f"/papers/{key}"  # relative: no scheme or host


def test_unknown_name_is_a_404_with_suggestions(client):
    r = client.get("/papers/wang2023orthogonl")  # a typo in a key
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert "no paper with key" in r.text and "Did you mean" in r.text
    assert 'href="/papers/wang2023orthogonal"' in r.text


def test_words_of_an_unknown_name_suggest_papers(client):
    r = client.get("/papers/lowrank-experts")
    assert r.status_code == 404 and f'href="/papers/{LORA_KEY}"' in r.text


def test_nothing_close_says_so(client):
    r = client.get("/papers/zzzzqqq")
    assert r.status_code == 404 and "No paper in the catalog comes close" in r.text


def test_lookup_texts_are_escaped(client):
    r = client.get("/papers/<script>alert(1)</script>")
    assert r.status_code == 404 and "<script>alert(1)</script>" not in r.text


def test_api_paper_does_not_redirect(client):
    assert client.get("/api/papers/O-LoRA", follow_redirects=False).status_code == 404
