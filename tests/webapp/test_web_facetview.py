"""The list page's fast paths give the same bytes as the Jinja they replaced.

* The filter sidebar is written in Python (``webapp/facetview.py``); its Jinja
  formulation is kept as the oracle ``tests/support/reference_sidebar.html``.
* Paper cards are rendered once per database build (``webapp/cards.py``); a
  page of them must equal the same rows rendered live.
* Query strings are built by ``webapp.filters.urlencode``, which must equal
  :func:`urllib.parse.urlencode`.
"""

from __future__ import annotations

import random
import urllib.parse
from pathlib import Path

import pytest

pytest.importorskip("numpy")

from support.webfixture import fixture_db  # noqa: F401,E402
from test_web_index import random_params, synthetic_db  # noqa: E402,F401

from catalog.taxonomy import AXES  # noqa: E402
from webapp import cards, facetview, queries  # noqa: E402
from webapp.app import Atlas  # noqa: E402
from webapp.filters import PaperFilter, parse_filter, urlencode  # noqa: E402

REFERENCE = Path(__file__).resolve().parents[1] / "support" / "reference_sidebar.html"


def filters(atlas: Atlas, rounds: int, seed: int) -> list[PaperFilter]:
    vocab = atlas.vocab()
    # by number of papers, so that the least common venues (beyond the 30 shown) get selected too
    venues = [r[0] for r in atlas.con().execute("SELECT venue FROM paper GROUP BY venue ORDER BY COUNT(*) DESC, venue")]
    rng = random.Random(seed)
    out = [
        parse_filter([], vocab),
        parse_filter([("venue", venues[-1])], vocab),
        parse_filter([("venue", venues[0]), ("venue", venues[-1]), ("q", 'a "b" <c> & d'), ("per_page", "7")], vocab),
        parse_filter([("year_min", "2023"), ("year_max", "2023"), ("in_survey", "1"), ("sort", "title")], vocab),
    ]
    while len(out) < rounds:
        try:
            out.append(parse_filter(random_params(rng, vocab, venues), vocab))
        except Exception:
            continue
    return out


def check_sidebar(db: Path, rounds: int, seed: int) -> None:
    atlas = Atlas(db)
    reference = atlas.env.from_string(REFERENCE.read_text(encoding="utf-8"))
    tax = atlas.vocab().taxonomy
    con, index = atlas.con(), atlas.index()
    for f in filters(atlas, rounds, seed):
        facets = index.search(con, f, with_facets=True)[2]
        want = reference.render(f=f, facets=facets, tax=tax, AXES=AXES, REPRO_LINK_TITLES=cards.REPRO_LINK_TITLES)
        assert str(facetview.sidebar(f, facets or {}, tax, cards.REPRO_LINK_TITLES)) == want, f.params()


def test_sidebar_equals_jinja_reference_on_fixture(fixture_db):
    check_sidebar(fixture_db, 80, seed=3)


def test_sidebar_equals_jinja_reference_on_synthetic_catalog(synthetic_db):
    check_sidebar(synthetic_db, 80, seed=4)


def test_prebuilt_cards_equal_live_rendering(synthetic_db):
    atlas = Atlas(synthetic_db)
    con, index, built = atlas.con(), atlas.index(), atlas.cards()
    tax = atlas.vocab().taxonomy
    assert len(built) == con.execute("SELECT COUNT(*) FROM paper").fetchone()[0]
    for f in filters(atlas, 30, seed=5):
        keys = index.search(con, f)[1]
        live = cards.render_cards(atlas.env, tax, queries.rows_for_keys(con, keys))
        assert [built[k] for k in keys] == live
        # a search page's cards take their placement paths from the build: the same as rendering them
        if keys:
            marked = queries.rows_for_keys(con, keys[:5], "learning")
            fresh = cards.render_cards(atlas.env, tax, [dict(r) for r in marked])
            assert cards.render_cards(atlas.env, tax, marked, built) == fresh


def test_urlencode_equals_the_standard_library():
    pairs = [("family", "LLM"), ("venue", "ICLR 2025"), ("q", 'a "b" <c> & d/é~x_y.z-1'), ("q", ""), ("k y", "+%="), ("dataset", "MMLU-Pro")]
    for n in range(len(pairs) + 1):
        assert urlencode(pairs[:n]) == urllib.parse.urlencode(pairs[:n])


def test_link_fast_paths_equal_building_the_filter(synthetic_db):
    """toggle_href and href(**changes) build query strings from cached pieces; they must equal the slow definitions."""
    atlas = Atlas(synthetic_db)
    vocab = atlas.vocab()
    for f in filters(atlas, 60, seed=6):
        assert f.query() == urllib.parse.urlencode(f.params()) and f.query(paging=False) == urllib.parse.urlencode(f.params(paging=False))
        for name in ("setting", "increment", "family", "technique", "venue", "kind", "reproduction"):
            values = vocab.allowed(name)[:6] + list(getattr(f, name))
            for v in values:
                assert f.toggle_href(name, v) == f.toggled(name, v).href(), (f.params(), name, v)
        for changes in (
            {"has_code": True},
            {"in_survey": None},
            {"year_min": 2020, "year_max": 2020},
            {"year_min": None, "year_max": None},
            {"page": 3},
            {"q": "", "fts_query": ""},
            {"venue": ()},
        ):
            assert f.href(**changes) == f.with_(**changes).href(), (f.params(), changes)
