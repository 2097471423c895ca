"""Finding gathering remarks in text shown to readers.

Notes and summaries are published on the site and speak of the paper only.
How a contributor found a number (a table-extraction tool, a search tool's
file id, "verify before merge") belongs in the pull request, not in the
data; how a number was checked is said once, by ``provenance``.
"""

from __future__ import annotations

import re

# phrases that only ever describe how data were gathered, never a paper
_GATHERING = re.compile(
    r"search[- ]?tool|\bfile[- ]?ids?\b|verify before merg|\bbefore merging\b|\bthis session\b|pdf[- ]to[- ]text"
    r"|\b(?:table|machine|llm|pdf|automatic|automated|ocr)[- ](?:table[- ])?extract(?:ion|ed|or)\b"
    r"|\bextraction (?:tool|output|pipeline)",
    re.IGNORECASE,
)
# NLP tasks whose names contain the word; a number's note may name them
_TASKS = re.compile(
    r"\b(?:relation|information|event|entity|key-?phrase|triple|triplet|aspect(?:[- ]term)?|opinion|slot|attribute|open)[- ]extraction\b",
    re.IGNORECASE,
)
_EXTRACTION = re.compile(r"\bextract(?:ion|ions|ed)\b", re.IGNORECASE)
# every pattern above contains one of these: a plain substring test skips the regexes for almost every text
_KEYWORDS = ("tool", "file", "merg", "session", "pdf", "extract")


def gathering_remarks(text: str | None, number_note: bool = False) -> list[str]:
    """The gathering phrases in ``text``; with ``number_note``, any mention of an extraction too.

    A reported number's note has no reason to speak of extraction except as
    a task's name, so there the check is stricter than in summaries (where
    "extracted features" is ordinary prose).
    """
    if not text:
        return []
    lowered = text.lower()
    if not any(k in lowered for k in _KEYWORDS):
        return []
    found = [m.group(0) for m in _GATHERING.finditer(text)]
    if number_note:
        found += [m.group(0) for m in _EXTRACTION.finditer(_TASKS.sub("", text))]
    return list(dict.fromkeys(found))
