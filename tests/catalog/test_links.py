"""Links from method papers to the reproductions (catalog.links, catalog.reproload): every rule reports file, entry and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import FIXTURES, REPO
from support.helpers import edit, one_problem, problems

from catalog.links import link_counts
from catalog.loader import load_catalog

FIXTURE = FIXTURES / "reprolinks"
LINKS = "reproductions/links.yaml"
METHODS = "reproductions/methods.yaml"


@pytest.fixture()
def linked(mini_data: Path) -> Path:
    """The mini catalog with a small method catalog and a link for each of its three method papers."""
    (mini_data / "reproductions").mkdir(exist_ok=True)
    for name in ("methods.yaml", "links.yaml"):
        shutil.copy(FIXTURE / name, mini_data / "reproductions" / name)
    return mini_data


def test_fixture_links_resolve(linked: Path) -> None:
    cat = load_catalog(linked)
    assert cat.problems == [], "\n".join(p.format() for p in cat.problems)
    assert cat.links["wang2023orthogonal"].link == "exact"
    assert cat.links["wang2023orthogonal"].methods == ("classify/olora", "generate/olora")
    fam = cat.links["razdaibiedina2023progressive"]
    assert (fam.link, fam.family, fam.methods) == ("family", "prompts", ("classify/olora",))  # the family's methods by default
    assert link_counts(cat.links, {k: r.paper.kind for k, r in cat.papers.items()}) == {"exact": 2, "family": 1, "none": 0}


def test_without_the_files_nothing_is_linked(mini_data: Path) -> None:
    cat = load_catalog(mini_data)
    assert cat.problems == [] and cat.links == {} and cat.methods is None


def test_method_paper_without_a_link(linked: Path) -> None:
    edit(linked / LINKS, "  razdaibiedina2023progressive:\n    link: family\n    family: prompts\n", "  unused:\n    link: none\n    reason: vlm\n")
    found = problems(linked)
    messages = {(p.entry, p.message) for p in found}
    assert ("razdaibiedina2023progressive", "method paper 'razdaibiedina2023progressive' has no link") in messages
    assert any(p.entry == "unused" and p.message == "unknown paper 'unused'" for p in found)
    assert all(p.path == f"data/{LINKS}" for p in found)


def test_unknown_method_id_and_kind(linked: Path) -> None:
    edit(linked / LINKS, "methods: [classify/olora, generate/olora]", "methods: [classify/olorra, generat/olora]")
    found = problems(linked)
    by_field = {p.field: p for p in found if p.entry == "wang2023orthogonal"}
    assert "unknown classify method 'olorra'" in by_field["papers.wang2023orthogonal.methods[0]"].message
    assert by_field["papers.wang2023orthogonal.methods[0]"].hint == "did you mean classify/olora?"
    assert "unknown method kind 'generat'" in by_field["papers.wang2023orthogonal.methods[1]"].message
    assert by_field["papers.wang2023orthogonal.methods[1]"].line is not None


def test_exact_link_must_be_backed_by_the_methods_papers(linked: Path) -> None:
    edit(linked / LINKS, "methods: [classify/mbpapp]", "methods: [classify/mbpapp, classify/seqft]")
    p = one_problem(
        linked,
        entry="demassondautume2019episodic",
        field="papers.demassondautume2019episodic.methods[1]",
        message=r"exact link to classify/seqft, whose papers do not list demassondautume2019episodic \(papers: none\)",
    )
    assert p.path == f"data/{LINKS}"


def test_a_method_that_reproduces_a_paper_forces_an_exact_link(linked: Path) -> None:
    edit(
        linked / LINKS,
        "    link: exact\n    methods: [classify/mbpapp]\n    note: head-only local adaptation.",
        "    link: family\n    family: replay\n    note: replays stored examples.",
    )
    one_problem(
        linked,
        entry="demassondautume2019episodic",
        field="papers.demassondautume2019episodic.link",
        message=r"classify/mbpapp reproduces demassondautume2019episodic exactly .* must be exact",
    )


def test_exact_link_must_name_every_reproduction(linked: Path) -> None:
    edit(linked / LINKS, "methods: [classify/olora, generate/olora]", "methods: [classify/olora]")
    one_problem(linked, entry="wang2023orthogonal", field="papers.wang2023orthogonal.methods", message=r"generate/olora reproduces wang2023orthogonal")


def test_link_for_a_non_method_paper(linked: Path) -> None:
    _set_kind(linked, "razdaibiedina2023progressive", "study")
    one_problem(
        linked,
        entry="razdaibiedina2023progressive",
        field="papers.razdaibiedina2023progressive",
        message="is a study, not a method: only method papers are linked here",
    )


def _set_kind(data: Path, key: str, kind: str) -> None:
    edit(data / "papers" / f"{key}.yaml", "kind: method", f"kind: {kind}")


def test_family_and_none_rules(linked: Path) -> None:
    edit(linked / LINKS, "    family: prompts\n    note: shares", "    family: promts\n    methods: [classify/replay]\n    note: shares")
    found = {p.field: p.message for p in problems(linked)}
    assert found == {"papers.razdaibiedina2023progressive.family": "unknown family 'promts'; known: prompts, replay, lora"}
    edit(linked / LINKS, "    family: promts\n    methods: [classify/replay]\n", "    family: prompts\n    methods: [classify/replay]\n")
    one_problem(linked, field="papers.razdaibiedina2023progressive.methods[0]", message=r"classify/replay is not a method of family 'prompts'")
    edit(linked / LINKS, "    link: family\n    family: prompts\n    methods: [classify/replay]\n", "    link: none\n    reason: vision\n")
    one_problem(linked, field="papers.razdaibiedina2023progressive.reason", message=r"unknown reason 'vision'; known: vlm")


def test_schema_errors_name_the_entry_and_field(linked: Path) -> None:
    edit(linked / LINKS, "    link: family\n    family: prompts\n", "    link: familly\n    family: prompts\n")
    p = one_problem(linked, entry="razdaibiedina2023progressive", field="papers.razdaibiedina2023progressive.link")
    assert "familly" in p.message and p.hint == "did you mean 'family'?"
    assert p.line is not None


def test_duplicate_paper_key_is_reported(linked: Path) -> None:
    text = (linked / LINKS).read_text(encoding="utf-8")
    (linked / LINKS).write_text(text + "  demassondautume2019episodic:\n    link: none\n    reason: vlm\n", encoding="utf-8")
    assert any(p.field == "papers.demassondautume2019episodic" and "duplicate key" in p.message for p in problems(linked))


def test_method_catalog_cross_references(linked: Path) -> None:
    edit(
        linked / METHODS,
        "    benchmarks: [wordnet-instruct]\n    backbone: smollm2-135m-instruct\n    papers: []",
        "    benchmarks: [wordnet-5x4]\n    backbone: smollm\n    papers: [nobody2020]",
    )
    found = {(p.entry, p.field): p.message for p in problems(linked) if p.path == f"data/{METHODS}"}
    assert "a generate method cannot run on it" in found[("generate/seqlora", "methods[5].benchmarks[0]")]
    assert found[("generate/seqlora", "methods[5].backbone")].startswith("unknown backbone 'smollm'")
    assert found[("generate/seqlora", "methods[5].papers[0]")] == "unknown paper 'nobody2020'"


def test_links_need_the_method_catalog(linked: Path) -> None:
    (linked / METHODS).unlink()
    one_problem(linked, path=f"data/{LINKS}", message="links need the method catalog")


def test_a_run_of_an_unknown_method_is_reported(linked: Path) -> None:
    run = json.loads((REPO / "data/reproductions/results/replay/wordnet-5x4/standard-seed0.json").read_text())
    dest = linked / "reproductions" / "results" / "ewc" / "wordnet-5x4"
    dest.mkdir(parents=True)
    run["method"], run["papers"] = "ewc", []
    (dest / "standard-seed0.json").write_text(json.dumps(run), encoding="utf-8")
    one_problem(
        linked, entry="ewc/wordnet-5x4/standard-seed0", field="method", message="no method of data/reproductions/methods.yaml runs 'ewc' on 'wordnet-5x4'"
    )


def test_stand_in_benchmark_for_a_benchmark_paper(linked: Path) -> None:
    _set_kind(linked, "razdaibiedina2023progressive", "benchmark")
    edit(
        linked / LINKS,
        "  razdaibiedina2023progressive:\n    link: family\n    family: prompts\n"
        "    note: shares per-task parameters on a frozen encoder; it uses LoRA, not prompts.\n",
        "",
    )
    text = (linked / LINKS).read_text(encoding="utf-8")
    (linked / LINKS).write_text(
        text + "benchmarks:\n  razdaibiedina2023progressive:\n    benchmark: wordnet-instruct\n"
        "    label: SmolLM2 on wordnet-instruct, not the paper's benchmark\n    note: same protocol, other data.\n",
        encoding="utf-8",
    )
    cat = load_catalog(linked)
    assert cat.problems == [], "\n".join(p.format() for p in cat.problems)
    r = cat.links["razdaibiedina2023progressive"]
    assert (r.link, r.benchmark, r.methods) == ("family", "wordnet-instruct", ("generate/olora", "generate/seqlora"))
    assert link_counts(cat.links, {k: rec.paper.kind for k, rec in cat.papers.items()})["family"] == 0  # counts are of method papers
