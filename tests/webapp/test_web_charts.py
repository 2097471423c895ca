"""Chart helpers that hold a rule of their own: the timeline's bucketing."""

from __future__ import annotations

import pytest

pytest.importorskip("plotly")

from webapp.charts import period_of, timeline_axis  # noqa: E402


@pytest.mark.parametrize(
    "year, first_public, label",
    [
        (2024, "2023-10", "2023 Q4"),  # the venue year does not move a paper: its first preprint does
        (2024, "2024-01", "2024 Q1"),
        (2024, "2024-03", "2024 Q1"),
        (2024, "2024-04", "2024 Q2"),
        (2025, "2025-12", "2025 Q4"),
        (2021, None, "2021 (month unknown)"),
    ],
)
def test_period_of(year, first_public, label):
    assert period_of(year, first_public)[1] == label


def test_year_bucket_sorts_before_that_years_quarters():
    keys = sorted([period_of(2024, "2024-02")[0], period_of(2024, None)[0], period_of(2023, "2023-12")[0]])
    assert keys == [(2023, 4), (2024, 0), (2024, 1)]


def test_timeline_keeps_empty_quarters_between_the_first_and_the_last():
    periods = dict(period_of(y, fp) for y, fp in ((2023, "2023-11"), (2024, "2024-05"), (2022, None)))
    assert timeline_axis(periods) == ["2022 (month unknown)", "2023 Q4", "2024 Q1", "2024 Q2"]
    assert timeline_axis({}) == []


def _tree() -> list[dict]:
    def node(path: dict, count: int, children: list | None = None) -> dict:
        return {"path": path, "value": list(path.values())[-1], "count": count, "children": children or []}

    fam = {"setting": "offline", "increment": "TIL", "family": "LLM"}
    # one paper sits on two techniques: the family has 3 distinct papers but 4 placements
    techniques = [node({**fam, "technique": "parameter-efficient"}, 2), node({**fam, "technique": "instruction-tuning"}, 2)]
    til = node({"setting": "offline", "increment": "TIL"}, 3, [node(fam, 3, techniques)])
    empty = node({"setting": "offline", "increment": "DIL"}, 0)
    return [node({"setting": "offline"}, 3, [til, empty]), node({"setting": "online"}, 0)]


def test_sunburst_parents_are_the_sum_of_their_children() -> None:
    import json

    from webapp.charts import sunburst

    trace = json.loads(sunburst(_tree()).replace("<\\/", "</"))["data"][0]
    assert trace["branchvalues"] == "total"
    value = dict(zip(trace["ids"], trace["values"]))
    children: dict[str, list[str]] = {}
    for i, parent in zip(trace["ids"], trace["parents"]):
        if parent:
            children.setdefault(parent, []).append(i)
    for parent, kids in children.items():
        assert value[parent] == sum(value[k] for k in kids), parent
    assert value["offline/TIL/LLM"] == 4 and value["offline"] == 4 and value["online"] == 0
    # the hover tells the distinct papers, the click target the list
    papers = {i: d[1] for i, d in zip(trace["ids"], trace["customdata"])}
    assert papers["offline/TIL/LLM"] == 3 and trace["customdata"][0][0] == "/papers?setting=offline"
    assert "customdata[1]" in trace["hovertemplate"]
