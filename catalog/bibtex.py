"""Parsing and checking a paper's BibTeX with bibtexparser (v2).

A paper keeps its BibTeX as text because that is what a reader copies into
LaTeX; this module makes sure that text is one well-formed entry that agrees
with the YAML fields, and derives the author list from it so that authors are
written down once. Names are decoded from LaTeX to Unicode here (``Vuli{\\'c}``
→ "Vulić"), once, so every page and export shows them alike; the BibTeX
text itself is kept as written, so .bib exports stay valid BibTeX.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

import bibtexparser
from bibtexparser import middlewares as mw
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field, ParsingFailedBlock, String

logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # we report failures ourselves

_LATEX_CMD = re.compile(r"\\[a-zA-Z]+\s*|\\.")


class BibtexProblem(ValueError):
    """The BibTeX text is not a single well-formed entry."""


@dataclass(frozen=True)
class BibEntry:
    """The parts of a BibTeX entry the catalog uses."""

    key: str
    entry_type: str
    fields: dict[str, str]
    authors: list[str]  # "Given Family", in order


def strip_latex(text: str) -> str:
    """Drop braces and simple LaTeX commands: ``{S}ubspace`` → ``Subspace``."""
    return re.sub(r"\s+", " ", _LATEX_CMD.sub("", text).replace("{", "").replace("}", "")).strip()


def normalise_title(title: str) -> str:
    """A title reduced for duplicate detection: no accents, case, braces or punctuation."""
    text = unicodedata.normalize("NFKD", strip_latex(title))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


# bibtexparser's own LaTeX → Unicode decoder (built on pylatexenc, which it
# depends on); braces are dropped, so ``{De Lange}`` reads "De Lange".
_DECODER = mw.LatexDecodingMiddleware()


def latex_to_unicode(text: str) -> str:
    """``Vuli{\\'c}`` → ``Vulić``: LaTeX accents and escapes as Unicode, for display.

    Text that does not decode keeps its :func:`strip_latex` form, so a stray
    macro costs an accent, never an error.
    """
    decoded = _DECODER.transform(Library([String("text", text)])).blocks[0]
    if not isinstance(decoded, String):
        return strip_latex(text)
    return re.sub(r"\s+", " ", str(decoded.value)).strip()


_LATEX_MARKUP = re.compile(r"[\\~$]")  # what a plain name never holds; braces alone strip_latex handles


def _decode_names(names: list[mw.NameParts]) -> list[mw.NameParts]:
    """Decode every part of every name, after splitting (so braces still protect an "and").

    Only names with LaTeX markup go through the decoder: it costs about a
    millisecond an entry, which a 100k-paper build cannot spend on plain names.
    """
    marked = [n for n in names if any(_LATEX_MARKUP.search(part) for part in n.first + n.von + n.last + n.jr)]
    if not marked:
        return names
    entry = Entry("misc", "names", [Field(str(i), n) for i, n in enumerate(marked)])
    decoded = _DECODER.transform(Library([entry])).blocks[0]
    if not isinstance(decoded, Entry):
        return names  # undecodable: the display falls back to strip_latex
    by_id = {id(n): f.value for n, f in zip(marked, decoded.fields)}
    return [by_id.get(id(n), n) for n in names]


def _display_name(parts: mw.NameParts) -> str:
    names = parts.first + parts.von + parts.last
    name = " ".join(strip_latex(p) for p in names if p)
    if parts.jr:
        name += ", " + " ".join(parts.jr)
    return name


def parse_entry(text: str) -> BibEntry:
    """Parse text that must hold exactly one BibTeX entry."""
    library = bibtexparser.parse_string(text, append_middleware=[mw.SeparateCoAuthors(), mw.SplitNameParts()])
    failed = [b for b in library.blocks if isinstance(b, ParsingFailedBlock)]
    if failed:
        err = failed[0].error
        raise BibtexProblem(f"BibTeX does not parse: {err}")
    if not library.entries:
        raise BibtexProblem("BibTeX holds no entry")
    if len(library.entries) > 1:
        keys = ", ".join(e.key for e in library.entries)
        raise BibtexProblem(f"BibTeX holds {len(library.entries)} entries ({keys}); exactly one is allowed")
    entry = library.entries[0]
    fields: dict[str, str] = {}
    authors: list[str] = []
    for f in entry.fields:
        key = f.key.lower()
        if key == "author" and isinstance(f.value, list):
            authors = [_display_name(p) for p in _decode_names(f.value)]
            fields[key] = " and ".join(authors)
        else:
            fields[key] = str(f.value)
    return BibEntry(entry.key, entry.entry_type.lower(), fields, authors)
