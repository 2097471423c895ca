"""The filter state of a paper list, parsed from query parameters.

One parser serves the HTML list, the JSON API and the exports, so that a URL
means the same thing everywhere and can be shared: ``?family=LLM`` on
``/papers``, ``/api/papers`` and ``/export/papers.bib`` selects the same
papers. Every value is checked against what the catalog knows (taxonomy axes
from the ``taxonomy_value`` table, venues, kinds, datasets); anything else is
reported back as a clear 400 message rather than silently matching nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import quote_plus

from catalog.links import LINK_KINDS
from catalog.taxonomy import AXES, Taxonomy, suggest, unknown_value_message

LIST_PARAMS: tuple[str, ...] = AXES + ("venue", "kind", "dataset", "reproduction")
BOOL_PARAMS: tuple[str, ...] = ("has_code", "has_reproduction", "in_survey")
SCALAR_PARAMS: tuple[str, ...] = ("year_min", "year_max") + BOOL_PARAMS + ("q", "sort", "page", "per_page")
ALL_PARAMS: tuple[str, ...] = LIST_PARAMS + SCALAR_PARAMS
SORTS: dict[str, str] = {"-year": "newest first", "year": "oldest first", "title": "title A-Z", "-title": "title Z-A", "relevance": "best match"}
DEFAULT_SORT = ""  # no sort asked for: best match when searching, else newest first
BROWSE_SORT = "-year"
MIN_PREFIX = 2  # a search word this long or longer also matches longer words (``contin`` → "continual")
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200
MAX_PAGE = 100_000
MAX_Q = 300
MAX_VALUES = 50
YEAR_RANGE = (1900, 2100)
# the spellings pydantic accepts for a boolean, so the API's declared parameters and this parser agree
TRUE = {"1", "true", "yes", "on", "t", "y"}
FALSE = {"0", "false", "no", "off", "f", "n"}


_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*\Z").match  # what quote_plus leaves as it is


@lru_cache(maxsize=4096)
def _quote(text: str) -> str:
    """:func:`quote_plus`, remembered: the same venue and taxonomy values recur in every list page's links."""
    return quote_plus(text)


def _enc(name: str, value: str) -> str:
    """``name=value`` exactly as :func:`urllib.parse.urlencode` writes it, without calling quote for plain words."""
    return (name if _PLAIN(name) else _quote(name)) + "=" + (value if _PLAIN(value) else _quote(value))


def urlencode(params: Iterable[tuple[str, str]]) -> str:
    """:func:`urllib.parse.urlencode` for string pairs (the same output; a list page builds about a hundred of these)."""
    return "&".join([_enc(k, v) for k, v in params])


class FilterError(ValueError):
    """Invalid query parameters; ``errors`` holds one readable message per problem."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Vocabulary:
    """What filter values the catalog knows, read once per database build."""

    taxonomy: Taxonomy
    venues: frozenset[str]
    kinds: frozenset[str]
    datasets: frozenset[str]

    def allowed(self, name: str) -> list[str]:
        if name in AXES:
            return self.taxonomy.allowed(name)
        if name == "reproduction":
            return list(LINK_KINDS)  # a fixed vocabulary: catalog.links
        return sorted({"venue": self.venues, "kind": self.kinds, "dataset": self.datasets}[name])


@dataclass(frozen=True)
class PaperFilter:
    """A validated filter state. Lists are OR within a field and AND across fields.

    The four taxonomy axes constrain one and the same placement, so
    ``family=LLM&increment=TIL`` means "placed on a path that is both LLM and
    TIL", not "LLM somewhere and TIL somewhere else".
    """

    setting: tuple[str, ...] = ()
    increment: tuple[str, ...] = ()
    family: tuple[str, ...] = ()
    technique: tuple[str, ...] = ()
    venue: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    dataset: tuple[str, ...] = ()
    reproduction: tuple[str, ...] = ()  # link kinds (exact / family / none) of data/reproductions/links.yaml
    year_min: int | None = None
    year_max: int | None = None
    has_code: bool | None = None
    has_reproduction: bool | None = None
    in_survey: bool | None = None  # True: papers the survey lists; False: papers added beyond it
    q: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    fts_query: str = field(default="", compare=False)
    notices: tuple[str, ...] = field(default=(), compare=False)  # why a well-formed filter matches nothing

    @property
    def effective_sort(self) -> str:
        """The order used: a search is ranked by relevance unless another order is asked for."""
        if self.sort in (DEFAULT_SORT, "relevance"):
            return "relevance" if self.fts_query else BROWSE_SORT
        return self.sort

    @property
    def unsearchable(self) -> bool:
        """True when ``q`` was given but holds no word to search for (so it cannot narrow the list)."""
        return bool(self.q) and not self.fts_query

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def is_empty(self) -> bool:
        """True when nothing narrows the list (sort and paging aside)."""
        return (
            not any(getattr(self, n) for n in LIST_PARAMS)
            and self.year_min is None
            and self.year_max is None
            and all(getattr(self, n) is None for n in BOOL_PARAMS)
            and not self.fts_query
        )

    def params(self, *, paging: bool = True) -> list[tuple[str, str]]:
        """The query parameters that reproduce this state (defaults left out)."""
        return _params(self.__dict__, paging)

    def query(self, *, paging: bool = True) -> str:
        return urlencode(self.params(paging=paging))

    def href(self, base: str = "/papers", **changes: object) -> str:
        """URL of this state with ``changes`` applied; a filter change goes back to page 1."""
        if changes:
            # the parameters of self.with_(**changes), without building that filter
            changes.setdefault("page", 1)
            qs = urlencode(_params({**self.__dict__, **changes}, True))
        else:
            qs = self.query()
        return f"{base}?{qs}" if qs else base

    def with_(self, **changes: object) -> PaperFilter:
        if "page" not in changes:
            changes["page"] = 1
        return replace(self, **changes)  # type: ignore[arg-type]

    @cached_property
    def _link_params(self) -> tuple[tuple[str, str], ...]:
        """This state's parameters minus the page number: the base of every facet link."""
        return tuple(p for p in self.params() if p[0] != "page")

    def toggle_href(self, name: str, value: str, base: str = "/papers") -> str:
        """URL with ``value`` added to or removed from list field ``name`` (back to page 1).

        Same result as ``toggled(name, value).href(base)``, without building a
        new filter object for each of the hundred facet links on a page.
        """
        params = self._link_params
        if value in getattr(self, name):
            at = params.index((name, value))
            parts = [*self._link_parts[:at], *self._link_parts[at + 1 :]]
        else:
            at = self._insert_positions[name]
            parts = [*self._link_parts[:at], _enc(name, value), *self._link_parts[at:]]
        qs = "&".join(parts)
        return f"{base}?{qs}" if qs else base

    @cached_property
    def _insert_positions(self) -> dict[str, int]:
        """Where :meth:`toggle_href` inserts a new value of each list field."""
        params = list(self._link_params)
        return {name: _insert_at(params, name) for name in LIST_PARAMS}

    @cached_property
    def _link_parts(self) -> list[str]:
        """:attr:`_link_params` encoded, one ``name=value`` each."""
        return [_enc(k, v) for k, v in self._link_params]

    def toggled(self, name: str, value: str) -> PaperFilter:
        """The state with ``value`` added to or removed from list field ``name``."""
        current: tuple[str, ...] = getattr(self, name)
        new = tuple(v for v in current if v != value) if value in current else current + (value,)
        return self.with_(**{name: new})


def _params(state: dict[str, Any], paging: bool) -> list[tuple[str, str]]:
    """:meth:`PaperFilter.params` of the filter whose fields are ``state``."""
    out: list[tuple[str, str]] = []
    for name in LIST_PARAMS:
        out.extend((name, v) for v in state[name])
    for name in ("year_min", "year_max"):
        if state[name] is not None:
            out.append((name, str(state[name])))
    for name in BOOL_PARAMS:
        if state[name] is not None:
            out.append((name, "1" if state[name] else "0"))
    if state["q"]:
        out.append(("q", state["q"]))
    if state["sort"] != DEFAULT_SORT:
        out.append(("sort", state["sort"]))
    if paging:
        if state["page"] != 1:
            out.append(("page", str(state["page"])))
        if state["per_page"] != DEFAULT_PER_PAGE:
            out.append(("per_page", str(state["per_page"])))
    return out


def _insert_at(params: list[tuple[str, str]], name: str) -> int:
    """Where a new value of list field ``name`` goes so that the order matches :meth:`PaperFilter.params`."""
    rank = LIST_PARAMS.index(name)
    at = 0
    for i, (k, _) in enumerate(params):
        if k in LIST_PARAMS and LIST_PARAMS.index(k) <= rank:
            at = i + 1
    return at


def parse_flags(params: Iterable[tuple[str, str]], names: tuple[str, ...]) -> dict[str, bool]:
    """Yes/no switches of a page (``?table1=1``): each given at most once; empty means no; anything else is a 400."""
    out: dict[str, bool] = {}
    errors = []
    for name, value in params:
        if name not in names:
            errors.append(f"unknown parameter {name!r}; this page takes {', '.join(names)}")
        elif name in out:
            errors.append(f"{name} given more than once")
        elif value.lower() in TRUE:
            out[name] = True
        elif value == "" or value.lower() in FALSE:
            out[name] = False
        else:
            errors.append(f"{name} must be 1/true/yes or 0/false/no, got {value!r}")
    if errors:
        raise FilterError(errors)
    return {n: out.get(n, False) for n in names}


def fts_query(q: str) -> str:
    """A safe FTS5 MATCH expression for free text: every word quoted, ANDed, matched as a prefix.

    User input never reaches FTS5 syntax, so ``"``, ``*``, ``NEAR(`` or a bare
    ``AND`` cannot cause a syntax error. A word with inner punctuation
    (``MoE-Adapters4CL``, ``2310.15694``) becomes one phrase, so its parts must
    follow each other as they do in the text. Every word of at least
    :data:`MIN_PREFIX` characters is a prefix (``contin`` finds "continual",
    as the results page marks it); a trailing ``*`` is accepted and changes
    nothing. An empty result means the query has no searchable word.
    """
    terms: list[str] = []
    for raw in q.split():
        parts = "".join(ch if ch.isalnum() else " " for ch in raw).split()
        if not parts:
            continue
        phrase = '"' + " ".join(parts).replace('"', '""') + '"'
        if len(parts[-1]) >= MIN_PREFIX:
            phrase += "*"
        terms.append(phrase)
    return " ".join(terms[:32])


def _items(params: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in params:
        out.setdefault(k, []).append(v)
    return out


def parse_filter(params: Iterable[tuple[str, str]], vocab: Vocabulary, *, allow: Iterable[str] = ()) -> PaperFilter:
    """Validate query parameters into a :class:`PaperFilter`, or raise :class:`FilterError`.

    Empty values are ignored (an HTML form sends ``venue=`` for "any").
    ``allow`` names extra parameters the caller handles itself.

    A filter that is well formed but can match nothing (``year_min`` after
    ``year_max``, an increment under a setting that is not selected) is not
    an error: it selects no paper, and ``notices`` says why. Only values the
    catalog does not know, or malformed ones, are refused.
    """
    raw = _items(params)
    errors: list[str] = []
    extra = set(allow)
    for name in raw:
        if name not in ALL_PARAMS and name not in extra:
            near = suggest(name, list(ALL_PARAMS))
            errors.append(f"unknown parameter {name!r}" + (f"; did you mean {near!r}?" if near else f"; known: {', '.join(ALL_PARAMS)}"))
    values: dict[str, object] = {}
    for name in LIST_PARAMS:
        given = [v for v in raw.get(name, []) if v != ""]
        if len(given) > MAX_VALUES:
            errors.append(f"too many values for {name} (at most {MAX_VALUES})")
            continue
        allowed = vocab.allowed(name)
        allowed_set = set(allowed)
        for v in given:
            if v not in allowed_set:
                if name in AXES:
                    msg, hint = unknown_value_message(name, v, allowed)
                else:
                    near = suggest(v, allowed)
                    msg, hint = f"{v!r} is not a known {name}", (f"did you mean {near!r}?" if near else None)
                errors.append(msg + (f"; {hint}" if hint else ""))
        values[name] = tuple(dict.fromkeys(given))
    scalars: dict[str, str] = {}
    for name in SCALAR_PARAMS:
        given = [v for v in raw.get(name, []) if v.strip()]
        if len(given) > 1:
            errors.append(f"{name} given {len(given)} times; give it once")
        elif given:
            scalars[name] = given[0].strip() if name != "q" else given[0]
    for name, lo, hi in (("year_min", *YEAR_RANGE), ("year_max", *YEAR_RANGE), ("page", 1, MAX_PAGE), ("per_page", 1, MAX_PER_PAGE)):
        if name in scalars:
            try:
                n = int(scalars[name])
            except ValueError:
                errors.append(f"{name} must be a whole number, got {scalars[name]!r}")
                continue
            if not lo <= n <= hi:
                errors.append(f"{name} must be between {lo} and {hi}, got {n}")
                continue
            values[name] = n
    for name in BOOL_PARAMS:
        if name in scalars:
            v = scalars[name].lower()
            if v in TRUE:
                values[name] = True
            elif v in FALSE:
                values[name] = False
            else:
                errors.append(f"{name} must be 1/true/yes or 0/false/no, got {scalars[name]!r}")
    if "sort" in scalars:
        if scalars["sort"] in SORTS:
            values["sort"] = scalars["sort"]
        else:
            errors.append(f"sort must be one of {', '.join(SORTS)}, got {scalars['sort']!r}")
    if "q" in scalars:
        q = scalars["q"].strip()
        if len(q) > MAX_Q:
            errors.append(f"q is too long ({len(q)} characters; at most {MAX_Q})")
        else:
            values["q"] = q
            values["fts_query"] = fts_query(q)
    if errors:
        raise FilterError(errors)
    return PaperFilter(**values, notices=tuple(empty_reasons(values, vocab)))  # type: ignore[arg-type]


def empty_reasons(values: dict[str, object], vocab: Vocabulary) -> list[str]:
    """Why a valid combination of values selects nothing, in words (shown above the empty list)."""
    out = []
    ymin, ymax = values.get("year_min"), values.get("year_max")
    if isinstance(ymin, int) and isinstance(ymax, int) and ymin > ymax:
        out.append(f"year_min ({ymin}) is after year_max ({ymax}), so no year is in the range")
    settings: Any = values.get("setting") or ()  # validated lists of strings by now
    increments: Any = values.get("increment") or ()
    if settings and increments:
        owners = {inc: vocab.taxonomy.setting_of(inc) for inc in increments}
        if all(owner and owner not in settings for owner in owners.values()):
            out.extend(f"increment {inc!r} belongs to setting {owner!r}, which is not selected" for inc, owner in owners.items())
    return out
