"""The citation-key rule (docs/data-format.md), in one place.

``<first author's family name><year><first significant title word>``, all
lower-case ASCII letters and digits: diacritics dropped, hyphens, spaces and
punctuation removed, a small list of title words skipped. On a clash with a
different paper, ``b``, ``c``, … is appended (:func:`next_free_key`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

from catalog.bibtex import strip_latex

SKIP_WORDS = frozenset("a an the on of in for to toward towards with and via from is are how what when do does can".split())


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only: ``Délange-Ü`` → ``delangeu``."""
    text = unicodedata.normalize("NFKD", strip_latex(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def first_significant_word(title: str) -> str:
    """The first title word not in :data:`SKIP_WORDS`, as an ASCII slug."""
    for word in strip_latex(title).split():
        slug = ascii_slug(word)
        if slug and slug not in SKIP_WORDS:
            return slug
    return ""


def family_name(author: str) -> str:
    """The family name (with its *von* part) of one BibTeX-style name.

    Accepts ``Family, Given`` and ``Given Family``; ``de Masson d'Autume, Cyprien``
    gives ``de Masson d'Autume``.
    """
    author = author.strip()
    if author.startswith("{") and author.endswith("}"):  # {OpenAI}: a corporate author
        return author[1:-1]
    parts = parse_single_name_into_parts(author, strict=False)
    return " ".join(parts.von + parts.last) or author


def first_author_family(author_field: str) -> str:
    """The first author's family name from a BibTeX ``author`` field."""
    names = split_multiple_persons_names(author_field)
    return family_name(names[0]) if names else ""


def make_key(first_author_family: str, year: int | str, title: str) -> str:
    """The citation key of a paper, e.g. ``("Wang", 2023, "Orthogonal Subspace…")`` → ``wang2023orthogonal``."""
    family = ascii_slug(first_author_family)
    if not family:
        raise ValueError("cannot make a citation key without the first author's family name")
    return f"{family}{ascii_slug(str(year))}{first_significant_word(title)}"


def next_free_key(key: str, taken: Container[str]) -> str:
    """``key`` itself when free, else ``key`` + ``b``, ``c``, … (the clash rule)."""
    if key not in taken:
        return key
    for suffix in "bcdefghijklmnopqrstuvwxyz":
        if key + suffix not in taken:
            return key + suffix
    raise ValueError(f"no free citation key left for {key!r}")
