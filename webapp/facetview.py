"""The filter sidebar of the paper list (``<aside class="facets">``), written out in Python.

The sidebar holds about a hundred links, each a URL of the current filter
with one value toggled, and every count. Through Jinja (a call, an attribute
lookup and an escape per expression) it took about 85 % of the list page's
template time, more than the filtering and facet counting together. This
module writes the same bytes with plain string joins. The Jinja formulation
it replaced is kept as the test oracle (``tests/support/reference_sidebar.html``),
and the tests render both for many filters and require identical output,
so the two cannot drift apart; change both together.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

from catalog.taxonomy import AXES, Taxonomy
from webapp.filters import SORTS, PaperFilter
from webapp.queries import FacetValue

HIDDEN_LISTS = ("setting", "increment", "family", "technique", "venue", "kind", "dataset", "reproduction")
BOOL_FACETS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("in_survey", "Survey", {"1": "in the survey", "0": "beyond the survey"}),
    ("has_code", "Has code", {}),
    ("has_reproduction", "Has reproduction", {}),
)
VENUES_SHOWN = 30
CHECK = "✓ "


_SPECIAL = re.compile(r"[&<>\"']").search


def _e(value: Any) -> str:
    """HTML-escaped text, as Jinja's autoescape writes ``{{ value }}`` (plain text is returned as it is)."""
    if type(value) is str and not _SPECIAL(value):
        return value
    return str(escape(value))


def extension_badge(v: Any) -> str:
    """The ``extension_badge`` macro of ``_macros.html``."""
    if not (v and v.extension):
        return ""
    rationale = f": {_e(v.rationale)}" if v.rationale else ""
    return f'<span class="badge ext" title="Added by CL Atlas beyond the survey\'s taxonomy{rationale}">extension</span>'


def badges(tax: Taxonomy) -> dict[tuple[str, str], str]:
    """The extension badge of every taxonomy value (empty for the survey's own values), by (axis, value)."""
    return {(axis, v.value): extension_badge(v) for axis in AXES for v in tax.values[axis]}


def sidebar(
    f: PaperFilter, facets: dict[str, list[FacetValue]], tax: Taxonomy, repro_titles: dict[str, str], value_badges: dict[tuple[str, str], str] | None = None
) -> Markup:
    """The ``<aside>`` of ``/papers`` for filter ``f`` and its facet counts (``value_badges``: :func:`badges` of ``tax``)."""
    if value_badges is None:
        value_badges = badges(tax)
    out: list[str] = []
    w = out.append
    active = sum(1 for name, _ in f.params(paging=False) if name != "sort")
    w(
        '<aside class="facets" aria-label="Filters">\n  <details class="filters">\n'
        f"  <summary>Filters{f' · {active} active' if active else ''}</summary>\n"
        '  <form action="/papers" method="get" class="facet-form">\n'
        f'    <label>Search <input type="search" name="q" value="{_e(f.q)}"></label>\n'
    )
    for name in HIDDEN_LISTS:
        for v in getattr(f, name):
            w(f'<input type="hidden" name="{name}" value="{_e(v)}">')
    ymin = "" if f.year_min is None else f.year_min
    ymax = "" if f.year_max is None else f.year_max
    w(
        '    <fieldset class="years"><legend>Years</legend>\n'
        f'      <input type="number" name="year_min" value="{ymin}" min="1900" max="2100" placeholder="from" aria-label="from year">\n'
        f'      <input type="number" name="year_max" value="{ymax}" min="1900" max="2100" placeholder="to" aria-label="to year">\n'
        "    </fieldset>\n"
    )
    for name in ("has_code", "has_reproduction", "in_survey"):
        value = getattr(f, name)
        if value is not None:
            w(f'<input type="hidden" name="{name}" value="{1 if value else 0}">')
    w('    <label>Sort <select name="sort"><option value=""' + ("" if f.sort else " selected") + ">best match when searching, else newest</option>")
    for k, label in SORTS.items():
        w(f'<option value="{_e(k)}"' + (" selected" if k == f.sort else "") + f">{_e(label)}</option>")
    w("</select></label>\n")
    if f.per_page != 25:
        w(f'<input type="hidden" name="per_page" value="{f.per_page}">')
    w('    <button type="submit">Apply</button>\n  </form>\n')
    if not f.is_empty():
        w('<p><a class="clear" href="/papers">Clear all filters</a></p>')

    for axis in AXES:
        w(f'  <section class="facet" data-facet="{_e(axis)}">\n    <h3>{_e(tax.axis_labels[axis])}</h3>\n    <ul>\n')
        for v in facets[axis]:
            cls = ("selected" if v.selected else "") + (" empty" if not v.count and not v.selected else "")
            badge = value_badges.get((axis, v.value), "")
            if v.count or v.selected:
                item = f'<a href="{_e(f.toggle_href(axis, v.value))}" title="{_e(v.label)}">' + (CHECK if v.selected else "") + f"{_e(v.value)}{badge}</a>"
            else:
                item = f"<span>{_e(v.value)}{badge}</span>"
            w(f'      <li class="{cls}">\n{item}        <span class="count">{v.count}</span>\n      </li>\n')
        w("    </ul>\n  </section>\n")

    for name, title, labels in BOOL_FACETS:
        w(f'  <section class="facet" data-facet="{name}">\n    <h3>{title}</h3>\n    <ul>\n')
        for v in facets[name]:
            href = f.href("/papers", **{name: (None if v.selected else (v.value == "1"))})
            w(
                f'      <li class="{"selected" if v.selected else ""}">\n'
                f'        <a href="{_e(href)}">'
                + (CHECK if v.selected else "")
                + f'{_e(labels.get(v.value, v.label))}</a> <span class="count">{v.count}</span>\n'
                "      </li>\n"
            )
        w("    </ul>\n  </section>\n")

    w('  <section class="facet" data-facet="year">\n    <h3>Year</h3>\n    <ul class="columns">\n')
    for v in facets["year"]:
        href = f.href(year_min=None, year_max=None) if v.selected else f.href(year_min=int(v.value), year_max=int(v.value))
        w(
            f'      <li class="{"selected" if v.selected else ""}"><a href="{_e(href)}">'
            + (CHECK if v.selected else "")
            + f'{_e(v.value)}</a> <span class="count">{v.count}</span></li>\n'
        )
    w("    </ul>\n  </section>\n")

    w(
        '  <section class="facet" data-facet="reproduction">\n'
        '    <h3 title="How the paper relates to the reproduction harness (data/reproductions/links.yaml)">Reproduction link</h3>\n    <ul>'
    )
    for v in facets["reproduction"]:
        cls = ("selected" if v.selected else "") + (" empty" if not v.count and not v.selected else "")
        if v.count or v.selected:
            item = (
                f'<a href="{_e(f.toggle_href("reproduction", v.value))}" title="{_e(repro_titles[v.value])}">'
                + (CHECK if v.selected else "")
                + f"{_e(v.value)}</a>"
            )
        else:
            item = f"<span>{_e(v.value)}</span>"
        w(f'<li class="{cls}">{item} <span class="count">{v.count}</span></li>')
    w("</ul>\n  </section>\n")

    w('  <section class="facet" data-facet="kind">\n    <h3>Kind</h3>\n    <ul>')
    for v in facets["kind"]:
        w(
            f'<li class="{"selected" if v.selected else ""}"><a href="{_e(f.toggle_href("kind", v.value))}">'
            + (CHECK if v.selected else "")
            + f'{_e(v.value)}</a> <span class="count">{v.count}</span></li>'
        )
    w("</ul>\n  </section>\n")

    venues = facets["venue"]
    w('  <section class="facet" data-facet="venue">\n    <h3>Venue</h3>\n    <ul class="venues">\n')
    for v in venues[:VENUES_SHOWN]:
        w(
            f'<li class="{"selected" if v.selected else ""}"><a href="{_e(f.toggle_href("venue", v.value))}">'
            + (CHECK if v.selected else "")
            + f'{_e(v.value)}</a> <span class="count">{v.count}</span></li>'
        )
    for v in venues[VENUES_SHOWN:]:
        if v.selected:
            w(f'<li class="selected"><a href="{_e(f.toggle_href("venue", v.value))}">✓ {_e(v.value)}</a> <span class="count">{v.count}</span></li>')
    w("    </ul>\n")
    if len(venues) > VENUES_SHOWN:
        w(f'<p class="muted small">{len(venues) - VENUES_SHOWN} more venues</p>')
    w("  </section>\n  </details>\n</aside>")
    return Markup("".join(out))
