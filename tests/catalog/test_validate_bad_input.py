"""Every kind of bad input gets a message naming file, line, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.helpers import edit, line_of, one_problem, problems

from catalog.taxonomy import load_taxonomy
from clatlas_cli import main

OLORA = "papers/wang2023orthogonal.yaml"
REL = "data/" + OLORA  # problems name files relative to the data directory's parent


def test_fixture_is_valid(mini_data: Path) -> None:
    assert problems(mini_data) == []


def test_yaml_syntax_error_names_line(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "kind: method\n", "kind: [method\n")
    p = one_problem(mini_data, path=REL, entry="wang2023orthogonal", field="(file)", message="YAML syntax error")
    assert p.line is not None and p.line >= line_of(path, "kind:")


def test_missing_required_field(mini_data: Path) -> None:
    path = mini_data / OLORA
    text = path.read_text()
    start = text.index("summary: >-")
    end = text.index("datasets:")
    path.write_text(text[:start] + text[end:])
    one_problem(mini_data, path=REL, entry="wang2023orthogonal", field="summary", message="required field is missing")


def test_wrong_type_year_quoted(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "year: 2023\n", 'year: "2023"\n')
    one_problem(mini_data, field="year", line=line_of(path, "year:"), message="valid integer", hint="without quotes")


def test_unquoted_arxiv_id_is_a_number(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, 'arxiv: "2310.14152"', "arxiv: 2310.14152")
    one_problem(mini_data, field="arxiv", line=line_of(path, "arxiv:"), message="expected text", hint="quotes")


def test_value_outside_taxonomy_suggests_nearest(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "technique: parameter-efficient", "technique: paramter-efficient")
    p = one_problem(mini_data, field="placements[0].technique", line=line_of(path, "    technique: paramter"))
    assert "allowed: " + ", ".join(load_taxonomy().allowed("technique")) in p.message
    assert "did you mean 'parameter-efficient'" in p.message


def test_increment_must_belong_to_setting(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "increment: TIL", "increment: BTB")
    one_problem(mini_data, field="placements[0].increment", message="'BTB' does not belong to setting 'offline'; offline allows: DIL, TIL, CIL")


def test_unknown_field_is_a_typo(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "venue: Findings", "venu: Findings")
    found = problems(mini_data)
    fields = {p.field: p for p in found}
    assert set(fields) == {"venu", "venue"}
    assert fields["venu"].hint == "did you mean 'venue'?"
    assert fields["venu"].line == line_of(path, "venu:")


def test_bibtex_that_does_not_parse(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "    url = {https://aclanthology.org/2023.findings-emnlp.715},\n  }", "    url = {https://aclanthology.org/2023.findings-emnlp.715},\n")
    one_problem(mini_data, field="bibtex", line=line_of(path, "bibtex:"), message="does not parse")


def test_bibtex_with_two_entries(mini_data: Path) -> None:
    path = mini_data / OLORA
    path.write_text(path.read_text() + "  @misc{other2020x, title = {X}, year = {2020}}\n")
    one_problem(mini_data, field="bibtex", message="holds 2 entries")


def test_bibtex_key_differs_from_file_name(mini_data: Path) -> None:
    edit(mini_data / OLORA, "@inproceedings{wang2023orthogonal,", "@inproceedings{wang2023olora,")
    one_problem(mini_data, field="bibtex", message="key 'wang2023olora' differs from the file name")


def test_bibtex_title_and_year_must_agree(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "    year = {2023},", "    year = {2022},")
    one_problem(mini_data, field="bibtex.year", message="differs from year 2023")


def test_duplicate_doi_arxiv_and_title(mini_data: Path) -> None:
    src = mini_data / OLORA
    dup = mini_data / "papers" / "zcopy2023orthogonal.yaml"  # sorts after the original
    dup.write_text(src.read_text().replace("{wang2023orthogonal,", "{zcopy2023orthogonal,"))
    found = {p.field: p for p in problems(mini_data)}
    assert set(found) == {"doi", "arxiv", "acl_anthology", "title"}
    for p in found.values():
        assert p.entry == "zcopy2023orthogonal" and "already used by wang2023orthogonal" in p.message


def test_alias_arxiv_id_of_another_entry_is_a_duplicate_naming_both_files(mini_data: Path) -> None:
    # the problem is reported on the file read second (as for any duplicate), naming the first and its field
    edit(
        mini_data / "papers" / "razdaibiedina2023progressive.yaml",
        "kind: method",
        'kind: method\naliases:\n  - title: An Earlier Preprint\n    arxiv: "2310.14152"',
    )
    p = one_problem(
        mini_data,
        entry="wang2023orthogonal",
        field="arxiv",
        line=line_of(mini_data / OLORA, "arxiv:"),
        message=r"duplicate arxiv: the same arxiv 2310\.14152 is already used by razdaibiedina2023progressive "
        r"\(aliases\[0\]\.arxiv of papers/razdaibiedina2023progressive\.yaml\)",
    )
    assert p.path == REL


def test_alias_title_of_another_entry_is_a_duplicate(mini_data: Path) -> None:
    edit(
        mini_data / "papers" / "razdaibiedina2023progressive.yaml",
        "kind: method",
        "kind: method\naliases:\n  - title: Orthogonal subspace learning for language model continual learning",
    )
    one_problem(
        mini_data,
        entry="wang2023orthogonal",
        field="title",
        message=r"duplicate title: .* already used by razdaibiedina2023progressive \(aliases\[0\]\.title of",
    )


def test_alias_repeating_the_papers_own_id_is_refused(mini_data: Path) -> None:
    edit(mini_data / OLORA, "kind: method", 'kind: method\naliases:\n  - arxiv: "2310.14152"')
    one_problem(mini_data, field="aliases[0].arxiv", message="this paper's own arxiv id")


def test_reference_to_unknown_dataset(mini_data: Path) -> None:
    path = mini_data / OLORA
    edit(path, "datasets: [standard-cl-benchmark,", "datasets: [standard-cl-benchmrk,")
    one_problem(
        mini_data,
        field="datasets[0]",
        line=line_of(path, "datasets:"),
        message="unknown dataset 'standard-cl-benchmrk'",
        hint="did you mean 'standard-cl-benchmark'",
    )


def test_file_not_utf8(mini_data: Path) -> None:
    path = mini_data / OLORA
    path.write_bytes(path.read_bytes().replace(b"Orthogonal Subspace", "Orthogonal Subspac\u00e9".encode("latin-1"), 1))
    one_problem(mini_data, path=REL, field="(file)", message="not UTF-8", line=1)


def test_empty_file(mini_data: Path) -> None:
    (mini_data / OLORA).write_text("  \n")
    one_problem(mini_data, path=REL, entry="wang2023orthogonal", field="(file)", message="file is empty")


def test_all_problems_reported_in_one_run(mini_data: Path) -> None:
    edit(mini_data / OLORA, "family: LLM", "family: LMM")
    (mini_data / "papers" / "razdaibiedina2023progressive.yaml").write_text("")
    found = problems(mini_data)
    # the empty file, the bad family, and the dataset that now points at a missing paper
    assert sorted((p.entry, p.field) for p in found) == [
        ("long-sequence-benchmark", "paper"),
        ("razdaibiedina2023progressive", "(file)"),
        ("wang2023orthogonal", "placements[0].family"),
    ]


def test_cli_exit_status_and_format(mini_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--data", str(mini_data)]) == 0
    edit(mini_data / OLORA, "family: LLM", "family: LMM")
    assert main(["validate", "--data", str(mini_data)]) == 1
    err = capsys.readouterr().err
    line = line_of(mini_data / OLORA, "    family:")
    assert f"papers/wang2023orthogonal.yaml:{line}: wang2023orthogonal: placements[0].family: 'LMM' is not an allowed family" in err
    assert "Traceback" not in err


def test_cli_json_format(mini_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    edit(mini_data / OLORA, "family: LLM", "family: LMM")
    assert main(["validate", "--format", "json", "--data", str(mini_data)]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["count"] == 1
    assert out["problems"][0]["field"] == "placements[0].family"


def test_validate_only_given_paths(mini_data: Path) -> None:
    from catalog.loader import load_catalog

    edit(mini_data / OLORA, "family: LLM", "family: LMM")
    other = mini_data / "papers" / "razdaibiedina2023progressive.yaml"
    assert load_catalog(mini_data, only={other}).problems == []
    assert len(load_catalog(mini_data, only={mini_data / OLORA}).problems) == 1
