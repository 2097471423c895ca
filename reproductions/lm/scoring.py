"""How a generated answer is scored against the accepted answers (one rule per task kind).

``exact``: the answer and every accepted answer are normalised (lower case,
only the first line, punctuation other than inner hyphens and apostrophes
removed, leading articles "a/an/the" dropped, whitespace collapsed) and the
answer scores 100 when it equals any of them, else 0. A sentence such as
"The antonym is cold." therefore scores 0 against "cold": the tasks ask for
one word, and following that format is part of what is learned.

``contains``: 100 when any normalised accepted answer occurs as a whole-word
sequence inside the normalised answer. Used by the general probe, whose
questions allow full-sentence answers.

``rouge-l``: ROUGE-L F1 (longest common subsequence of tokens, Lin 2004) of
the normalised answer against each reference, best reference kept, in percent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

SCORINGS: tuple[str, ...] = ("exact", "contains", "rouge-l")
_PUNCT = re.compile(r"[^\w\s'-]|(?<!\w)['-]|['-](?!\w)")
_ARTICLE = re.compile(r"^(a|an|the)\s+")


def normalise(text: str) -> str:
    """Lower case, first non-empty line, punctuation and a leading article removed, spaces collapsed."""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    s = lines[0].lower() if lines else ""
    s = _PUNCT.sub(" ", s.replace("_", " "))
    s = " ".join(s.split())
    return _ARTICLE.sub("", s)


def tokens(text: str) -> list[str]:
    return normalise(text).split()


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (dynamic programming, O(len(a)·len(b)))."""
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def rouge_l(answer: str, reference: str) -> float:
    """ROUGE-L F1 in percent between two texts after normalisation."""
    a, r = tokens(answer), tokens(reference)
    lcs = lcs_length(a, r)
    if lcs == 0:
        return 0.0
    p, rec = lcs / len(a), lcs / len(r)
    return 100.0 * 2 * p * rec / (p + rec)


def score(answer: str, accepted: Sequence[str], kind: str) -> float:
    """The score in percent of one answer (see the module docstring for each kind)."""
    if kind == "exact":
        got = normalise(answer)
        return 100.0 if got and any(got == normalise(a) for a in accepted) else 0.0
    if kind == "contains":
        padded = f" {normalise(answer)} "
        return 100.0 if any(normalise(a) and f" {normalise(a)} " in padded for a in accepted) else 0.0
    if kind == "rouge-l":
        return max((rouge_l(answer, a) for a in accepted), default=0.0)
    raise ValueError(f"unknown scoring {kind!r}; valid: {', '.join(SCORINGS)}")
