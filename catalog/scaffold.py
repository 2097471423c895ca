"""``clatlas new``: start ``data/papers/<key>.yaml`` from a BibTeX entry, an arXiv id or a DOI.

Every field that can be read from the source is filled in (title, year, venue,
identifiers, landing page, the BibTeX itself under its computed citation
key). What only a person can decide — the taxonomy placements and the summary
— is left empty, with the allowed values, read from :mod:`catalog.taxonomy`,
written beside each field as comments. An empty field fails ``clatlas
validate`` with a message that says what to write, so an unfinished entry
cannot slip through.

A paper already in the catalog (same DOI, same arXiv id, or a title that is
near-identical once case, accents and punctuation are ignored) is refused,
and the existing file is named.
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, get_args

import bibtexparser
import yaml

from catalog.bibtex import BibtexProblem, latex_to_unicode, normalise_title, parse_entry, strip_latex
from catalog.keys import first_author_family, make_key, next_free_key
from catalog.schema import ARXIV_RE, DOI_RE, PaperKind
from catalog.taxonomy import Taxonomy, load_taxonomy

try:  # same loader as the validator
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment,unused-ignore]  # a different class where types-PyYAML is installed

TITLE_SIMILARITY = 0.9  # difflib ratio of normalised titles at or above which two papers are "the same"

SOURCE_FORMS = "a .bib file, '-' for standard input (paste, then Ctrl-D), arXiv:ID (e.g. arXiv:2405.18653) or a DOI (e.g. 10.1145/3705725)"


class ScaffoldError(Exception):
    """Something that stops ``clatlas new``, with a message for the contributor."""


# --------------------------------------------------------------------------- reading the source


@dataclass
class Source:
    """A BibTeX entry and what else is known about where it came from."""

    bibtex: str
    label: str  # for the file's header comment
    landing_url: str | None = None  # the page the facts were read from (remote sources)
    venue: str | None = None
    notes: list[str] = field(default_factory=list)


_ARXIV_ARG = re.compile(r"^(arxiv:|(https?://)?(www\.)?arxiv\.org/(abs|pdf)/)", re.I)
_BARE_ARXIV = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")
_DOI_ARG = re.compile(r"^(doi:|(https?://)?(dx\.)?doi\.org/)?10\.\d{4,9}/\S+$", re.I)


def read_source(source: str, stdin: TextIO | None = None) -> Source:
    """Read ``source``: ``-`` (standard input), a file, ``arXiv:ID`` or a DOI."""
    if source == "-":
        stream = stdin or sys.stdin
        if stream.isatty():
            print("Paste one BibTeX entry, then press Ctrl-D (Ctrl-Z Enter on Windows):", file=sys.stderr)
        text = stream.read()
        if not text.strip():
            raise ScaffoldError("standard input was empty; paste one BibTeX entry, or give a .bib file, arXiv:ID or DOI")
        return Source(text, "a BibTeX entry from standard input")
    path = Path(source)
    if path.is_file():
        try:
            return Source(path.read_text(encoding="utf-8"), f"the BibTeX file {path.name}")
        except UnicodeDecodeError:
            raise ScaffoldError(f"{source} is not UTF-8 text; save it as UTF-8 and try again") from None
    if _ARXIV_ARG.match(source) or _BARE_ARXIV.match(source):
        from catalog.remote import RemoteError, fetch_arxiv

        try:
            r = fetch_arxiv(source)
        except RemoteError as exc:
            raise ScaffoldError(str(exc)) from None
        return Source(r.bibtex, f"the arXiv API record of {source}", r.source_url, r.venue, r.notes)
    if _DOI_ARG.match(source):
        from catalog.remote import RemoteError, fetch_crossref

        try:
            r = fetch_crossref(source)
        except RemoteError as exc:
            raise ScaffoldError(str(exc)) from None
        return Source(r.bibtex, f"the Crossref record of {source}", r.source_url, r.venue, r.notes)
    if source.endswith(".bib"):
        raise ScaffoldError(f"no such file: {source}")
    raise ScaffoldError(f"cannot tell what {source!r} is; give {SOURCE_FORMS}")


# --------------------------------------------------------------------------- fields from BibTeX


_ARXIV_IN_TEXT = re.compile(r"(?:arxiv[:\s]*|abs/|arxiv\.org/(?:abs|pdf)/)(\d{4}\.\d{4,5})(?:v\d+)?", re.I)
_ACL_URL = re.compile(r"aclanthology\.org/([A-Za-z0-9.\-]+?)(?:\.pdf)?/?$")


@dataclass
class Draft:
    """The fields of a new paper file that the source determines."""

    key: str
    title: str
    year: int
    venue: str
    kind: str
    doi: str | None
    arxiv: str | None
    acl_anthology: str | None
    url: str | None
    sources: list[str]
    bibtex: str


def _raw_fields(text: str) -> tuple[str, str, dict[str, str]]:
    """Key, type and raw (un-split) fields of the single entry in ``text``."""
    lib = bibtexparser.parse_string(text)
    e = lib.entries[0]
    return e.key, e.entry_type.lower(), {f.key.lower(): str(f.value).strip() for f in e.fields}


def _clean_doi(value: str | None) -> str | None:
    if not value:
        return None
    doi = re.sub(r"^(https?://)?(dx\.)?doi\.org/", "", value.strip(), flags=re.I)
    return doi if DOI_RE.match(doi) else None


def _arxiv_id(fields: dict[str, str]) -> str | None:
    eprint = fields.get("eprint", "")
    if eprint and (fields.get("archiveprefix", "").lower() == "arxiv" or ARXIV_RE.match(re.sub(r"v\d+$", "", eprint))):
        ident = re.sub(r"^arxiv:", "", re.sub(r"v\d+$", "", eprint.strip()), flags=re.I)
        if ARXIV_RE.match(ident):
            return ident
    for name in ("journal", "url", "note", "howpublished", "volume"):
        m = _ARXIV_IN_TEXT.search(fields.get(name, ""))
        if m:
            return m.group(1)
    return None


def _acl_id(fields: dict[str, str], doi: str | None) -> str | None:
    m = _ACL_URL.search(fields.get("url", ""))
    if m:
        return m.group(1)
    if doi and doi.lower().startswith("10.18653/v1/"):
        return doi.split("/", 2)[2]
    return None


def _is_preprint(entry_type: str, fields: dict[str, str]) -> bool:
    venue = (fields.get("journal") or fields.get("booktitle") or "").lower()
    return (not venue and entry_type in ("misc", "unpublished", "article", "techreport")) or "arxiv" in venue or venue.startswith("corr")


def latex_to_text(text: str) -> str:
    """``An {\\"U}ber Test \\& More`` → ``An Über Test & More`` (the title as printed on the paper)."""
    out = latex_to_unicode(text)
    return out if normalise_title(out) == normalise_title(text) else strip_latex(text)


def _with_key(bibtex: str, key: str) -> str:
    return re.sub(r"^(\s*@\s*\w+\s*[{(]\s*)[^,\s]*", lambda m: m.group(1) + key, bibtex.strip(), count=1)


def draft_from_bibtex(src: Source, taken_keys: set[str]) -> Draft:
    """Everything the BibTeX (and the remote record) tell about the paper."""
    try:
        entry = parse_entry(src.bibtex)
    except BibtexProblem as exc:
        raise ScaffoldError(f"{exc}; paste exactly one complete entry, starting with @article{{ or @inproceedings{{ …") from None
    _, entry_type, fields = _raw_fields(src.bibtex)
    missing = [f for f in ("title", "author", "year") if not fields.get(f)]
    if missing:
        raise ScaffoldError(f"the BibTeX entry has no {', '.join(missing)}; add {'it' if len(missing) == 1 else 'them'} and try again")
    year_text = strip_latex(fields["year"])
    if not re.fullmatch(r"\d{4}", year_text):
        raise ScaffoldError(f"the BibTeX year {fields['year']!r} is not a four-digit year")
    title = latex_to_text(entry.fields["title"])
    key = make_key(first_author_family(fields["author"]), year_text, title)
    key = next_free_key(key, taken_keys)
    doi = _clean_doi(fields.get("doi"))
    arxiv = _arxiv_id(fields)
    acl = _acl_id(fields, doi)
    url = fields.get("url") or None
    if url and "arxiv.org/pdf/" in url and arxiv:
        url = f"https://arxiv.org/abs/{arxiv}"
    if not url:
        url = f"https://aclanthology.org/{acl}/" if acl else f"https://doi.org/{doi}" if doi else f"https://arxiv.org/abs/{arxiv}" if arxiv else None
    if src.venue:
        venue = src.venue
    elif _is_preprint(entry_type, fields):
        venue = "arXiv"
    else:
        venue = strip_latex(fields.get("booktitle") or fields.get("journal") or fields.get("publisher") or "")
    low = title.lower()
    kind = "survey" if ("survey" in low or "a review" in low) else "benchmark" if "benchmark" in low else "method"
    sources = [src.landing_url] if src.landing_url else ([url] if url else [])
    return Draft(key, title, int(year_text), venue, kind, doi, arxiv, acl, url, sources, _with_key(src.bibtex, key))


# --------------------------------------------------------------------------- duplicates


@dataclass(frozen=True)
class Existing:
    key: str
    path: Path
    doi: str | None
    arxiv: str | None
    title: str
    alias_arxiv: tuple[str, ...] = ()  # arXiv ids of the paper's aliases (earlier preprints)
    alias_titles: tuple[str, ...] = ()  # normalised alias titles

    def titles(self) -> tuple[str, ...]:
        return tuple(t for t in (self.title, *self.alias_titles) if t)


def existing_papers(data: Path) -> list[Existing]:
    """Identifiers of every paper file, read leniently (an invalid file still counts)."""
    out = []
    for path in sorted((data / "papers").glob("*.yaml")):
        try:
            doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        except (yaml.YAMLError, UnicodeDecodeError, OSError):
            doc = None
        doc = doc if isinstance(doc, dict) else {}
        aliases = [a for a in doc.get("aliases") or [] if isinstance(a, dict)]
        out.append(
            Existing(
                path.stem,
                path,
                str(doc["doi"]).lower() if doc.get("doi") else None,
                str(doc["arxiv"]) if doc.get("arxiv") else None,
                normalise_title(str(doc.get("title") or "")),
                tuple(str(a["arxiv"]) for a in aliases if a.get("arxiv")),
                tuple(normalise_title(str(a["title"])) for a in aliases if a.get("title")),
            )
        )
    return out


def find_duplicate(draft: Draft, papers: list[Existing]) -> tuple[Existing, str] | None:
    """The catalog entry that is the same paper as ``draft``, and why we think so."""
    title = normalise_title(draft.title)
    for p in papers:
        if draft.doi and p.doi == draft.doi.lower():
            return p, f"same DOI {draft.doi}"
        if draft.arxiv and p.arxiv == draft.arxiv:
            return p, f"same arXiv id {draft.arxiv}"
        if draft.arxiv and draft.arxiv in p.alias_arxiv:
            return p, f"same arXiv id {draft.arxiv} (listed under its aliases)"
    best: tuple[float, Existing] | None = None
    for p in papers:
        for known in p.titles():
            ratio = 1.0 if known == title else difflib.SequenceMatcher(None, title, known).ratio()
            if ratio >= TITLE_SIMILARITY and (best is None or ratio > best[0]):
                best = (ratio, p)
    if best:
        return best[1], "same title" if best[0] == 1.0 else f"near-identical title ({best[0]:.0%} similar)"
    return None


# --------------------------------------------------------------------------- writing YAML


def _scalar(value: Any) -> str:
    """A YAML scalar that reads back as exactly ``value`` (quoted only when needed)."""
    if value is None:
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    try:
        plain_ok = yaml.safe_load(f"k: {text}") == {"k": text} and "#" not in text and not text.startswith(("'", '"'))
    except yaml.YAMLError:
        plain_ok = False
    if plain_ok:
        return text
    import json

    return json.dumps(text, ensure_ascii=False)


def _comment_block(tax: Taxonomy) -> list[str]:
    """The allowed taxonomy values, with their meaning, as YAML comments."""
    out = ["# Taxonomy: pick one value per axis (data/taxonomy.yaml; worked examples in CONTRIBUTING.md, 'Taxonomy guide')."]
    for axis in ("setting", "increment", "family", "technique"):
        out.append(f"#   {axis}:")
        for v in tax.values[axis]:
            where = f" [{v.setting}]" if v.setting else ""
            out.append(f"#     {v.value:<22}{where} {v.label}: {v.description}")
    if tax.approaches:
        out.append("#   approach (optional, only with technique: traditional):")
        for name, desc in tax.approaches.items():
            out.append(f"#     {name:<22} {desc}")
    out.append("# Several paths? Add one list item per path. Not a CL method (e.g. a general survey)? Write: placements: []")
    return out


def render_yaml(d: Draft, tax: Taxonomy, source_label: str) -> str:
    """The text of the new paper file, comments included."""
    kinds = " | ".join(get_args(PaperKind))
    settings = " | ".join(tax.allowed("setting"))
    incs = "; ".join(f"{s}: {' | '.join(tax.increments_of(s))}" for s in tax.allowed("setting"))
    families = " | ".join(tax.allowed("family"))
    techniques = " | ".join(tax.allowed("technique"))
    approaches = " | ".join(tax.approaches)

    lines = [
        f"# Written by `clatlas new` from {source_label}.",
        "# 1. Check every fact below against the paper's own page (docs/data-format.md explains each field).",
        "# 2. Fill in the fields marked TODO: placements and summary.",
        f"# 3. Run: clatlas validate data/papers/{d.key}.yaml",
        f"title: {_scalar(d.title)}  # exact, as on the paper's page",
        f"year: {d.year}  # year of the venue version (arXiv year if only on arXiv)",
        f'venue: {_scalar(d.venue or "TODO")}  # short label, e.g. "ACL 2023", "Findings of EMNLP 2023", "ICLR 2024"; "arXiv" for preprints',
        f"kind: {d.kind}  # {kinds}",
    ]
    for name, value, example in (
        ("doi", d.doi, "10.18653/v1/2023.findings-emnlp.715"),
        ("arxiv", d.arxiv, '"2310.14152"'),
        ("acl_anthology", d.acl_anthology, "2023.findings-emnlp.715"),
        ("url", d.url, "https://aclanthology.org/2023.findings-emnlp.715/"),
    ):
        if value:
            lines.append(f"{name}: {_scalar(value) if name != 'arxiv' else chr(34) + value + chr(34)}")
        else:
            lines.append(f"# {name}: {example}  # optional; add it if the paper has one")
    lines.append("# code_url: https://github.com/OWNER/REPO  # optional: official code only, as linked from the paper")
    lines.append("sources:  # every page where you checked the facts above (at least one)")
    lines += [f"  - {_scalar(s)}" for s in d.sources] or ["  - # TODO: URL of the paper's page"]
    lines += [
        "# survey:  # only if the survey (Yang et al. 2025) lists this paper; see CONTRIBUTING.md",
        "#   acronym: null",
        "#   fig2_ref: null",
        "#   in_fig2: false",
        "#   in_companion_list: false",
        *_comment_block(tax),
        "placements:",
        f"  - setting:  # TODO {settings}",
        f"    increment:  # TODO {incs}",
        f"    family:  # TODO {families}",
        f"    technique:  # TODO {techniques}",
        "    technique_source: curated  # survey: the survey gives this technique; curated: you decided it from the paper",
        f"    # approach: replay  # optional, only for traditional: {approaches}",
        "# summary: 2-4 sentences in your own words (problem, mechanism, evaluation); never copy the abstract. Write:",
        "#   summary: >-",
        "#     First sentence, indented by two spaces ...",
        "summary:  # TODO",
        "datasets: []  # ids of data/datasets/*.yaml it evaluates on (docs/dataset-ids.md)",
        "results: []  # numbers the paper reports, with table and protocol (CONTRIBUTING.md, 'Adding a reported result')",
        "bibtex: |",
    ]
    lines += [("  " + ln).rstrip() for ln in d.bibtex.strip().splitlines()]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- command


def scaffold(source: Source, data: Path, force: bool = False) -> tuple[Path, Draft]:
    """Write the new file (refusing duplicates); returns its path and the draft."""
    papers = existing_papers(data)
    taken = {p.key for p in papers}
    draft = draft_from_bibtex(source, set())
    base_key = draft.key
    dup = find_duplicate(draft, papers)
    if dup and not (force and dup[0].key == base_key):
        p, why = dup
        raise ScaffoldError(
            f"this paper is already in the catalog as {p.key} ({why}): {shown_path(p.path)}\n"
            f"Edit that file instead. (If it really is a different paper, say so in your pull request.)"
        )
    if not force:
        draft = draft_from_bibtex(source, taken)
    path = data / "papers" / f"{draft.key}.yaml"
    tax = load_taxonomy(data / "taxonomy.yaml")
    text = render_yaml(draft, tax, source.label)
    yaml.safe_load(text)  # the file we write must at least be YAML
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, draft


def shown_path(path: Path) -> Path:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path
