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


def card_macro(env: Environment) -> Any:
    return env.get_template("_paper_card.html").module.paper_card  # type: ignore[attr-defined]


def render_cards(env: Environment, tax: Taxonomy, rows: list[dict[str, Any]]) -> list[Markup]:
    """Cards for ``rows`` as :func:`queries.rows_for_keys` returns them (with search marks if it added them)."""
    macro = card_macro(env)
    return [macro(r, tax, REPRO_LINK_TITLES) for r in rows]


def build_cards(con: sqlite3.Connection, env: Environment, tax: Taxonomy) -> dict[str, Markup]:
    """The unmarked card of every paper, by key."""
    keys = [r[0] for r in con.execute("SELECT key FROM paper ORDER BY rowid")]
    macro = card_macro(env)
    out: dict[str, Markup] = {}
    for at in range(0, len(keys), CHUNK):
        for r in queries.rows_for_keys(con, keys[at: at + CHUNK]):
            out[r["key"]] = macro(r, tax, REPRO_LINK_TITLES)
    return out
