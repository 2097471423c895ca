"""data/reproductions/methods.yaml must say what the harness's registry says (ids, kinds, papers, benchmarks)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch", reason="the registry imports torch; without it only the catalog's own checks of methods.yaml run")

from catalog.loader import load_catalog  # noqa: E402
from catalog.paths import data_dir  # noqa: E402
from reproductions.benchmarks import all_benchmarks  # noqa: E402
from reproductions.methods import KINDS, all_methods  # noqa: E402


@pytest.fixture(scope="module")
def file_methods():
    cat = load_catalog(data_dir())
    assert cat.methods is not None, "data/reproductions/methods.yaml is missing or does not load"
    return cat.methods


@pytest.fixture(scope="module")
def registry() -> dict[str, type]:
    return {f"{kind}/{name}": cls for kind in KINDS for name, cls in all_methods(kind).items()}


def test_same_methods_of_the_same_kinds(file_methods, registry) -> None:
    assert set(file_methods.methods) == set(registry)


def test_same_papers(file_methods, registry) -> None:
    got = {ref: list(m.papers) for ref, m in file_methods.methods.items()}
    want = {ref: list(cls.papers) for ref, cls in registry.items()}
    assert got == want


def test_benchmarks_exist_with_the_same_kind_and_scenario(file_methods) -> None:
    specs = all_benchmarks()
    for bench in file_methods.benchmarks.values():
        spec = specs.get(bench.id)
        assert spec is not None, f"{bench.id} is not a registered benchmark"
        assert (bench.kind, bench.scenario) == (spec.kind, spec.scenario), bench.id


def test_each_method_supports_the_benchmarks_it_lists(file_methods, registry) -> None:
    for ref, m in file_methods.methods.items():
        for b in m.benchmarks:
            scenario = file_methods.benchmarks[b].scenario
            assert scenario in registry[ref].scenarios, f"{ref} does not support {b} ({scenario})"


def test_methods_run_where_their_committed_results_are(file_methods) -> None:
    """Every committed result file is a run of a listed method on a listed benchmark (the catalog checks this too)."""
    cat = load_catalog(data_dir())
    for run in cat.runs:
        assert file_methods.method_of_run(run.data["method"], run.data["benchmark"]) is not None, run.id
