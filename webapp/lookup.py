"""Finding a paper from a name that is not its citation key.

Readers type what they know into ``/papers/<name>``: the acronym shown on a
card (``O-LoRA``), an arXiv id, an earlier preprint's id. This module answers
two questions about such a name: which single paper it names exactly (the
page then redirects there), and, when none does, which papers are closest
(the 404 page lists them instead of a dead end). Full-text matching is the
list's own (:func:`webapp.filters.fts_query` over ``paper_fts``), so a
suggestion is a paper the search box would also find.
"""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
from dataclasses import dataclass

from webapp.filters import fts_query
from webapp.queries import ORDER_BY

MAX_SUGGESTIONS = 8
_ARXIV_PREFIX = re.compile(r"^(arxiv:|https?://arxiv\.org/abs/)", re.I)
_VERSION = re.compile(r"v\d+$")


@dataclass(frozen=True)
class Suggestion:
    key: str
    title: str
    year: int
    acronym: str | None
    why: str  # what matched, shown beside the link


def _fold(text: str) -> str:
    """Acronyms compared without case and punctuation: ``o-lora`` names O-LoRA."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def exact_match(con: sqlite3.Connection, name: str) -> str | None:
    """The key of the one paper whose acronym, arXiv id or alias arXiv id is ``name``; ``None`` if none or several."""
    name = name.strip()
    arxiv = _VERSION.sub("", _ARXIV_PREFIX.sub("", name))
    found: set[str] = set()
    folded = _fold(name)
    if folded:
        found |= {k for k, acronym in con.execute("SELECT key, survey_acronym FROM paper WHERE survey_acronym IS NOT NULL") if _fold(acronym) == folded}
    found |= {r[0] for r in con.execute("SELECT key FROM paper WHERE arxiv = ?", (arxiv,))}
    for key, aliases in con.execute("SELECT key, aliases_json FROM paper WHERE aliases_json != '[]'"):
        if any(a.get("arxiv") == arxiv for a in json.loads(aliases)):
            found.add(key)
    return found.pop() if len(found) == 1 else None


def suggestions(con: sqlite3.Connection, name: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Papers close to ``name``: similar keys or acronyms first, then full-text matches of its words."""
    rows = {r[0]: r for r in con.execute("SELECT key, title, year, survey_acronym FROM paper")}
    out: dict[str, str] = {}
    low = name.lower()
    for key in difflib.get_close_matches(low, list(rows), n=limit, cutoff=0.75):
        out.setdefault(key, "similar key")
    acronyms = {_fold(r[3]): k for k, r in rows.items() if r[3]}
    for folded in difflib.get_close_matches(_fold(name), list(acronyms), n=limit, cutoff=0.75):
        out.setdefault(acronyms[folded], "similar acronym")
    # the words of the name (a key like "wang2023orthogonal" reads "wang 2023 orthogonal")
    words = " ".join(re.findall(r"[a-z]+|\d+", low))
    query = fts_query(words)
    if query:
        sql = f"SELECT p.key FROM paper_fts JOIN paper p ON p.rowid = paper_fts.rowid WHERE paper_fts MATCH ? ORDER BY {ORDER_BY['relevance']} LIMIT ?"
        for (key,) in con.execute(sql, (query, limit)):
            out.setdefault(key, "matches its words")
        if len(out) < limit and len(query.split()) > 1:  # no paper has every word: any of them
            any_word = " OR ".join(query.split())
            for (key,) in con.execute(sql, (any_word, limit)):
                out.setdefault(key, "matches some of its words")
    return [Suggestion(k, rows[k][1], rows[k][2], rows[k][3], why) for k, why in list(out.items())[:limit]]
