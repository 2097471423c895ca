"""Friendlier wording for schema errors: what is wrong, in words, and what to write instead.

:func:`catalog.loader._pydantic_problems` turns each pydantic error into a
message and a hint; :func:`improve` then rewrites the cases contributors meet
most (an empty ``field:``, an unquoted arXiv id, a DOI written as a URL, a
value outside the taxonomy, …) so that every problem says what to do. It only
ever changes wording: what is an error is decided by the schema.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from catalog.taxonomy import AXES, Taxonomy, suggest

_DOI_URL = re.compile(r"^(https?://)?(dx\.)?doi\.org/", re.I)

# What to write into a field, for hints about empty or missing fields.
FIELD_HELP: dict[str, str] = {
    "title": "the exact title, as on the paper's page",
    "year": "the year of the venue version, e.g. 2023",
    "venue": 'a short label, e.g. "ACL 2023", or "arXiv" for a preprint',
    "summary": "2-4 sentences in your own words (problem, mechanism, evaluation): write 'summary: >-' and the text on the next lines, indented by two spaces",
    "sources": "a list with the URL of every page where you checked the facts, e.g. '  - https://arxiv.org/abs/2405.18653'",
    "bibtex": "'bibtex: |' and the paper's BibTeX entry on the next lines, indented by two spaces",
    "benchmark": "a dataset id from data/datasets/ (docs/dataset-ids.md)",
    "metric": "a metric id from data/metrics.yaml (AA, AIA, FM, BWT, FWT, IM, MTIL-Transfer or MTIL-Avg)",
    "table": 'where in the paper the number is printed, e.g. "Table 2"',
    "native": "true for the paper's own method, false for a baseline it ran or copied",
    "backbone": 'the model the number was obtained with, e.g. "T5-large"',
    "method": "the method name as printed in the table",
    "value": "the number as printed",
    "provenance": "how you checked the number: paper-text (read in the paper's own PDF or HTML), extracted (from a table-extraction tool's output) "
    "or secondary (read in a reprint elsewhere)",
    "technique_source": "survey (the survey gives the technique) or curated (you decided it from the paper)",
}

PATTERN_HELP: dict[str, tuple[str, str]] = {
    "doi": ("is not a DOI", "write only the DOI, without https://doi.org/, e.g. doi: 10.18653/v1/2023.findings-emnlp.715"),
    "arxiv": ("is not an arXiv id", 'write the bare id in quotes, without "arXiv:" or a version suffix, e.g. arxiv: "2310.14152"'),
    "acl_anthology": ("is not an ACL Anthology id", "write the id from the Anthology URL, e.g. 2023.findings-emnlp.715 or P19-1001"),
    "openreview": ("is not an OpenReview forum id", "write the id= part of the forum URL, e.g. openreview: 7M0EzjugaN"),
}


def _axis_choices(axis: str, taxonomy: Taxonomy | None) -> str | None:
    if taxonomy is None:
        return None
    if axis == "increment":
        return "; ".join(f"{s}: {', '.join(taxonomy.increments_of(s))}" for s in taxonomy.allowed("setting"))
    if axis == "approach":
        return ", ".join(taxonomy.approaches)
    return ", ".join(taxonomy.allowed(axis))


def scalar_text(node: yaml.Node | None, loc: tuple[Any, ...]) -> str | None:
    """The value at ``loc`` exactly as written in the file (``2310.14150``, not ``2310.1415``)."""
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return None
    return node.value if isinstance(node, yaml.ScalarNode) else None


def improve(
    err: Mapping[str, Any],
    loc: tuple[Any, ...],
    msg: str,
    hint: str | None,
    raw: str | None = None,
    taxonomy: Taxonomy | None = None,
    allowed_fields: list[str] | None = None,
) -> tuple[str, str | None]:
    """A clearer ``(message, hint)`` for one pydantic error at ``loc`` (``raw``: the value as written)."""
    kind = err["type"]
    value = err.get("input")
    names = [p for p in loc if isinstance(p, str)]
    name = names[-1] if names else ""
    in_placement = "placements" in names

    if kind.endswith("_type") and value is None and name == "sources" and loc and isinstance(loc[-1], int):
        return "source URL is empty", "write the URL of a page where you checked the facts, e.g. '  - https://arxiv.org/abs/2405.18653'"
    if kind.endswith("_type") and value is None:  # `field:` with nothing after it
        if in_placement and name in (*AXES, "approach"):
            choices = _axis_choices(name, taxonomy)
            return f"{name} is empty", (f"write one of: {choices}" if choices else "write a value")
        return f"{name or 'value'} is empty", (
            f"write {FIELD_HELP[name]}" if name in FIELD_HELP else "write a value, or delete the line if the field is optional"
        )
    if kind == "missing":
        return "required field is missing", f"add '{name}:' with {FIELD_HELP[name]}" if name in FIELD_HELP else f"add '{name}:' (see docs/data-format.md)"
    if kind == "extra_forbidden" and hint is None:
        return msg, "remove the field, or rename it to one of the allowed fields (docs/data-format.md)"
    if kind == "string_type" and isinstance(value, (int, float)) and not isinstance(value, bool):
        written = raw if raw is not None else str(value)
        msg = f"expected text, got the number {written}"
        if raw is not None and raw != repr(value) and isinstance(value, float):
            msg += f" (YAML reads it as {value!r})"
        return msg, f'put it in quotes: {name}: "{written}"'
    if kind == "int_type" and isinstance(value, str):
        if value.strip().isdigit():
            return msg, f"write the number without quotes: {name}: {value.strip()}"
        return f"{name} must be a whole number, got {value!r}", f"write digits only, e.g. {name}: 2023" if name == "year" else "write digits only"
    if kind == "string_pattern_mismatch":
        text = str(value)
        if name in PATTERN_HELP:
            what, todo = PATTERN_HELP[name]
            if name == "doi" and _DOI_URL.match(text):
                todo = f"write it without the https://doi.org/ part: doi: {_DOI_URL.sub('', text)}"
            elif name == "arxiv":
                bare = re.sub(r"v\d+$", "", re.sub(r"^arxiv:\s*", "", text, flags=re.I))
                if bare != text:
                    todo = f'write the bare id without "arXiv:" or a version suffix: arxiv: "{bare}"'
            return f"{text!r} {what}", todo
        if name in ("url", "code_url", "sources", "") or "sources" in names:
            return f"{text!r} is not a web address", "write the full address, starting with https://"
        return msg, None
    if kind == "string_too_short":
        return f"{name or 'value'} is empty", (
            f"write {FIELD_HELP[name]}" if name in FIELD_HELP else "write a value, or delete the line if the field is optional"
        )
    if kind == "too_short" and name == "sources":
        return "sources needs at least one URL", f"write {FIELD_HELP['sources']}"
    if kind == "literal_error":
        expected = re.findall(r"'([^']+)'", err.get("ctx", {}).get("expected", ""))
        near = suggest(str(value), expected) if expected and isinstance(value, str) else None
        return (
            f"{value!r} is not allowed here; allowed: {', '.join(expected)}" if expected else msg,
            f"did you mean {near!r}?" if near else f"write one of: {', '.join(expected)}" if expected else hint,
        )
    if kind == "taxonomy" and hint is None:
        if "does not belong to setting" in msg and taxonomy is not None and isinstance(value, str):
            other = taxonomy.setting_of(value)
            setting = re.search(r"setting '([^']+)'", msg)
            ok = ", ".join(taxonomy.increments_of(setting.group(1))) if setting else ""
            return msg, f"use one of {ok} with this setting, or change the setting to {other!r} ({value} is an {other} increment)"
        if "did you mean" not in msg:
            return msg, "use one of the allowed values (CONTRIBUTING.md, 'Taxonomy guide')"
    return msg, hint
