"""The awesome-list style paper list (``clatlas export --format markdown``, committed as PAPERS.md).

Papers are grouped like the survey's taxonomy — setting → increment → family →
technique, each axis in the order of ``data/taxonomy.yaml`` — and a paper on
several paths is listed under each. Every line carries the title (linked to
the paper's page), the venue and year, the survey's acronym, and a code badge
when the paper has official code. A technique that CL Atlas added beyond the
survey's taxonomy is marked as such, with its reason. Papers without a placement (surveys,
studies, …) close the list under "Related surveys and other papers".

The renderer reads only what :func:`catalog.read.papers` returns and
the taxonomy table of the built database, so it sees exactly what the web app
sees; it writes nothing that changes between runs (no dates), so the committed
file can be checked for staleness by regenerating it.
"""

from __future__ import annotations

import re
from collections import defaultdict

from catalog.exportformats import export_format
from catalog.read import Paper, venue_year
from catalog.taxonomy import AXES, Taxonomy

COMMAND = "clatlas export --format markdown -o PAPERS.md"
CODE_BADGE = "![code](https://img.shields.io/badge/code-available-brightgreen)"
KIND_HEADINGS = (
    ("survey", "Surveys"),
    ("study", "Studies"),
    ("benchmark", "Benchmarks"),
    ("tool", "Tools"),
    ("method", "Methods"),
)


def _escape(text: str) -> str:
    """Markdown-safe inline text (brackets, emphasis and pipes escaped)."""
    return re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)


def _link(p: Paper) -> str | None:
    if p.url:
        return p.url
    if p.doi:
        return f"https://doi.org/{p.doi}"
    if p.arxiv:
        return f"https://arxiv.org/abs/{p.arxiv}"
    return None


def paper_line(p: Paper, approach: str | None = None) -> str:
    """``- [Title](url) — Venue Year · **ACRONYM** · [code badge](code)``."""
    title = _escape(p.title)
    url = _link(p)
    parts = [f"[{title}]({url})" if url else title]
    extras = [_escape(venue_year(p))]
    if p.survey_acronym:
        extras.append(f"**{_escape(p.survey_acronym)}**")
    if approach:
        extras.append(f"_{approach}_")
    if p.code_url:
        extras.append(f"[{CODE_BADGE}]({p.code_url})")
    return f"- {parts[0]} — " + " · ".join(e for e in extras if e)


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.lower())
    return text.replace(" ", "-")


def _order(papers: list[Paper]) -> list[Paper]:
    """Newest first, then by citation key (stable across runs)."""
    return sorted(papers, key=lambda p: (-int(p.year or 0), p.key))


def _label(tax: Taxonomy, axis: str, value: str) -> str:
    v = tax.get(axis, value)
    return v.label if v else value


def _technique_heading(tax: Taxonomy, tech: str) -> str:
    """A technique's bold label; an extension beyond the survey says so, with its reason."""
    v = tax.get("technique", tech)
    head = f"**{_label(tax, 'technique', tech)}**"
    if v and v.extension:
        head += " _(CL Atlas extension, not in the survey's taxonomy"
        head += f": {_escape(' '.join(v.rationale.split()))})_" if v.rationale else ")_"
    return head


@export_format("markdown", "md", "text/markdown; charset=utf-8", web=False)
def render_markdown(papers: list[Paper], taxonomy: Taxonomy) -> str:
    """The whole list as Markdown text, grouped like the taxonomy (PAPERS.md)."""
    tree: dict[tuple[str, ...], list[tuple[Paper, str | None]]] = defaultdict(list)
    unplaced: list[Paper] = []
    for p in papers:
        seen: set[tuple[str, ...]] = set()
        for pl in p.placements:
            path = tuple(getattr(pl, a) for a in AXES)
            if path not in seen:
                seen.add(path)
                tree[path].append((p, pl.approach))
        if not p.placements:
            unplaced.append(p)

    placed_count = len(papers) - len(unplaced)
    out = [
        f"<!-- Generated from data/papers/ by `{COMMAND}`. Do not edit by hand: edit the YAML files and rerun the command. -->",
        "",
        "# Continual learning for foundation language models: paper list",
        "",
        f"{len(papers)} papers, {placed_count} of them placed in the taxonomy of *Recent Advances of Foundation Language "
        "Models-based Continual Learning: A Survey* (Yang et al., ACM Computing Surveys 2025): "
        "setting → increment type → model family → technique. A paper on several paths is listed under each. "
        f"Bold names are the survey's acronyms; {CODE_BADGE} links to official code.",
        "",
        "To add a paper, see [CONTRIBUTING.md](CONTRIBUTING.md).",
        "",
        "## Contents",
        "",
    ]
    tax = taxonomy
    body: list[str] = []
    for setting in tax.allowed("setting"):
        s_paths = {k: v for k, v in tree.items() if k[0] == setting}
        if not s_paths:
            continue
        s_head = _label(tax, "setting", setting)
        out.append(f"- [{s_head}](#{_anchor(s_head)})")
        body += [f"## {s_head}", ""]
        for inc in tax.allowed("increment"):
            i_paths = {k: v for k, v in s_paths.items() if k[1] == inc}
            if not i_paths:
                continue
            i_label = _label(tax, "increment", inc)
            i_head = f"{s_head} / {i_label} ({inc})"
            out.append(f"  - [{i_label} ({inc})](#{_anchor(i_head)})")
            body += [f"### {i_head}", ""]
            for fam in tax.allowed("family"):
                f_paths = {k: v for k, v in i_paths.items() if k[2] == fam}
                if not f_paths:
                    continue
                body += [f"#### {inc} / {fam}: {_label(tax, 'family', fam)}", ""]
                for tech in tax.allowed("technique"):
                    items = f_paths.get((setting, inc, fam, tech))
                    if not items:
                        continue
                    body += [_technique_heading(tax, tech), ""]
                    body += [paper_line(p, approach) for p, approach in sorted(items, key=lambda it: (-int(it[0].year or 0), it[0].key))]
                    body.append("")
    if unplaced:
        head = "Related surveys and other papers"
        out.append(f"- [{head}](#{_anchor(head)})")
        body += [f"## {head}", "", "Papers without a place in the taxonomy: related surveys, studies, benchmarks and tools.", ""]
        known = {k for k, _ in KIND_HEADINGS}
        for kind, label in KIND_HEADINGS:
            of_kind = [p for p in unplaced if p.kind == kind]
            if of_kind:
                body += [f"### {label}", ""] + [paper_line(p) for p in _order(of_kind)] + [""]
        others = [p for p in unplaced if p.kind not in known]
        if others:
            body += ["### Other", ""] + [paper_line(p) for p in _order(others)] + [""]
    out.append("")
    text = "\n".join(out + body)
    return text.rstrip("\n") + "\n"
