"""The arXiv and Crossref clients, fed with recorded responses (tests/fixtures/remote/); never the network."""

from __future__ import annotations

import io
import socket
import urllib.error

import pytest
from support import FIXTURES

from catalog import remote
from catalog.bibtex import parse_entry
from catalog.remote import RemoteError

RECORDED = FIXTURES / "remote"
SURVEY_TITLE = "Recent Advances of Foundation Language Models-based Continual Learning: A Survey"
SURVEY_AUTHORS = ["Yutao Yang", "Jie Zhou", "Xuanwen Ding", "Tianyu Huai", "Shunyu Liu", "Qin Chen", "Yuan Xie", "Liang He"]


pytestmark = pytest.mark.usefixtures("no_network")  # fixture in conftest.py


class Recorded:
    """A stand-in for :func:`catalog.remote.http_get` that serves one recorded file and remembers the URL."""

    def __init__(self, name: str):
        self.body = (RECORDED / name).read_bytes()
        self.urls: list[str] = []

    def __call__(self, url: str, accept: str) -> bytes:
        self.urls.append(url)
        return self.body


# --------------------------------------------------------------------------- identifiers


@pytest.mark.parametrize(
    "text", ["arXiv:2405.18653", "arxiv:2405.18653v2", "2405.18653", "https://arxiv.org/abs/2405.18653v1", "http://arxiv.org/pdf/2405.18653.pdf"]
)
def test_arxiv_id_forms(text: str) -> None:
    assert remote.normalise_arxiv_id(text) == "2405.18653"


def test_old_style_arxiv_id() -> None:
    assert remote.normalise_arxiv_id("arXiv:cs/0112017v1") == "cs/0112017"


@pytest.mark.parametrize("text", ["10.1145/3705725", "doi:10.1145/3705725", "https://doi.org/10.1145/3705725", "http://dx.doi.org/10.1145/3705725"])
def test_doi_forms(text: str) -> None:
    assert remote.normalise_doi(text) == "10.1145/3705725"


def test_bad_identifiers_are_explained() -> None:
    with pytest.raises(RemoteError, match="not an arXiv id.*arXiv:2405.18653"):
        remote.normalise_arxiv_id("arXiv:24051")
    with pytest.raises(RemoteError, match="not a DOI.*10.1145/3705725"):
        remote.normalise_doi("11.1145/x")


# --------------------------------------------------------------------------- arXiv


def test_arxiv_record_becomes_one_bibtex_entry() -> None:
    get = Recorded("arxiv-2405.18653.xml")
    r = remote.fetch_arxiv("arXiv:2405.18653v2", get=get)
    assert get.urls == ["https://export.arxiv.org/api/query?id_list=2405.18653"]
    entry = parse_entry(r.bibtex)
    assert entry.key == "yang2024recent"  # arXiv year of v1 (28 May 2024)
    assert entry.entry_type == "misc"
    assert entry.fields["title"] == SURVEY_TITLE  # the Atom title's line break is gone
    assert entry.authors == SURVEY_AUTHORS
    assert entry.fields["year"] == "2024"
    assert entry.fields["eprint"] == "2405.18653"
    assert entry.fields["archiveprefix"] == "arXiv"
    assert entry.fields["primaryclass"] == "cs.CL"
    assert r.venue == "arXiv"
    assert r.source_url == r.url == "https://arxiv.org/abs/2405.18653"
    assert "Yang, Yutao and Zhou, Jie" in r.bibtex  # family names first, unambiguous for BibTeX


def test_arxiv_error_feed_is_reported() -> None:
    with pytest.raises(RemoteError, match="refused the id 1234.12345: incorrect id format for 1234.12345"):
        remote.fetch_arxiv("1234.12345", get=Recorded("arxiv-error-bad-id.xml"))


def test_arxiv_unknown_id() -> None:
    with pytest.raises(RemoteError, match="arXiv has no paper with id 2405.00000"):
        remote.fetch_arxiv("2405.00000", get=Recorded("arxiv-no-results.xml"))


def test_arxiv_answer_that_is_not_xml() -> None:
    with pytest.raises(RemoteError, match="not an Atom feed"):
        remote.parse_arxiv_atom(b"<html><body>Service Unavailable", "2405.18653")


def test_arxiv_journal_ref_and_doi_become_a_note() -> None:
    xml = (
        (RECORDED / "arxiv-2405.18653.xml")
        .read_text(encoding="utf-8")
        .replace("<category term", '<arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">10.1145/3705725</arxiv:doi>\n    <category term', 1)
    )
    r = remote.parse_arxiv_atom(xml.encode(), "2405.18653")
    assert r.notes and "clatlas new 10.1145/3705725" in r.notes[0]


# --------------------------------------------------------------------------- Crossref


def test_crossref_record_becomes_one_bibtex_entry() -> None:
    get = Recorded("crossref-10.1145-3705725.json")
    r = remote.fetch_crossref("https://doi.org/10.1145/3705725", get=get)
    assert get.urls == ["https://api.crossref.org/works/10.1145%2F3705725"]
    entry = parse_entry(r.bibtex)
    assert entry.key == "yang2025recent"
    assert entry.entry_type == "article"
    assert entry.fields["title"] == SURVEY_TITLE
    assert entry.authors == SURVEY_AUTHORS
    assert (entry.fields["journal"], entry.fields["volume"], entry.fields["number"]) == ("ACM Computing Surveys", "57", "5")
    assert entry.fields["pages"] == "1--38"
    assert entry.fields["year"] == "2025"
    assert entry.fields["doi"] == "10.1145/3705725"
    assert r.url == "https://dl.acm.org/doi/10.1145/3705725"
    assert r.source_url == "https://doi.org/10.1145/3705725"
    assert r.venue == "ACM Computing Surveys 2025"


def test_crossref_conference_paper_and_markup_in_title() -> None:
    import json

    data = json.loads((RECORDED / "crossref-10.1145-3705725.json").read_text(encoding="utf-8"))
    msg = data["message"]
    msg["type"] = "proceedings-article"
    msg["title"] = ["Recent Advances of <i>Foundation</i> Language Models-based Continual Learning"]
    msg["subtitle"] = ["A Survey"]
    r = remote.parse_crossref_work(json.dumps(data).encode(), "10.1145/3705725")
    entry = parse_entry(r.bibtex)
    assert entry.entry_type == "inproceedings"
    assert entry.fields["booktitle"] == "ACM Computing Surveys"
    assert entry.fields["title"] == SURVEY_TITLE


def test_crossref_non_work_answer() -> None:
    with pytest.raises(RemoteError, match="no work record"):
        remote.parse_crossref_work(b'{"status": "failed", "message-type": "validation-failure", "message": []}', "10.1145/x")
    with pytest.raises(RemoteError, match="not JSON"):
        remote.parse_crossref_work(b"Resource not found.", "10.1145/x")


# --------------------------------------------------------------------------- HTTP failures


def test_offline_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(req: object, timeout: float) -> None:
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(remote.urllib.request, "urlopen", offline)
    with pytest.raises(RemoteError, match=r"cannot reach export.arxiv.org .*offline.*clatlas new paper.bib"):
        remote.fetch_arxiv("2405.18653")


def test_not_found_and_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_found(req: object, timeout: float) -> None:
        raise urllib.error.HTTPError("https://api.crossref.org/works/x", 404, "Not Found", {}, io.BytesIO(b"Resource not found."))  # type: ignore[arg-type]

    monkeypatch.setattr(remote.urllib.request, "urlopen", not_found)
    with pytest.raises(RemoteError, match="api.crossref.org does not know this identifier"):
        remote.fetch_crossref("10.1145/0000000")

    def slow(req: object, timeout: float) -> None:
        assert timeout == remote.TIMEOUT_S
        raise TimeoutError("timed out")

    monkeypatch.setattr(remote.urllib.request, "urlopen", slow)
    with pytest.raises(RemoteError, match=f"did not answer within {remote.TIMEOUT_S} s"):
        remote.fetch_crossref("10.1145/3705725")
