"""Starting a paper entry from an arXiv id or a DOI (``clatlas new arXiv:ID`` / ``clatlas new DOI``).

Two small clients on the standard library's :mod:`urllib`:

* the arXiv API (``export.arxiv.org/api/query?id_list=…``), which answers with
  an Atom feed, one ``<entry>`` per paper;
* the Crossref REST API (``api.crossref.org/works/<DOI>``), which answers with
  JSON ``{"status": "ok", "message-type": "work", "message": {...}}``.

Each response is turned into one BibTeX entry plus the landing page it came
from, so that :mod:`catalog.scaffold` can treat it exactly like a pasted
BibTeX entry. Parsing is separate from fetching (``parse_arxiv_atom``,
``parse_crossref_work``) so the tests feed recorded responses and never touch
the network. Every failure is a :class:`RemoteError` with a message a
contributor can act on (offline, not found, timeout).
"""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bibtexparser.middlewares.names import parse_single_name_into_parts

from catalog.keys import family_name, make_key

ARXIV_API = "https://export.arxiv.org/api/query?id_list={id}"
CROSSREF_API = "https://api.crossref.org/works/{doi}"
TIMEOUT_S = 20
USER_AGENT = "clatlas/0.1 (CL Atlas contributor tool; python-urllib)"

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_NS = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

ARXIV_ID_RE = re.compile(r"^(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")

PAPER_HINT = "paste the BibTeX instead: clatlas new paper.bib (or: clatlas new - < paper.bib)"


class RemoteError(Exception):
    """A look-up that failed, with a message for the contributor."""


@dataclass
class RemoteEntry:
    """What a remote service knows about a paper, as one BibTeX entry."""

    bibtex: str
    source_url: str  # the human-readable landing page of the facts
    venue: str
    url: str
    notes: list[str] = field(default_factory=list)  # things the contributor should know


# --------------------------------------------------------------------------- identifiers


def normalise_arxiv_id(text: str) -> str:
    """``arXiv:2405.18653v2``, ``https://arxiv.org/abs/2405.18653`` → ``2405.18653``."""
    t = text.strip()
    t = re.sub(r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/", "", t, flags=re.I)
    t = re.sub(r"^arxiv:", "", t, flags=re.I)
    t = re.sub(r"\.pdf$", "", t)
    m = ARXIV_ID_RE.match(t)
    if not m:
        raise RemoteError(f"{text!r} is not an arXiv id; expected something like arXiv:2405.18653")
    return m.group("id")


def normalise_doi(text: str) -> str:
    """``https://doi.org/10.1145/3705725``, ``doi:10.1145/3705725`` → ``10.1145/3705725``."""
    t = text.strip()
    t = re.sub(r"^(?:https?://)?(?:dx\.)?doi\.org/", "", t, flags=re.I)
    t = re.sub(r"^doi:\s*", "", t, flags=re.I)
    if not DOI_RE.match(t):
        raise RemoteError(f"{text!r} is not a DOI; expected something like 10.1145/3705725")
    return t


# --------------------------------------------------------------------------- HTTP


def http_get(url: str, accept: str) -> bytes:
    """GET ``url`` with a timeout; network problems become :class:`RemoteError`."""
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": accept})
    host = urllib.parse.urlsplit(url).hostname
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:  # noqa: S310 - fixed https hosts
            return resp.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise RemoteError(f"{host} does not know this identifier (HTTP 404 for {url})") from None
        raise RemoteError(f"{host} answered HTTP {exc.code} ({exc.reason}) for {url}; try again later or {PAPER_HINT}") from None
    except TimeoutError:
        raise RemoteError(f"{host} did not answer within {TIMEOUT_S} s; try again later or {PAPER_HINT}") from None
    except urllib.error.URLError as exc:
        raise RemoteError(f"cannot reach {host} ({exc.reason}); are you offline? You can {PAPER_HINT}") from None
    except OSError as exc:
        raise RemoteError(f"cannot reach {host} ({exc}); are you offline? You can {PAPER_HINT}") from None


Getter = Callable[[str, str], bytes]


# --------------------------------------------------------------------------- BibTeX writing


def _bib_value(text: str) -> str:
    """A field value safe inside ``{…}``: whitespace collapsed, braces balanced."""
    text = re.sub(r"\s+", " ", text).strip()
    depth = 0
    for c in text:
        depth += c == "{"
        depth -= c == "}"
        if depth < 0:
            break
    if depth != 0:
        text = text.replace("{", "").replace("}", "")
    return text


def bib_author(given: str | None, family: str | None, literal: str | None = None) -> str:
    """``Family, Given`` (or ``{Literal}`` for an organisation)."""
    if family:
        return f"{family}, {given}" if given else family
    return "{" + (literal or given or "") + "}"


def _split_display_name(name: str) -> str:
    """``Yutao Yang`` → ``Yang, Yutao`` (arXiv gives names in display order)."""
    parts = parse_single_name_into_parts(name.strip(), strict=False)
    family = " ".join(parts.von + parts.last)
    given = " ".join(parts.first)
    if parts.jr:
        return f"{family}, {' '.join(parts.jr)}, {given}"
    return bib_author(given, family, name)


def format_bibtex(entry_type: str, key: str, fields: list[tuple[str, str | None]]) -> str:
    """One entry, one field a line, in the order given; empty fields left out."""
    lines = [f"@{entry_type}{{{key},"]
    lines += [f"  {name} = {{{_bib_value(value)}}}," for name, value in fields if value]
    lines.append("}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- arXiv


def _text(el: ET.Element | None) -> str:
    return re.sub(r"\s+", " ", el.text or "").strip() if el is not None else ""


def parse_arxiv_atom(xml_bytes: bytes, arxiv_id: str) -> RemoteEntry:
    """Turn an arXiv API Atom feed (one paper) into a :class:`RemoteEntry`."""
    try:
        root = ET.fromstring(xml_bytes)
    except ET.ParseError as exc:
        raise RemoteError(f"the arXiv API answered something that is not an Atom feed ({exc})") from None
    entries = root.findall(f"{ATOM}entry")
    if not entries or _text(root.find(f"{OPENSEARCH}totalResults")) == "0":
        raise RemoteError(f"arXiv has no paper with id {arxiv_id}; check the id on https://arxiv.org/abs/{arxiv_id}")
    e = entries[0]
    entry_id = _text(e.find(f"{ATOM}id"))
    if "/api/errors" in entry_id:
        raise RemoteError(f"the arXiv API refused the id {arxiv_id}: {_text(e.find(f'{ATOM}summary'))}")
    title = _text(e.find(f"{ATOM}title"))
    names = [_text(a.find(f"{ATOM}name")) for a in e.findall(f"{ATOM}author")]
    published = _text(e.find(f"{ATOM}published"))
    if not title or not names or not published:
        raise RemoteError(f"arXiv has no usable record for {arxiv_id} (title, authors or date missing)")
    year = published[:4]
    primary = e.find(f"{ARXIV_NS}primary_category")
    doi = _text(e.find(f"{ARXIV_NS}doi"))
    journal_ref = _text(e.find(f"{ARXIV_NS}journal_ref"))
    key = make_key(family_name(names[0]), year, title)
    abs_url = f"https://arxiv.org/abs/{arxiv_id}"
    bib = format_bibtex(
        "misc",
        key,
        [
            ("title", title),
            ("author", " and ".join(_split_display_name(n) for n in names)),
            ("year", year),
            ("eprint", arxiv_id),
            ("archivePrefix", "arXiv"),
            ("primaryClass", primary.get("term") if primary is not None else None),
            ("url", abs_url),
        ],
    )
    notes = []
    if journal_ref or doi:
        notes.append(
            "arXiv says this paper was published"
            + (f" in {journal_ref}" if journal_ref else "")
            + (f" (DOI {doi}); prefer the published version: clatlas new {doi}" if doi else "; use the published version's BibTeX if you can")
        )
    return RemoteEntry(bib, abs_url, "arXiv", abs_url, notes)


def fetch_arxiv(arxiv_id: str, get: Getter | None = None) -> RemoteEntry:
    """Look a paper up in the arXiv API."""
    arxiv_id = normalise_arxiv_id(arxiv_id)
    body = (get or http_get)(ARXIV_API.format(id=urllib.parse.quote(arxiv_id)), "application/atom+xml")
    return parse_arxiv_atom(body, arxiv_id)


# --------------------------------------------------------------------------- Crossref

_CROSSREF_TYPES = {
    "journal-article": ("article", "journal"),
    "proceedings-article": ("inproceedings", "booktitle"),
    "book-chapter": ("incollection", "booktitle"),
    "posted-content": ("misc", "howpublished"),
}


def _strip_markup(text: str) -> str:
    """Crossref titles may carry JATS/HTML tags (``<i>…</i>``) and entities."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", text))).strip()


def _first(value: Any) -> str:
    if isinstance(value, list):
        return _strip_markup(str(value[0])) if value else ""
    return _strip_markup(str(value)) if value else ""


def _year(msg: dict[str, Any]) -> str:
    for k in ("issued", "published-print", "published-online", "published", "created"):
        parts = (msg.get(k) or {}).get("date-parts") or []
        if parts and parts[0] and parts[0][0]:
            return str(parts[0][0])
    return ""


def parse_crossref_work(body: bytes, doi: str) -> RemoteEntry:
    """Turn a Crossref ``/works/<DOI>`` JSON answer into a :class:`RemoteEntry`."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise RemoteError(f"Crossref answered something that is not JSON for {doi}") from None
    if not isinstance(data, dict) or data.get("status") != "ok" or data.get("message-type") != "work":
        raise RemoteError(f"Crossref has no work record for {doi}")
    msg = data["message"]
    title = _first(msg.get("title"))
    subtitle = _first(msg.get("subtitle"))
    if subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    authors = [bib_author(a.get("given"), a.get("family"), a.get("name")) for a in msg.get("author") or []]
    year = _year(msg)
    if not title or not authors or not year:
        raise RemoteError(f"Crossref's record for {doi} lacks a title, authors or year; {PAPER_HINT}")
    entry_type, container_field = _CROSSREF_TYPES.get(msg.get("type", ""), ("misc", "howpublished"))
    container = _first(msg.get("container-title"))
    real_doi = msg.get("DOI") or doi
    url = ((msg.get("resource") or {}).get("primary") or {}).get("URL") or f"https://doi.org/{real_doi}"
    page = msg.get("page") or ""
    pages = page if "--" in page else page.replace("-", "--")
    first_family = msg["author"][0].get("family") or msg["author"][0].get("name") or ""
    key = make_key(first_family, year, title)
    bib = format_bibtex(
        entry_type,
        key,
        [
            ("title", title),
            ("author", " and ".join(authors)),
            (container_field, container),
            ("volume", msg.get("volume")),
            ("number", msg.get("issue")),
            ("pages", pages),
            ("year", year),
            ("publisher", msg.get("publisher")),
            ("doi", real_doi),
            ("url", url),
        ],
    )
    venue = f"{container} {year}" if container and year not in container else (container or "")
    return RemoteEntry(bib, f"https://doi.org/{real_doi}", venue, url)


def fetch_crossref(doi: str, get: Getter | None = None) -> RemoteEntry:
    """Look a DOI up in Crossref."""
    doi = normalise_doi(doi)
    body = (get or http_get)(CROSSREF_API.format(doi=urllib.parse.quote(doi, safe="")), "application/json")
    return parse_crossref_work(body, doi)
