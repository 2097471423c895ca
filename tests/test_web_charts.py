"""Chart helpers that hold a rule of their own: the timeline's bucketing."""

from __future__ import annotations

import pytest

pytest.importorskip("plotly")

from webapp.charts import period_of, timeline_axis  # noqa: E402


@pytest.mark.parametrize("year, first_public, label", [
    (2024, "2023-10", "2023 Q4"),   # the venue year does not move a paper: its first preprint does
    (2024, "2024-01", "2024 Q1"),
    (2024, "2024-03", "2024 Q1"),
    (2024, "2024-04", "2024 Q2"),
    (2025, "2025-12", "2025 Q4"),
    (2021, None, "2021 (month unknown)"),
])
def test_period_of(year, first_public, label):
    assert period_of(year, first_public)[1] == label


def test_year_bucket_sorts_before_that_years_quarters():
    keys = sorted([period_of(2024, "2024-02")[0], period_of(2024, None)[0], period_of(2023, "2023-12")[0]])
    assert keys == [(2023, 4), (2024, 0), (2024, 1)]


def test_timeline_keeps_empty_quarters_between_the_first_and_the_last():
    periods = dict(period_of(y, fp) for y, fp in ((2023, "2023-11"), (2024, "2024-05"), (2022, None)))
    assert timeline_axis(periods) == ["2022 (month unknown)", "2023 Q4", "2024 Q1", "2024 Q2"]
    assert timeline_axis({}) == []
