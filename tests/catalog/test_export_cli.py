"""``clatlas export``: markdown (awesome list), bibtex, csv, json, and ``--check``."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import bibtexparser
import pytest
from support.helpers import edit

from catalog.bibtex import parse_entry
from catalog.export import render
from catalog.loader import load_catalog
from catalog.paths import data_dir
from clatlas_cli import main

SURVEY = """title: "Recent Advances of Foundation Language Models-based Continual Learning: A Survey"
year: 2025
venue: ACM Computing Surveys 2025
kind: survey
doi: 10.1145/3705725
url: https://dl.acm.org/doi/10.1145/3705725
sources: [https://doi.org/10.1145/3705725]
placements: []
summary: >-
  A survey used here as a paper without placements.
bibtex: |
  @article{yang2025recent,
    title = {Recent Advances of Foundation Language Models-based Continual Learning: A Survey},
    author = {Yang, Yutao and Zhou, Jie and Ding, Xuanwen and Huai, Tianyu and Liu, Shunyu and Chen, Qin and Xie, Yuan and He, Liang},
    journal = {ACM Computing Surveys},
    year = {2025},
    doi = {10.1145/3705725},
  }
"""


@pytest.fixture()
def data(mini_data: Path) -> Path:
    (mini_data / "papers" / "yang2025recent.yaml").write_text(SURVEY, encoding="utf-8")
    return mini_data


def export(data: Path, *args: str) -> int:
    return main(["export", "--data", str(data), *args])


# --------------------------------------------------------------------------- markdown


def test_markdown_is_grouped_like_the_taxonomy(data: Path) -> None:
    md = render("markdown", data)
    headings = [ln for ln in md.splitlines() if ln.startswith("#")]
    # setting -> increment -> family -> technique, in taxonomy-file order; empty branches left out
    assert headings == [
        "# Continual learning for foundation language models: paper list",
        "## Contents",
        "## Offline",
        "### Offline / Task-incremental (TIL)",
        "#### TIL / PLM: Pre-trained LMs",
        "#### TIL / LLM: Large LMs",
        "## Online",
        "### Online / Hard task boundary (HTB)",
        "#### HTB / PLM: Pre-trained LMs",
        "### Online / Blurry task boundary (BTB)",
        "#### BTB / PLM: Pre-trained LMs",
        "## Related surveys and other papers",
        "### Surveys",
    ]
    assert "Generated from data/papers/ by `clatlas export --format markdown -o PAPERS.md`" in md.splitlines()[0]


def test_markdown_paper_lines(data: Path) -> None:
    md = render("markdown", data)
    olora = [ln for ln in md.splitlines() if "Orthogonal Subspace Learning" in ln]
    assert len(olora) == len(load_catalog(data).papers["wang2023orthogonal"].paper.placements)  # once per path
    assert olora[0] == (
        "- [Orthogonal Subspace Learning for Language Model Continual Learning](https://aclanthology.org/2023.findings-emnlp.715/)"
        " — Findings of EMNLP 2023 · **O-LoRA** · "
        "[![code](https://img.shields.io/badge/code-available-brightgreen)](https://github.com/cmnfriend/O-LoRA)"
    )
    # MBPA++ sits on two paths (online HTB and BTB) and is listed under both
    assert sum("Episodic Memory in Lifelong Language Learning" in ln for ln in md.splitlines()) == 2
    # venue and year are not doubled; no badge without code
    prog = next(ln for ln in md.splitlines() if "Progressive Prompts" in ln)
    assert prog.endswith("— ICLR 2023 · **PP**") and "code-available" not in prog
    # the unplaced survey closes the list
    tail = md.split("## Related surveys and other papers", 1)[1]
    assert (
        "[Recent Advances of Foundation Language Models-based Continual Learning: A Survey](https://dl.acm.org/doi/10.1145/3705725)"
        " — ACM Computing Surveys 2025"
    ) in tail


def test_markdown_marks_extension_techniques(data: Path) -> None:
    edit(data / "papers" / "wang2023orthogonal.yaml", "    technique: parameter-efficient", "    technique: model-merging")
    md = render("markdown", data)
    head = next(ln for ln in md.splitlines() if ln.startswith("**Model merging**"))
    assert "CL Atlas extension, not in the survey's taxonomy: The survey" in head
    assert "**Traditional**" in md and "**Traditional** _(" not in md  # the survey's own values are not marked


def test_markdown_toc_anchors_match_headings(data: Path) -> None:
    md = render("markdown", data)
    anchors = re.findall(r"\]\(#([^)]+)\)", md)
    headings = {re.sub(r"[^\w\- ]", "", h.lstrip("#").strip().lower()).replace(" ", "-") for h in md.splitlines() if h.startswith("#")}
    assert anchors and set(anchors) <= headings


def test_markdown_escapes_titles_and_links_fallbacks() -> None:
    from catalog.markdown import paper_line
    from catalog.read import Paper

    p = Paper(
        key="x2020a",
        title="A [bracketed] *title* | with pipes",
        year=2020,
        venue="arXiv",
        url=None,
        doi=None,
        arxiv="2001.00001",
        code_url=None,
        survey_acronym="X_Y",
    )
    assert paper_line(p, "replay") == (r"- [A \[bracketed\] \*title\* \| with pipes](https://arxiv.org/abs/2001.00001) — arXiv 2020 · **X\_Y** · _replay_")


# --------------------------------------------------------------------------- bibtex, csv, json


def test_bibtex_export_round_trips_every_entry(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "catalog.bib"
    assert export(data, "--format", "bibtex", "-o", str(out)) == 0
    _assert_bib_round_trips(out.read_text(encoding="utf-8"), data)


def test_bibtex_export_of_the_real_catalog_round_trips() -> None:
    _assert_bib_round_trips(render("bibtex", data_dir()), data_dir())


def _assert_bib_round_trips(text: str, data: Path) -> None:
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks, lib.failed_blocks[:1]
    cat = load_catalog(data)
    parsed = {e.key: e for e in lib.entries}
    assert set(parsed) == set(cat.papers) and len(lib.entries) == len(cat.papers)
    for key, rec in cat.papers.items():
        e = parsed[key]
        again = parse_entry(bibtexparser.write_string(bibtexparser.Library([e])))
        assert again.entry_type == rec.bib.entry_type
        assert again.fields == rec.bib.fields, key
        assert again.authors == rec.bib.authors, key


def test_csv_and_json_exports(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert export(data, "--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["key"] for r in rows} == {"demassondautume2019episodic", "razdaibiedina2023progressive", "wang2023orthogonal", "yang2025recent"}
    assert next(r for r in rows if r["key"] == "wang2023orthogonal")["placements"].startswith("offline/TIL/")
    assert export(data, "--format", "json") == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) == 4 and {"key", "title", "authors", "placements", "bibtex"} <= set(items[0])


def test_exports_carry_first_public_aliases_and_survey_membership(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(
        data / "papers" / "wang2023orthogonal.yaml",
        'arxiv: "2310.14152"',
        'arxiv: "2310.14152"\nfirst_public: "2023-10"\naliases:\n  - title: An Older Title\n    arxiv: "2309.00001"\n    note: first preprint',
    )
    assert export(data, "--format", "csv") == 0
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    olora = rows["wang2023orthogonal"]
    assert (olora["first_public"], olora["aliases"], olora["in_survey"]) == ("2023-10", "An Older Title (arXiv 2309.00001)", "1")
    assert (rows["yang2025recent"]["first_public"], rows["yang2025recent"]["in_survey"]) == ("", "0")
    assert export(data, "--format", "json") == 0
    items = {p["key"]: p for p in json.loads(capsys.readouterr().out)}
    assert items["wang2023orthogonal"]["first_public"] == "2023-10" and items["wang2023orthogonal"]["in_survey"] is True
    assert items["wang2023orthogonal"]["aliases"] == [{"title": "An Older Title", "arxiv": "2309.00001", "note": "first preprint"}]
    assert items["yang2025recent"]["aliases"] == [] and items["yang2025recent"]["in_survey"] is False


# --------------------------------------------------------------------------- --check


def test_check_passes_when_up_to_date_and_fails_when_stale(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "PAPERS.md"
    assert export(data, "--format", "markdown", "-o", str(out)) == 0
    assert export(data, "--format", "markdown", "-o", str(out), "--check") == 0
    assert "is up to date" in capsys.readouterr().out
    edit(data / "papers" / "razdaibiedina2023progressive.yaml", "venue: ICLR 2023", "venue: ICLR 2023 (oral)")
    assert export(data, "--format", "markdown", "-o", str(out), "--check") == 1
    err = capsys.readouterr().err
    assert "is out of date" in err and "ICLR 2023 (oral)" in err
    assert f"Regenerate it with: clatlas export --format markdown -o {out}" in err
    assert "ICLR 2023 (oral)" not in out.read_text(encoding="utf-8")  # --check never writes


def test_check_needs_output_and_reports_missing_file(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert export(data, "--format", "markdown", "--check") == 2
    assert "--check needs the file" in capsys.readouterr().err
    assert export(data, "--format", "bibtex", "-o", str(tmp_path / "none.bib"), "--check") == 1
    assert "does not exist; generate it with: clatlas export --format bibtex" in capsys.readouterr().err


def test_export_refuses_invalid_data(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(data / "papers" / "wang2023orthogonal.yaml", "technique: parameter-efficient", "technique: parameter-efficent")
    out = tmp_path / "PAPERS.md"
    assert export(data, "--format", "markdown", "-o", str(out)) == 1
    err = capsys.readouterr().err
    assert "did you mean 'parameter-efficient'?" in err and "Export refused" in err
    assert not out.exists()


def test_export_formats_are_one_registry(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every format registers where it is written; a new one is a decorated function that `render` can use at once."""
    from catalog import export, exportformats

    assert list(exportformats.EXPORT_FORMATS) == ["markdown", "bibtex", "csv", "json"]
    assert [f.suffix for f in exportformats.web_formats()] == ["bib", "csv", "json"]  # markdown is the repo's PAPERS.md only
    monkeypatch.setattr(exportformats, "EXPORT_FORMATS", dict(exportformats.EXPORT_FORMATS))
    monkeypatch.setattr(export, "EXPORT_FORMATS", exportformats.EXPORT_FORMATS)

    @exportformats.export_format("keys", "txt", "text/plain")
    def keys(items: list, taxonomy: object = None) -> str:
        """One citation key per line."""
        return "".join(p.key + "\n" for p in items)

    text = export.render("keys", data)
    assert text.splitlines() and all(line and " " not in line for line in text.splitlines())
    with pytest.raises(ValueError, match="registered twice"):
        exportformats.export_format("keys", "txt", "text/plain")(keys)
