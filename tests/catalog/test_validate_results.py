"""Validation of reported results: one number stored once, averages that add up, known orders, notes for readers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from support.helpers import one_problem, problems

from catalog.loader import load_catalog
from catalog.paths import data_dir
from catalog.remarks import gathering_remarks
from catalog.resultchecks import average_check, printed_decimals

BASE = dict(
    benchmark="standard-cl-benchmark",
    num_tasks=4,
    shots=None,
    backbone="T5-large",
    method="O-LoRA",
    method_paper="wang2023orthogonal",
    native=True,
    metric="AA",
    table="Table 2",
    provenance="extracted",
)


def write_results(data: Path, results: list[dict], raw_values: dict[int, str] | None = None) -> Path:
    """Give the fixture's O-LoRA paper these results; ``raw_values`` writes some values with exact digits."""
    path = data / "papers" / "wang2023orthogonal.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["results"] = [dict(BASE, **r) for r in results]
    for i in raw_values or {}:
        doc["results"][i]["value"] = f"__value{i}__"
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    for i, raw in (raw_values or {}).items():
        text = text.replace(f"__value{i}__", raw)
    path.write_text(text, encoding="utf-8")
    return path


def orders(values: list[float], avg: float, **extra: object) -> list[dict]:
    out = [dict(task_order=str(i + 1), value=v, **extra) for i, v in enumerate(values)]
    return out + [dict(task_order="avg", value=avg, **extra)]


# --------------------------------------------------------------------------- one number, stored once


def test_results_that_are_fine(mini_data: Path) -> None:
    write_results(mini_data, orders([75.4, 75.7, 76.3], 75.8) + orders([73.9, 75.8, 74.5], 74.7, backbone="T5-base", table="Table 4"))
    assert problems(mini_data) == []


def test_duplicate_result_is_reported(mini_data: Path) -> None:
    write_results(mini_data, [dict(task_order="1", value=75.4), dict(task_order="Order 1", value=75.5)])
    one_problem(mini_data, entry="wang2023orthogonal", field="results[1].table", message=r"duplicate of results\[0\]")


def test_duplicate_rule_uses_the_method_identity(mini_data: Path) -> None:
    # "O-Lora" and "O-LoRA" of the same paper are one method; so are two spellings of one backbone
    write_results(mini_data, [dict(task_order="1", value=75.4), dict(task_order="1", value=75.4, method="O-Lora", backbone="t5 large")])
    one_problem(mini_data, field="results[1].table", message=r"duplicate")


def test_dedup_key_fields_each_tell_results_apart(mini_data: Path) -> None:
    variants: list[dict[str, object]] = [
        dict(task_order="2"),
        dict(shots=16),
        dict(backbone="T5-base"),
        dict(method="SeqFT", method_paper=None, native=False),
        dict(metric="BWT"),
        dict(table="Table 5"),
    ]
    write_results(mini_data, [dict(task_order="1", value=75.4)] + [dict(dict(task_order="1", value=70.0 + i), **v) for i, v in enumerate(variants)])
    assert problems(mini_data) == []


def test_reprint_in_another_table_must_be_stored_once(mini_data: Path) -> None:
    write_results(mini_data, [dict(task_order="1", value=75.4), dict(task_order="1", value=75.4, table="Table 4")])
    one_problem(mini_data, field="results[1].table", message=r"75.4 of results\[0\] \(Table 2\) is stored again from Table 4", hint="also_in")


def test_also_in_is_accepted_and_checked(mini_data: Path) -> None:
    write_results(mini_data, [dict(task_order="1", value=75.4, also_in=[dict(paper="wang2023orthogonal", table="Table 4")])])
    assert problems(mini_data) == []
    write_results(mini_data, [dict(task_order="1", value=75.4, also_in=[dict(paper="nosuchpaper2020", table="Table 4")])])
    one_problem(mini_data, field="results[0].also_in[0].paper", message="unknown paper 'nosuchpaper2020'")
    write_results(mini_data, [dict(task_order="1", value=75.4, also_in=[dict(table="Table 2")])])
    one_problem(mini_data, field="results[0].also_in[0].table", message="own table")


# --------------------------------------------------------------------------- printed averages


def test_average_that_does_not_add_up(mini_data: Path) -> None:
    path = write_results(mini_data, orders([60.3, 61.7, 61.1], 60.7))
    p = one_problem(mini_data, entry="wang2023orthogonal", field="results[3].value", message=r"average 60.7 is not the mean .*mean 61.033")
    assert p.path == "data/papers/wang2023orthogonal.yaml" and p.line is not None
    assert "value: 60.7" in path.read_text(encoding="utf-8").splitlines()[p.line - 1]


def test_average_within_rounding_is_accepted(mini_data: Path) -> None:
    # 54.4, 53.1, 49.6 → 52.37; the table prints 52.3, within one unit of rounding
    write_results(mini_data, orders([54.4, 53.1, 49.6], 52.3))
    assert problems(mini_data) == []


def test_average_tolerance_follows_the_printed_digits(mini_data: Path) -> None:
    # 55, 54, 53.1 → 54.03: printed as whole numbers, 55 and 54 may each be off by 0.5, so 54.2 is possible
    write_results(mini_data, orders([55.0, 54.0, 53.1], 54.2), raw_values={0: "55", 1: "54"})
    assert problems(mini_data) == []
    # the same numbers printed with one decimal (55.0, 54.0) leave only ±0.1: 54.2 no longer fits
    write_results(mini_data, orders([55.0, 54.0, 53.1], 54.2), raw_values={0: "55.0", 1: "54.0"})
    one_problem(mini_data, field="results[3].value")


def test_average_not_checked_when_an_order_is_missing(mini_data: Path) -> None:
    write_results(mini_data, [dict(task_order="1", value=55.0), dict(task_order="3", value=53.1), dict(task_order="avg", value=99.0)])
    assert problems(mini_data) == []


def test_average_groups_stay_within_one_table_and_backbone(mini_data: Path) -> None:
    rows = orders([75.4, 75.7, 76.3], 75.8) + [dict(task_order="avg", value=10.0, table="Table 9"), dict(task_order="avg", value=10.0, backbone="T5-xl")]
    write_results(mini_data, rows)
    assert problems(mini_data) == []


def test_long_benchmark_orders_average_under_either_name(mini_data: Path) -> None:
    rows = [dict(benchmark="long-sequence-benchmark", num_tasks=15, task_order=o, value=v) for o, v in (("1", 72.3), ("Order 5", 64.8), ("6", 71.6))]
    write_results(mini_data, rows + [dict(benchmark="long-sequence-benchmark", num_tasks=15, task_order="avg", value=50.0)])
    one_problem(mini_data, field="results[3].value", message=r"4: 72.3, 5: 64.8, 6: 71.6")


def test_average_check_unit() -> None:
    check = average_check({"1": (75.4, 1), "2": (75.7, 1), "3": (76.3, 1)}, ["1", "2", "3"], 1)
    assert check is not None and check.agrees(75.8) and not check.agrees(75.95)
    assert average_check({"1": (75.4, 1), "3": (76.3, 1)}, ["1", "2", "3"], 1) is None
    assert (printed_decimals("54", 54.0), printed_decimals("54.20", 54.2), printed_decimals(None, 54.25)) == (0, 2, 2)


# --------------------------------------------------------------------------- orders, metrics, benchmarks, provenance


def test_order_of_another_benchmark_is_an_error(mini_data: Path) -> None:
    # order 4 is a 15-task sequence of the long benchmark, not of the standard one
    write_results(mini_data, [dict(task_order="4", num_tasks=None, value=72.3)])
    one_problem(mini_data, field="results[0].task_order", message=r"not an order of this benchmark \(orders 1-3: 1, 2, 3, or avg\)")


def test_other_number_of_tasks_is_another_protocol(mini_data: Path) -> None:
    write_results(mini_data, [dict(task_order="4", num_tasks=5, value=70.0)])  # e.g. a 5-task setup with its own orders
    assert problems(mini_data) == []


def test_unknown_metric_and_benchmark(mini_data: Path) -> None:
    write_results(mini_data, [dict(task_order="1", value=1.0, metric="ACC")])
    one_problem(mini_data, field="results[0].metric", message="unknown metric 'ACC'")
    write_results(mini_data, [dict(task_order="1", value=1.0, benchmark="standard-cl")])
    found = problems(mini_data)
    assert any(p.field == "results[0].benchmark" and "unknown dataset 'standard-cl'" in p.message for p in found), found


@pytest.mark.parametrize("missing", ["provenance", "table"])
def test_provenance_and_table_are_required(mini_data: Path, missing: str) -> None:
    path = write_results(mini_data, [dict(task_order="1", value=75.4)])
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    del doc["results"][0][missing]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    one_problem(mini_data, field=f"results[0].{missing}", message="required field is missing")


def test_provenance_values(mini_data: Path) -> None:
    write_results(mini_data, [dict(task_order="1", value=75.4, provenance="pdf")])
    one_problem(mini_data, field="results[0].provenance", message="allowed: paper-text, extracted, secondary")


def test_order_declaration_must_be_unambiguous(mini_data: Path) -> None:
    path = mini_data / "datasets" / "long-sequence-benchmark.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('aliases: ["2"]', 'aliases: ["1"]'), encoding="utf-8")
    one_problem(mini_data, entry="long-sequence-benchmark", field="task_orders[0].orders[1].aliases[0]", message="already names order '4'")


# --------------------------------------------------------------------------- notes speak of the paper


@pytest.mark.parametrize(
    "note",
    [
        "Seen in a machine table extraction of the arXiv PDF.",
        "Search-tool file id 58147595369.",
        "Verify before merge.",
        "From a PDF-to-text copy.",
        "The extraction spells the row LFPTS.",
    ],
)
def test_gathering_remarks_in_notes_are_errors(mini_data: Path, note: str) -> None:
    write_results(mini_data, [dict(task_order="1", value=75.4, note=note)])
    one_problem(mini_data, field="results[0].note", message="how the number was gathered")


def test_task_names_are_not_gathering_remarks() -> None:
    assert gathering_remarks("F1 on relation extraction and event extraction.", number_note=True) == []
    assert gathering_remarks("It uses extracted features.") == []  # prose in a summary
    assert gathering_remarks("It uses extracted features.", number_note=True) == ["extracted"]


def _reader_texts(data: Path):
    for path in sorted((data / "papers").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        yield path.name, "summary", doc.get("summary"), False
        for i, r in enumerate(doc.get("results") or []):
            yield path.name, f"results[{i}].note", r.get("note"), True
        for i, a in enumerate(doc.get("aliases") or []):
            yield path.name, f"aliases[{i}].note", a.get("note"), True
    for path in sorted((data / "datasets").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        yield path.name, "description", doc.get("description"), False
        for i, t in enumerate(doc.get("survey_table1") or []):
            yield path.name, f"survey_table1[{i}].note", t.get("note"), True


def test_no_reader_facing_text_in_data_mentions_tools() -> None:
    """No note in data/ speaks of extraction, search tools, file ids or merging; the data are for readers."""
    bad = []
    for name, fld, text, strict in _reader_texts(data_dir()):
        found = gathering_remarks(text, number_note=strict)
        lowered = (text or "").lower()
        found += [w for w in ("search tool", "search-tool", "file id", "verify before merge") if w in lowered]
        if found:
            bad.append(f"{name}: {fld}: {sorted(set(found))}")
    assert bad == []


def test_real_catalog_results_validate() -> None:
    cat = load_catalog(data_dir())
    assert [p.format() for p in cat.problems if ".results[" in p.field or p.field.startswith("results[")] == []
    results = [r for rec in cat.papers.values() for r in rec.paper.results]
    assert all(r.provenance in ("paper-text", "extracted", "secondary") for r in results)
    refs = {(r.method) for r in results if r.reference}
    assert {"MTL", "PerTaskFT", "SingleFT", "SingleFT+Re", "MT w/o. Re", "MT w. Re"} <= refs
