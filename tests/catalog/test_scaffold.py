"""``clatlas new``: a paper file from BibTeX (file or stdin), arXiv or DOI; duplicates refused.

The remote look-ups are served from tests/fixtures/remote/; no test opens a
network connection.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml
from support import FIXTURES
from support.helpers import edit

from catalog import remote
from catalog.keys import first_author_family, make_key, next_free_key
from catalog.loader import load_catalog
from catalog.taxonomy import load_taxonomy
from clatlas_cli import main

RECORDED = FIXTURES / "remote"

# As the ACL Anthology offers it (its own key style, "..." values); facts as in data/papers/ke2021adapting.yaml.
KE_2021 = """@inproceedings{ke-etal-2021-adapting,
    title = "Adapting {BERT} for Continual Learning of a Sequence of Aspect Sentiment Classification Tasks",
    author = "Ke, Zixuan  and
      Xu, Hu  and
      Liu, Bing",
    booktitle = "Proceedings of the 2021 Conference of the North American Chapter of the Association for Computational Linguistics: Human Language Technologies",
    month = jun,
    year = "2021",
    address = "Online",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/2021.naacl-main.378",
    doi = "10.18653/v1/2021.naacl-main.378",
    pages = "4746--4755",
}
"""  # noqa: E501  (the ACL Anthology's record, booktitle on one line as it gives it)


pytestmark = pytest.mark.usefixtures("no_network")  # fixture in conftest.py


def recorded(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    urls: list[str] = []
    body = (RECORDED / name).read_bytes()

    def get(url: str, accept: str) -> bytes:
        urls.append(url)
        return body

    monkeypatch.setattr(remote, "http_get", get)
    return urls


def run_new(data: Path, source: str, monkeypatch: pytest.MonkeyPatch, stdin: str = "", *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["new", source, "--data", str(data), *extra])


def fill_in(path: Path, setting: str = "offline", increment: str = "TIL", family: str = "PLM", technique: str = "parameter-efficient") -> None:
    """What the contributor does by hand: choose the placement and write the summary."""
    text = path.read_text(encoding="utf-8")
    for axis, value in (("setting", setting), ("increment", increment), ("family", family), ("technique", technique)):
        text, n = re.subn(rf"^(\s*-? ?{axis}:)  # TODO.*$", rf"\1 {value}", text, count=1, flags=re.M)
        assert n == 1, axis
    text, n = re.subn(r"^summary:  # TODO$", "summary: >-\n  A test summary written in our own words.", text, count=1, flags=re.M)
    assert n == 1
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- the key rule


@pytest.mark.parametrize(
    ("author", "year", "title", "key"),
    [
        ("Wang, Xiao and Chen, Tianze", 2023, "Orthogonal Subspace Learning for Language Model Continual Learning", "wang2023orthogonal"),
        ("de Masson d'Autume, Cyprien and Ruder, Sebastian", 2019, "Episodic Memory in Lifelong Language Learning", "demassondautume2019episodic"),
        ("Houlsby, Neil", 2019, "Parameter-Efficient Transfer Learning for {NLP}", "houlsby2019parameterefficient"),
        ("Lee, Sungjin", 2017, "Toward Continual Learning for Conversational Agents", "lee2017continual"),
        ("Xiao Wang and Tianze Chen", 2023, "On the Orthogonal Subspace", "wang2023orthogonal"),
        ("Delange, Matthias", 2022, "A Continual Learning Survey", "delange2022continual"),
        ("Müller, Jörg", 2024, "How {LFPT5}: Does It Work?", "muller2024lfpt5"),
    ],
)
def test_citation_key_rule(author: str, year: int, title: str, key: str) -> None:
    assert make_key(first_author_family(author), year, title) == key


def test_key_clash_appends_letters() -> None:
    assert next_free_key("ke2022continual", set()) == "ke2022continual"
    assert next_free_key("ke2022continual", {"ke2022continual"}) == "ke2022continualb"
    assert next_free_key("ke2022continual", {"ke2022continual", "ke2022continualb"}) == "ke2022continualc"


# --------------------------------------------------------------------------- from BibTeX


def test_new_from_stdin_fills_fields_and_shows_allowed_values(mini_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_new(mini_data, "-", monkeypatch, KE_2021) == 0
    out = capsys.readouterr().out
    path = mini_data / "papers" / "ke2021adapting.yaml"
    assert "Created" in out and "ke2021adapting" in out and "clatlas validate" in out
    text = path.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    assert doc["title"] == "Adapting BERT for Continual Learning of a Sequence of Aspect Sentiment Classification Tasks"
    assert doc["year"] == 2021
    assert doc["doi"] == "10.18653/v1/2021.naacl-main.378"
    assert doc["acl_anthology"] == "2021.naacl-main.378"
    assert doc["url"] == "https://aclanthology.org/2021.naacl-main.378"
    assert doc["sources"] == ["https://aclanthology.org/2021.naacl-main.378"]
    assert doc["venue"].startswith("Proceedings of the 2021 Conference of the North American Chapter")
    assert doc["kind"] == "method"
    assert doc["bibtex"].startswith("@inproceedings{ke2021adapting,")  # the key follows the rule
    assert 'pages = "4746--4755"' in doc["bibtex"]  # the rest is kept as pasted
    # the taxonomy is left to the contributor, with every allowed value shown, from catalog.taxonomy
    assert doc["placements"] == [{"setting": None, "increment": None, "family": None, "technique": None, "technique_source": "curated"}]
    assert doc["summary"] is None
    tax = load_taxonomy(mini_data / "taxonomy.yaml")
    for axis in ("setting", "increment", "family", "technique"):
        for value in tax.allowed(axis):
            assert re.search(rf"#\s+{re.escape(value)}\s", text), f"{axis} value {value} not shown"
    for approach in tax.approaches:
        assert approach in text
    assert "setting:  # TODO offline | online" in text
    assert "increment:  # TODO offline: DIL | TIL | CIL; online: HTB | BTB" in text


def test_contributor_flow_new_fill_validate(mini_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Paste, validate (clear messages for what is left to do), fill in, validate again: pass."""
    assert run_new(mini_data, "-", monkeypatch, KE_2021) == 0
    path = mini_data / "papers" / "ke2021adapting.yaml"
    capsys.readouterr()
    assert main(["validate", "--data", str(mini_data), str(path)]) == 1
    err = capsys.readouterr().err
    assert "placements[0].setting: setting is empty (write one of: offline, online)" in err
    assert "placements[0].increment: increment is empty (write one of: offline: DIL, TIL, CIL; online: HTB, BTB)" in err
    assert "placements[0].family: family is empty (write one of: PLM, LLM, VLM)" in err
    assert "placements[0].technique: technique is empty" in err
    assert re.search(r"ke2021adapting.yaml:\d+: ke2021adapting: summary: summary is empty \(write 2-4 sentences in your own words", err)
    assert "5 problem(s) found." in err
    fill_in(path, "offline", "DIL", "PLM", "parameter-efficient")
    assert main(["validate", "--data", str(mini_data)]) == 0
    assert "OK: 4 papers" in capsys.readouterr().out
    assert load_catalog(mini_data).papers["ke2021adapting"].paper.placements[0].increment == "DIL"


def test_new_from_bib_file(mini_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bib = tmp_path / "houlsby.bib"
    bib.write_text(
        "@inproceedings{pmlr-v97-houlsby19a,\n  title = {Parameter-Efficient Transfer Learning for {NLP}},\n"
        "  author = {Houlsby, Neil and Giurgiu, Andrei and Jastrzebski, Stanislaw},\n"
        "  booktitle = {Proceedings of the 36th International Conference on Machine Learning},\n  year = {2019},\n"
        "  eprint = {1902.00751},\n  archivePrefix = {arXiv},\n  url = {https://arxiv.org/abs/1902.00751},\n}\n",
        encoding="utf-8",
    )
    assert run_new(mini_data, str(bib), monkeypatch) == 0
    doc = yaml.safe_load((mini_data / "papers" / "houlsby2019parameterefficient.yaml").read_text(encoding="utf-8"))
    assert doc["arxiv"] == "1902.00751"  # quoted in the file, so a string
    assert doc["title"] == "Parameter-Efficient Transfer Learning for NLP"


def test_preprint_venue_is_arxiv(mini_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bib = (
        "@article{x,\n  title = {Toward Continual Learning for Conversational Agents},\n  author = {Lee, Sungjin},\n"
        "  journal = {arXiv preprint arXiv:1712.09943},\n  year = {2017}\n}\n"
    )
    assert run_new(mini_data, "-", monkeypatch, bib) == 0
    doc = yaml.safe_load((mini_data / "papers" / "lee2017continual.yaml").read_text(encoding="utf-8"))
    assert (doc["venue"], doc["arxiv"], doc["url"]) == ("arXiv", "1712.09943", "https://arxiv.org/abs/1712.09943")


def test_latex_in_title_becomes_text_and_missing_url_is_left_to_fill(
    mini_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bib = (
        '@article{x,\r\n\ttitle={An {\\"U}ber Test: On Things \\& Stuff},\r\n\tauthor={M{\\"u}ller, J{\\"o}rg},\r\n'
        "\tjournal={Neural Networks},\r\n\tyear={2019}\r\n}\r\n"
    )
    assert run_new(mini_data, "-", monkeypatch, bib) == 0
    path = mini_data / "papers" / "muller2019uber.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["title"] == "An Über Test: On Things & Stuff"
    assert doc["venue"] == "Neural Networks"
    assert doc["sources"] == [None]
    capsys.readouterr()
    assert main(["validate", "--data", str(mini_data), str(path)]) == 1
    err = capsys.readouterr().err
    assert "sources[0]: source URL is empty (write the URL of a page where you checked the facts" in err
    assert "bibtex" not in err  # the title agrees with the BibTeX once LaTeX is read


# --------------------------------------------------------------------------- duplicates


@pytest.mark.parametrize(
    ("bib", "why"),
    [
        ("@inproceedings{x, title = {Some Other Title}, author = {Wang, Xiao}, year = {2023}, doi = {10.18653/V1/2023.findings-emnlp.715}}", "same DOI"),
        ("@misc{x, title = {Some Other Title}, author = {Wang, Xiao}, year = {2023}, eprint = {2310.14152v2}, archivePrefix = {arXiv}}", "same arXiv id"),
        ("@misc{x, title = {Orthogonal subspace learning for language-model continual learning}, author = {Wang, Xiao}, year = {2023}}", "same title"),
        ("@misc{x, title = {Orthogonal Subspace Learning for Language Models Continual Learning}, author = {Wang, X.}, year = {2024}}", "near-identical title"),
    ],
)
def test_duplicate_is_refused_and_named(mini_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], bib: str, why: str) -> None:
    before = sorted(p.name for p in (mini_data / "papers").iterdir())
    assert run_new(mini_data, "-", monkeypatch, bib) == 1
    err = capsys.readouterr().err
    assert f"already in the catalog as wang2023orthogonal ({why}" in err
    assert "wang2023orthogonal.yaml" in err
    assert sorted(p.name for p in (mini_data / "papers").iterdir()) == before


@pytest.mark.parametrize(
    ("bib", "why"),
    [
        (
            "@misc{x, title = {Some Other Title}, author = {Wang, Xiao}, year = {2023}, eprint = {2309.00001}, archivePrefix = {arXiv}}",
            "same arXiv id 2309.00001 (listed under its aliases)",
        ),
        ("@misc{x, title = {An Earlier Orthogonal Preprint Title}, author = {Wang, Xiao}, year = {2023}}", "same title"),
    ],
)
def test_an_alias_is_a_duplicate_too(mini_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], bib: str, why: str) -> None:
    edit(
        mini_data / "papers" / "wang2023orthogonal.yaml",
        "kind: method",
        'kind: method\naliases:\n  - title: An Earlier Orthogonal Preprint Title\n    arxiv: "2309.00001"',
    )
    assert run_new(mini_data, "-", monkeypatch, bib) == 1
    assert f"already in the catalog as wang2023orthogonal ({why}" in capsys.readouterr().err


def test_same_key_different_paper_gets_suffix(mini_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bib = "@misc{x, title = {Orthogonal Experts for Retrieval}, author = {Wang, Yi}, year = {2023}}"
    assert run_new(mini_data, "-", monkeypatch, bib) == 0
    text = (mini_data / "papers" / "wang2023orthogonalb.yaml").read_text(encoding="utf-8")
    assert "@misc{wang2023orthogonalb," in text


def test_force_overwrites_the_same_key(mini_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_new(mini_data, "-", monkeypatch, KE_2021) == 0
    assert run_new(mini_data, "-", monkeypatch, KE_2021) == 1  # now a duplicate of itself
    assert "already in the catalog as ke2021adapting" in capsys.readouterr().err
    assert run_new(mini_data, "-", monkeypatch, KE_2021, "--force") == 0
    assert not (mini_data / "papers" / "ke2021adaptingb.yaml").exists()


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("", "standard input was empty"),
        ("title = {no entry here}", "BibTeX holds no entry"),
        ("@misc{a, title={A}, author={B, C}, year={2020}}\n@misc{b, title={D}, author={E, F}, year={2021}}", "holds 2 entries"),
        ("@misc{a, title = {Something}, author = {Doe, Jane}}", "has no year"),
        ("@misc{a, title = {Something}, author = {Doe, Jane}, year = {in press}}", "not a four-digit year"),
    ],
)
def test_bad_bibtex_input_is_explained(mini_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: str, message: str) -> None:
    assert run_new(mini_data, "-", monkeypatch, stdin) == 1
    err = capsys.readouterr().err
    assert err.startswith("clatlas new: ") and message in err and "Traceback" not in err


def test_unknown_source_form(mini_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_new(mini_data, "nonsense", monkeypatch) == 1
    assert "arXiv:ID" in capsys.readouterr().err
    assert run_new(mini_data, "missing.bib", monkeypatch) == 1
    assert "no such file: missing.bib" in capsys.readouterr().err


# --------------------------------------------------------------------------- from arXiv / Crossref (recorded)


def test_new_from_arxiv_recorded(mini_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    urls = recorded(monkeypatch, "arxiv-2405.18653.xml")
    assert run_new(mini_data, "arXiv:2405.18653", monkeypatch) == 0
    assert urls == ["https://export.arxiv.org/api/query?id_list=2405.18653"]
    doc = yaml.safe_load((mini_data / "papers" / "yang2024recent.yaml").read_text(encoding="utf-8"))
    assert doc["arxiv"] == "2405.18653"
    assert doc["venue"] == "arXiv" and doc["year"] == 2024
    assert doc["sources"] == ["https://arxiv.org/abs/2405.18653"]
    assert doc["kind"] == "survey"
    assert "the arXiv API record of arXiv:2405.18653" in (mini_data / "papers" / "yang2024recent.yaml").read_text(encoding="utf-8")


def test_new_from_doi_recorded_then_arxiv_is_a_duplicate(mini_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    urls = recorded(monkeypatch, "crossref-10.1145-3705725.json")
    assert run_new(mini_data, "10.1145/3705725", monkeypatch) == 0
    assert urls == ["https://api.crossref.org/works/10.1145%2F3705725"]
    path = mini_data / "papers" / "yang2025recent.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert (doc["doi"], doc["venue"], doc["year"]) == ("10.1145/3705725", "ACM Computing Surveys 2025", 2025)
    assert doc["url"] == "https://dl.acm.org/doi/10.1145/3705725"
    assert doc["sources"] == ["https://doi.org/10.1145/3705725"]
    assert "journal = {ACM Computing Surveys}" in doc["bibtex"]
    # the same paper from arXiv: refused, naming the entry just made
    recorded(monkeypatch, "arxiv-2405.18653.xml")
    capsys.readouterr()
    assert run_new(mini_data, "arXiv:2405.18653", monkeypatch) == 1
    assert "already in the catalog as yang2025recent (same title)" in capsys.readouterr().err


def test_new_offline_is_a_clear_error(mini_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import urllib.error

    def offline(req: object, timeout: float) -> None:
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(remote.urllib.request, "urlopen", offline)
    assert run_new(mini_data, "10.1145/3705725", monkeypatch) == 1
    err = capsys.readouterr().err
    assert "cannot reach api.crossref.org" in err and "offline" in err and "paste the BibTeX" in err
