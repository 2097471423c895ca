"""Marking search matches in titles, authors and summaries, in Python.

FTS5 decides *which* papers match; this module only marks *where*, for the
25 rows on screen. FTS5's own ``highlight()``/``snippet()`` cost about 0.1 ms
per row because each call re-enters the full-text query (3 ms a page for a
common word), while a compiled regex over three short strings costs
microseconds. A word is marked when it starts with a search term (so
``contin`` marks "continual", as the porter stemmer would match it), ignoring
case and diacritics.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from webapp.queries import HL_END, HL_START

WORD = re.compile(r"\w+")


def _fold(text: str) -> str:
    """Lower case without diacritics, keeping the string's length (one char per char)."""
    if text.isascii():
        return text.lower()
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base.lower() if len(base.lower()) == 1 else ch)
    return "".join(out)


@lru_cache(maxsize=512)
def terms_of(q: str) -> tuple[str, ...]:
    """The search words of a query, folded, longest first (as :func:`webapp.filters.fts_query` splits them)."""
    words = {_fold(w) for w in WORD.findall(q.replace("_", " "))}
    return tuple(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=512)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\w*", re.IGNORECASE)


def _spans(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the words starting with a term are; folding only for non-ASCII text (rare and slower)."""
    folded = text if text.isascii() else _fold(text)
    return [m.span() for m in _pattern(terms).finditer(folded)]


def mark(text: str | None, q: str) -> str | None:
    """``text`` with each matching word wrapped in the highlight marks (escaped later, marks after)."""
    if not text:
        return text
    terms = terms_of(q)
    if not terms:
        return text
    out, last = [], 0
    for a, b in _spans(text, terms):
        out.append(text[last:a])
        out.append(HL_START + text[a:b] + HL_END)
        last = b
    out.append(text[last:])
    return "".join(out)


def snippet(text: str | None, q: str, words: int = 24) -> str | None:
    """About ``words`` words of ``text`` around its first match, marked; ``None`` when nothing matches."""
    if not text:
        return None
    terms = terms_of(q)
    spans = _spans(text, terms) if terms else []
    if not spans:
        return None
    first = spans[0][0]
    before = [m.start() for m in WORD.finditer(text, 0, first)]
    lo = before[-(words // 3)] if len(before) >= words // 3 and words // 3 else (before[0] if before else first)
    after = WORD.finditer(text, first)
    end = first
    for i, m in enumerate(after):
        end = m.end()
        if i + 1 >= words - min(len(before), words // 3):
            break
    prefix = "…" if lo > (before[0] if before else first) else ""
    suffix = "…" if WORD.search(text, end) else ""
    return prefix + (mark(text[lo:end], q) or "") + suffix
