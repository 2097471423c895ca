"""Mistakes a new contributor makes on purpose, and the message each one gets.

Every message names the file and line, the entry and the field, and says what
to do (a hint, or a "did you mean" with the nearest allowed value).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from support.helpers import edit, line_of, one_problem, problems

from catalog.problems import Problem
from catalog.taxonomy import load_taxonomy
from clatlas_cli import main

OLORA = "papers/wang2023orthogonal.yaml"
REL = "data/" + OLORA
KEY = "wang2023orthogonal"


def check(p: Problem, path: Path, line_prefix: str | None) -> None:
    """The common promise: file:line, entry, field, and what to do."""
    assert p.path == REL and p.entry == KEY and p.field
    if line_prefix is not None:
        assert p.line == line_of(path, line_prefix), p.format()
    assert p.hint or "did you mean" in p.message, f"no advice in: {p.format()}"
    assert p.format().startswith(f"{REL}:{p.line}: {KEY}: {p.field}: ")


def test_misspelt_technique(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "technique: parameter-efficient", "technique: parameter-efficent")
    p = one_problem(mini_data, field="placements[0].technique", message=r"did you mean 'parameter-efficient'\?")
    assert "allowed: " + ", ".join(load_taxonomy().allowed("technique")) in p.message
    check(p, path, "    technique: parameter-efficent")


def test_wrong_increment_for_setting(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "increment: TIL", "increment: HTB")
    p = one_problem(mini_data, field="placements[0].increment", message="'HTB' does not belong to setting 'offline'; offline allows: DIL, TIL, CIL")
    assert p.hint == "use one of DIL, TIL, CIL with this setting, or change the setting to 'online' (HTB is an online increment)"
    check(p, path, "    increment: HTB")


def test_unknown_field(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "code_url:", "codeurl:")
    p = one_problem(mini_data, field="codeurl", message="unknown field; allowed fields: .*code_url", hint=r"did you mean 'code_url'\?")
    check(p, path, "codeurl:")


def test_unknown_field_without_a_near_name(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "code_url:", "github_repository_link:")
    p = one_problem(mini_data, field="github_repository_link", hint="remove the field, or rename it")
    check(p, path, "github_repository_link:")


def test_unquoted_arxiv_id(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, 'arxiv: "2310.14152"', "arxiv: 2310.14152")
    p = one_problem(mini_data, field="arxiv", message="expected text, got the number 2310.14152")
    assert p.hint == 'put it in quotes: arxiv: "2310.14152"'
    check(p, path, "arxiv:")


def test_unquoted_arxiv_id_that_yaml_changes(mini_data: Path) -> None:
    """2310.14150 read as a number loses its last zero; the hint quotes what was written."""
    path = mini_data / OLORA
    edit(path, 'arxiv: "2310.14152"', "arxiv: 2310.14150")
    p = one_problem(mini_data, field="arxiv", message=r"got the number 2310.14150 \(YAML reads it as 2310.1415\)")
    assert p.hint == 'put it in quotes: arxiv: "2310.14150"'


def test_missing_summary(mini_data: Path) -> None:
    path = mini_data / OLORA
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("summary: >-")] + text[text.index("datasets:") :], encoding="utf-8")
    p = one_problem(mini_data, field="summary", message="required field is missing", hint="add 'summary:' with 2-4 sentences in your own words")
    assert p.line == 1  # the entry itself: there is no line to point at
    check(p, path, None)


def test_empty_summary_and_placement_left_from_the_scaffold(mini_data: Path) -> None:
    path = mini_data / OLORA
    text = path.read_text(encoding="utf-8")
    text = text[: text.index("summary: >-")] + "summary:  # TODO\n" + text[text.index("datasets:") :]
    path.write_text(text.replace("setting: offline", "setting:  # TODO offline | online"), encoding="utf-8")
    found = {p.field: p for p in problems(mini_data)}
    assert set(found) == {"summary", "placements[0].setting"}
    assert found["summary"].message == "summary is empty"
    assert (found["summary"].hint or "").startswith("write 2-4 sentences in your own words")
    assert found["placements[0].setting"].message == "setting is empty"
    assert found["placements[0].setting"].hint == "write one of: offline, online"
    check(found["summary"], path, "summary:")
    check(found["placements[0].setting"], path, "  - setting:")


def test_doi_written_as_a_link(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "doi: 10.18653", "doi: https://doi.org/10.18653")
    p = one_problem(mini_data, field="doi", message="is not a DOI")
    assert p.hint == "write it without the https://doi.org/ part: doi: 10.18653/v1/2023.findings-emnlp.715"
    check(p, path, "doi:")


def test_arxiv_id_with_version_or_prefix(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, 'arxiv: "2310.14152"', 'arxiv: "arXiv:2310.14152v3"')
    p = one_problem(mini_data, field="arxiv", message="is not an arXiv id")
    assert p.hint == 'write the bare id without "arXiv:" or a version suffix: arxiv: "2310.14152"'
    check(p, path, "arxiv:")


def test_kind_misspelt(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "kind: method", "kind: methods")
    p = one_problem(
        mini_data, field="kind", message="'methods' is not allowed here; allowed: method, benchmark, study, survey, tool", hint=r"did you mean 'method'\?"
    )
    check(p, path, "kind:")


def test_year_with_a_letter(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "year: 2023", "year: 2O23")
    p = one_problem(mini_data, field="year", message="year must be a whole number, got '2O23'", hint="write digits only, e.g. year: 2023")
    check(p, path, "year:")


def test_source_without_scheme(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "  - https://aclanthology.org/2023.findings-emnlp.715\n", "  - aclanthology.org/2023.findings-emnlp.715\n")
    p = one_problem(mini_data, field="sources[0]", message="is not a web address", hint="starting with https://")
    check(p, path, "  - aclanthology.org")


def test_bibtex_title_differs(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "title: Orthogonal Subspace Learning", "title: Orthogonal Subspaces Learning")
    p = one_problem(mini_data, field="bibtex.title", message="differs from title", hint="make the two titles the same")
    check(p, path, "bibtex:")


def test_bibtex_key_differs(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "@inproceedings{wang2023orthogonal,", "@inproceedings{wang-etal-2023-orthogonal,")
    p = one_problem(mini_data, field="bibtex", hint="change the BibTeX key to wang2023orthogonal, or rename the file to wang-etal-2023-orthogonal.yaml")
    check(p, path, "bibtex:")


def test_reference_to_a_paper_with_its_own_problems(mini_data: Path) -> None:
    """A broken paper is not also reported as 'unknown' without saying why."""
    edit(mini_data / "papers/razdaibiedina2023progressive.yaml", "kind: method", "kind: methd")
    found = problems(mini_data)
    ref = next(p for p in found if p.entry == "long-sequence-benchmark")
    assert ref.field == "paper" and ref.hint == "razdaibiedina2023progressive.yaml exists but has problems of its own; fix those first"


def test_cli_prints_one_line_per_mistake(mini_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = mini_data / OLORA
    edit(path, "technique: parameter-efficient", "technique: parameter-efficent")
    edit(path, "code_url:", "codeurl:")
    edit(path, 'arxiv: "2310.14152"', "arxiv: 2310.14152")
    assert main(["validate", "--data", str(mini_data)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert f'{REL}:{line_of(path, "arxiv:")}: {KEY}: arxiv: expected text, got the number 2310.14152 (put it in quotes: arxiv: "2310.14152")' in err
    assert f"{REL}:{line_of(path, 'codeurl:')}: {KEY}: codeurl: " in "\n".join(err)
    assert err[-1] == "3 problem(s) found."


# --------------------------------------------------------------------------- validate --changed


@pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")
def test_validate_changed_checks_only_changed_files(mini_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = mini_data.parent

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "base")
    # a mistake committed earlier (not ours) and one in the file we are changing now
    edit(mini_data / "papers/razdaibiedina2023progressive.yaml", "increment: TIL", "increment: TLI")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-am", "someone else's mistake")
    edit(mini_data / OLORA, "family: LLM", "family: llm")
    assert main(["validate", "--changed", "--base", "HEAD", "--data", str(mini_data)]) == 1
    err = capsys.readouterr().err
    assert "wang2023orthogonal" in err and "did you mean 'LLM'?" in err
    assert "razdaibiedina2023progressive" not in err
    edit(mini_data / OLORA, "family: llm", "family: LLM")
    assert main(["validate", "--changed", "--base", "HEAD", "--data", str(mini_data)]) == 0
    assert "OK: 0 file(s) checked" in capsys.readouterr().out
