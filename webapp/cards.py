"""Paper cards of the list page, rendered once per database build.

A card (one ``<li>`` of ``/papers``) depends only on its paper's row and
placements, which cannot change until the catalog is rebuilt. Rendering 25
of them (each with a dozen links through the ``placement_crumbs`` macro) was
about half the CPU of a list request, so every card is rendered once per
database generation, like the facet index (:mod:`webapp.index`), and a list
request only joins the cards of its page. This is a build-time artifact, not
a response cache: every request still filters, counts facets and renders its
page. A search page marks the matched words in its cards, so those are
rendered live, through the same macro (``templates/_paper_card.html``).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from catalog.taxonomy import Taxonomy
from webapp import queries

REPRO_LINK_TITLES = {
    "exact": "its own method is implemented in the reproduction harness",
    "family": "a reference reproduction of its technique stands in",
    "none": "nothing in the harness stands in (the paper page says why)",
}
CHUNK = 500  # keys per SQL query (well under SQLite's limit on bound parameters)


class PaperCards:
    """Every paper's unmarked card and its placement paths (``crumbs``, reused by the marked cards of a search), by key."""

    def __init__(self, cards: dict[str, Markup], crumbs: dict[str, Markup]):
        self.cards, self.crumbs = cards, crumbs

    def __getitem__(self, key: str) -> Markup:
        return self.cards[key]

    def __len__(self) -> int:
        return len(self.cards)

    def get(self, key: str) -> Markup | None:
        return self.cards.get(key)


def _macros(env: Environment) -> Any:
    return env.get_template("_paper_card.html").module


def render_cards(env: Environment, tax: Taxonomy, rows: list[dict[str, Any]], built: PaperCards | None = None) -> list[Markup]:
    """Cards for ``rows`` as :func:`queries.rows_for_keys` returns them (with search marks if it added them).

    With ``built``, each card takes its placement paths from there instead of rendering them again.
    """
    macro = _macros(env).paper_card
    if built is not None:
        for r in rows:
            crumbs = built.crumbs.get(r["key"])
            if crumbs is not None:
                r["crumbs"] = crumbs
    return [macro(r, tax, REPRO_LINK_TITLES) for r in rows]


def build_cards(con: sqlite3.Connection, env: Environment, tax: Taxonomy) -> PaperCards:
    """The unmarked card and the placement paths of every paper."""
    keys = [r[0] for r in con.execute("SELECT key FROM paper ORDER BY rowid")]
    module = _macros(env)
    cards: dict[str, Markup] = {}
    crumbs: dict[str, Markup] = {}
    for at in range(0, len(keys), CHUNK):
        for r in queries.rows_for_keys(con, keys[at : at + CHUNK]):
            r["crumbs"] = crumbs[r["key"]] = module.paper_crumbs(r["placements"], tax)
            cards[r["key"]] = module.paper_card(r, tax, REPRO_LINK_TITLES)
    return PaperCards(cards, crumbs)
