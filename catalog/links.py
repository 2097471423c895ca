"""Links from papers to the reproductions: ``data/reproductions/links.yaml``.

Every ``kind: method`` paper resolves to exactly one of three link kinds:

- ``exact``: its own method is implemented; the linked methods list the paper
  in their ``papers`` (methods.yaml, a copy of the harness's registry);
- ``family``: the reference reproduction of its technique stands in (replay,
  regularisation, distillation, parameter isolation, LoRA, prompts, adapters,
  online memories, continual instruction tuning), with a note saying what the
  stand-in shares with the paper and what it does not;
- ``none``: no reproduction can stand in, with the reason (a vision-language
  backbone, continual pre-training, model merging...).

A benchmark paper may name a runnable stand-in benchmark (TRACE →
wordnet-instruct); it then resolves to ``family`` with that benchmark and a
label saying plainly that it is not the paper's benchmark.

Why one file and not a field in each paper file: a paper file records what
the paper says, checked against its sources, and changes when the paper
does; a link records a judgement about CL Atlas's own harness, and changes
when the harness gains a method. Keeping all links in one file makes that
judgement reviewable as a whole (which papers share a stand-in, how many
have none), lets one new method be linked in one diff instead of edits
across dozens of paper files, and keeps the mapping in data, not in
templates. The validator still ties the two together: a method paper
without a link, a link to an unknown or non-method paper, an unknown method
and an ``exact`` link that the method's ``papers`` does not back are all
errors naming the file, the entry and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from catalog.repromethods import BenchId, MethodCatalog, parse_ref
from catalog.schema import NonEmpty, Strict

LINK_KINDS: tuple[str, ...] = ("exact", "family", "none")
LinkKind = Literal["exact", "family", "none"]
ProblemTuple = tuple[tuple, str, str, "str | None"]


class Family(Strict):
    """A technique whose reference reproduction stands in for the papers that use it."""

    label: NonEmpty
    methods: list[NonEmpty] = Field(min_length=1)  # kind/id references, the most representative first


class PaperLink(Strict):
    """How one method paper relates to the reproductions."""

    link: LinkKind
    family: str | None = None  # family: the family id
    methods: list[NonEmpty] = Field(default_factory=list)  # exact: required; family: optional subset, else the family's
    reason: str | None = None  # none: a reason id
    note: NonEmpty | None = None  # exact/family: what the reproduction shares with the paper and what it does not


class StandIn(Strict):
    """A runnable benchmark standing in for a benchmark paper's own."""

    benchmark: BenchId
    label: NonEmpty  # shown wherever the stand-in is, e.g. "SmolLM2-135M on wordnet-instruct, not TRACE"
    methods: list[NonEmpty] = Field(default_factory=list)  # default: every method that runs on the benchmark
    note: NonEmpty


@dataclass(frozen=True)
class Resolution:
    """What a paper resolves to, ready for the build: one row of ``paper_link``."""

    paper: str
    link: str
    methods: tuple[str, ...]  # kind/id references, the first one is shown first
    note: str | None = None
    family: str | None = None
    family_label: str | None = None
    reason: str | None = None
    reason_text: str | None = None
    benchmark: str | None = None  # a stand-in benchmark for a benchmark paper
    label: str | None = None


@dataclass
class LinkFile:
    """The validated sections of links.yaml (entries that failed validation are absent)."""

    families: dict[str, Family]
    reasons: dict[str, str]
    papers: dict[str, PaperLink]
    benchmarks: dict[str, StandIn]
    failed: set[str] = field(default_factory=set)  # keys whose entries did not validate (already reported)


def _refs(refs: list[str], loc: tuple, entry: str, methods: MethodCatalog, out: list[ProblemTuple]) -> bool:
    ok = True
    for j, ref in enumerate(refs):
        found, msg, hint = parse_ref(ref, methods)
        if found is None:
            out.append(((*loc, j), entry, msg or "", hint))
            ok = False
    return ok


def _paper_ref(key: str, loc: tuple, paper_kinds: Mapping[str, str], known_near: str | None, out: list[ProblemTuple]) -> bool:
    if key not in paper_kinds:
        out.append((loc, key, f"unknown paper {key!r}", known_near))
        return False
    return True


def link_problems(links: LinkFile, methods: MethodCatalog, paper_kinds: Mapping[str, str], near: dict[str, str | None] | None = None) -> list[ProblemTuple]:
    """``(loc, entry, message, hint)`` for every link that does not hold, and every method paper without one."""
    near = near or {}
    out: list[ProblemTuple] = []
    for fid, fam in links.families.items():
        _refs(fam.methods, ("families", fid, "methods"), fid, methods, out)
    for key, pl in links.papers.items():
        loc = ("papers", key)
        if not _paper_ref(key, loc, paper_kinds, near.get(key), out):
            continue
        if paper_kinds[key] != "method":
            hint = "list a benchmark paper's stand-in under benchmarks:" if paper_kinds[key] == "benchmark" else "remove the entry"
            out.append((loc, key, f"paper {key!r} is a {paper_kinds[key]}, not a method: only method papers are linked here", hint))
            continue
        out.extend(_entry_problems(key, pl, links, methods))
    for key in paper_kinds:
        if paper_kinds[key] == "method" and key not in links.papers and key not in links.failed:
            out.append(
                (("papers",), key, f"method paper {key!r} has no link", "add it under papers: with link exact, family or none (see docs/data-format.md)")
            )
    for key, si in links.benchmarks.items():
        loc = ("benchmarks", key)
        if not _paper_ref(key, loc, paper_kinds, near.get(key), out):
            continue
        if paper_kinds[key] == "method":
            out.append((loc, key, f"paper {key!r} is a method: link it under papers:, not benchmarks:", None))
            continue
        bench = methods.benchmarks.get(si.benchmark)
        if bench is None:
            out.append(((*loc, "benchmark"), key, f"unknown benchmark {si.benchmark!r}; known: {', '.join(methods.benchmarks)}", None))
            continue
        if _refs(si.methods, (*loc, "methods"), key, methods, out):
            for j, ref in enumerate(si.methods):
                m = methods.get(ref)
                if m is not None and si.benchmark not in m.benchmarks:
                    out.append(((*loc, "methods", j), key, f"{ref} does not run on {si.benchmark}", None))
    return out


def _entry_problems(key: str, pl: PaperLink, links: LinkFile, methods: MethodCatalog) -> list[ProblemTuple]:
    """The rules of one paper's link, by link kind."""
    loc = ("papers", key)
    out: list[ProblemTuple] = []
    extra = {"exact": ("family", "reason"), "family": ("reason",), "none": ("family", "methods")}[pl.link]
    for name in extra:
        if getattr(pl, name):
            out.append(((*loc, name), key, f"a {pl.link} link takes no {name}", "remove the field"))
    reproducing = [m.ref for m in methods.reproducing(key)]
    if pl.link == "exact":
        if not pl.methods:
            out.append(
                (
                    (*loc, "methods"),
                    key,
                    "an exact link needs methods: the reproductions of this paper's own method",
                    f"e.g. methods: [{', '.join(reproducing) or 'classify/olora'}]",
                )
            )
        elif _refs(pl.methods, (*loc, "methods"), key, methods, out):
            for j, ref in enumerate(pl.methods):
                m = methods.get(ref)
                if m is not None and key not in m.papers:
                    out.append(
                        (
                            (*loc, "methods", j),
                            key,
                            f"exact link to {ref}, whose papers do not list {key} (papers: {', '.join(m.papers) or 'none'})",
                            "link it as family, or add the paper to the method class's papers and to methods.yaml",
                        )
                    )
        missing = [r for r in reproducing if r not in pl.methods]
        if missing and pl.methods:
            out.append(
                (
                    (*loc, "methods"),
                    key,
                    f"{', '.join(missing)} reproduce{'s' if len(missing) == 1 else ''} {key} (papers lists it) but the exact link does not name it",
                    None,
                )
            )
        if not pl.note:
            out.append(((*loc, "note"), key, "an exact link needs a note: where the reproduction departs from the paper", None))
    else:
        if reproducing:
            out.append(
                (
                    (*loc, "link"),
                    key,
                    f"{', '.join(reproducing)} reproduce{'s' if len(reproducing) == 1 else ''} {key} exactly (papers lists it): the link must be exact",
                    None,
                )
            )
    if pl.link == "family":
        fam = links.families.get(pl.family or "")
        if not pl.family:
            out.append(((*loc, "family"), key, "a family link needs family", f"one of: {', '.join(links.families)}"))
        elif fam is None:
            out.append(((*loc, "family"), key, f"unknown family {pl.family!r}; known: {', '.join(links.families)}", None))
        if _refs(pl.methods, (*loc, "methods"), key, methods, out) and fam is not None:
            for j, ref in enumerate(pl.methods):
                if ref not in fam.methods:
                    out.append(((*loc, "methods", j), key, f"{ref} is not a method of family {pl.family!r} ({', '.join(fam.methods)})", None))
        if not pl.note:
            out.append(((*loc, "note"), key, "a family link needs a note: what the stand-in shares with the paper and what it does not", None))
    if pl.link == "none":
        if not pl.reason:
            out.append(((*loc, "reason"), key, "a none link needs a reason", f"one of: {', '.join(links.reasons)}"))
        elif pl.reason not in links.reasons:
            out.append(((*loc, "reason"), key, f"unknown reason {pl.reason!r}; known: {', '.join(links.reasons)}", None))
    return out


def resolve(links: LinkFile, methods: MethodCatalog) -> dict[str, Resolution]:
    """Every linked paper's resolution (call after :func:`link_problems` found nothing)."""
    out: dict[str, Resolution] = {}
    for key, pl in links.papers.items():
        if pl.link == "exact":
            out[key] = Resolution(key, "exact", tuple(pl.methods), note=pl.note)
        elif pl.link == "family":
            fam = links.families[pl.family or ""]
            out[key] = Resolution(key, "family", tuple(pl.methods or fam.methods), note=pl.note, family=pl.family, family_label=fam.label)
        else:
            out[key] = Resolution(key, "none", (), note=pl.note, reason=pl.reason, reason_text=links.reasons.get(pl.reason or ""))
    for key, si in links.benchmarks.items():
        refs = tuple(si.methods) or tuple(m.ref for m in methods.on_benchmark(si.benchmark))
        out[key] = Resolution(key, "family", refs, note=si.note, benchmark=si.benchmark, label=si.label)
    return out


def link_counts(resolutions: dict[str, Resolution], paper_kinds: Mapping[str, str]) -> dict[str, int]:
    """How many method papers resolve to each link kind (the numbers the README states)."""
    counts = {k: 0 for k in LINK_KINDS}
    for key, r in resolutions.items():
        if paper_kinds.get(key) == "method":
            counts[r.link] += 1
    return counts
