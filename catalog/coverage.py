"""Coverage of the survey's own lists (``data/survey/``) by catalog entries.

Each reference item must match exactly one paper, and the union of the
placements of all items that match a paper must equal that paper's
placements. Where the reference gives no technique (``null``), the entry must
say that its technique was curated by us.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from catalog.bibtex import normalise_title
from catalog.loader import Catalog, PaperRecord

REFERENCE_FILES = ("survey-offline-dil-til.yaml", "survey-cil-online.yaml")
_ACL_URL = re.compile(r"aclanthology\.org/([^/]+?)(?:\.pdf)?/?$")
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})")
_DOI_URL = re.compile(r"doi/(?:abs/)?(10\.\d{4,9}/[^?#]+)")


@dataclass
class ItemMatch:
    source: str
    index: int
    title: str
    acronym: str | None
    paper_key: str | None
    how: str | None
    problems: list[str] = field(default_factory=list)


@dataclass
class CoverageReport:
    items: list[ItemMatch]
    paper_problems: dict[str, list[str]]

    @property
    def matched(self) -> int:
        return sum(1 for i in self.items if i.paper_key)

    @property
    def complete(self) -> bool:
        return all(i.paper_key and not i.problems for i in self.items) and not self.paper_problems


def load_reference(survey_dir: Path) -> list[tuple[str, int, dict[str, Any]]]:
    out = []
    for name in REFERENCE_FILES:
        with open(survey_dir / name, encoding="utf-8") as fh:
            for i, item in enumerate(yaml.safe_load(fh)):
                out.append((name, i, item))
    return out


def _match(item: dict[str, Any], cat: Catalog, by_title: dict[str, str]) -> tuple[str | None, str | None]:
    key = by_title.get(normalise_title(item["title"]))
    if key:
        return key, "title"
    url = item.get("url") or ""
    for rx, attr in ((_ACL_URL, "acl_anthology"), (_ARXIV_URL, "arxiv"), (_DOI_URL, "doi")):
        m = rx.search(url)
        if m:
            for k, rec in cat.papers.items():
                if getattr(rec.paper, attr) and getattr(rec.paper, attr).lower() == m.group(1).lower():
                    return k, attr
    for k, rec in cat.papers.items():
        s = rec.paper.survey
        if s and item.get("url") and item["url"] == rec.paper.url:
            return k, "url"
        if s and s.fig2_ref == item.get("survey_ref") and s.acronym and s.acronym == item.get("acronym"):
            return k, "fig2 label"
    return None, None


def _placement_key(p: dict[str, Any]) -> tuple[str, str, str]:
    return (p["setting"], p["increment"], p["family"])


def check_coverage(cat: Catalog, survey_dir: Path) -> CoverageReport:
    by_title = {normalise_title(rec.paper.title): k for k, rec in cat.papers.items()}
    items: list[ItemMatch] = []
    expected: dict[str, list[dict[str, Any]]] = {}
    for source, index, item in load_reference(survey_dir):
        key, how = _match(item, cat, by_title)
        m = ItemMatch(source, index, item["title"], item.get("acronym"), key, how)
        items.append(m)
        if key is None:
            m.problems.append("no catalog entry matches this item")
            continue
        rec = cat.papers[key]
        s = rec.paper.survey
        if s is None:
            m.problems.append(f"{key} has no survey block")
        else:
            if s.fig2_ref != item.get("survey_ref"):
                m.problems.append(f"{key}: survey.fig2_ref {s.fig2_ref} != reference {item.get('survey_ref')}")
            if (s.acronym or None) != (item.get("acronym") or None):
                m.problems.append(f"{key}: survey.acronym {s.acronym!r} != reference {item.get('acronym')!r}")
        expected.setdefault(key, []).extend(item.get("placements") or [])
        m.problems.extend(_compare_placements(rec, item.get("placements") or []))
    paper_problems: dict[str, list[str]] = {}
    for key, placements in expected.items():
        want = {_placement_key(p) for p in placements}
        extra = [pl for pl in cat.papers[key].paper.placements if (pl.setting, pl.increment, pl.family) not in want]
        if extra:
            paper_problems[key] = [f"placement {pl.setting}/{pl.increment}/{pl.family}/{pl.technique} is not in the survey's lists" for pl in extra]
    return CoverageReport(items, paper_problems)


def _compare_placements(rec: PaperRecord, placements: list[dict[str, Any]]) -> list[str]:
    problems = []
    have = rec.paper.placements
    for p in placements:
        same_path = [pl for pl in have if (pl.setting, pl.increment, pl.family) == _placement_key(p)]
        path = "/".join(_placement_key(p))
        if not same_path:
            problems.append(f"{rec.key}: missing placement {path}")
        elif p.get("technique") is None:
            if not any(pl.technique_source == "curated" for pl in same_path):
                problems.append(f"{rec.key}: {path}: the survey gives no technique, so the entry's must be marked technique_source: curated")
        elif not any(pl.technique == p["technique"] and pl.technique_source == "survey" for pl in same_path):
            got = ", ".join(f"{pl.technique} ({pl.technique_source})" for pl in same_path)
            problems.append(f"{rec.key}: {path}: technique {p['technique']!r} (survey) expected, entry has {got}")
    return problems


def format_coverage(report: CoverageReport, verbose: bool = False) -> str:
    lines = []
    for m in report.items:
        if m.problems or verbose:
            status = "ok " if not m.problems else "ERR"
            lines.append(f"{status} {m.source}[{m.index}] {m.acronym or '-'}: {m.title[:70]} -> {m.paper_key or '?'} ({m.how or 'unmatched'})")
            lines.extend(f"      {p}" for p in m.problems)
    for key, probs in report.paper_problems.items():
        lines.extend(f"ERR {key}: {p}" for p in probs)
    distinct = len({m.paper_key for m in report.items if m.paper_key})
    lines.append(
        f"coverage: {report.matched}/{len(report.items)} reference items matched to {distinct} catalog papers; "
        f"{sum(1 for m in report.items if m.problems)} item(s) with problems; {'complete' if report.complete else 'INCOMPLETE'}"
    )
    return "\n".join(lines)
