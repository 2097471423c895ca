"""Result tables in the README and benchmarks/ are generated from the committed result files, and kept in step."""

from __future__ import annotations

import re

import pytest

from catalog.paths import REPO_ROOT
from reproductions import report
from reproductions.sweep import resolve_grid

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
GRIDS = re.findall(r"<!-- table:([\w-]+) -->", README)


def test_readme_has_generated_tables() -> None:
    assert set(COMPLETE) <= set(GRIDS) and "encoder-baselines" in GRIDS


@pytest.mark.parametrize("grid", GRIDS)
def test_generated_tables_are_up_to_date(grid: str) -> None:
    assert report.main([grid, "--check"]) == 0, f"run: python -m reproductions.report {grid}"


COMPLETE = ("llm-cit",)  # grids whose every cell is committed; the others show their missing cells as 0 seeds


def test_every_grid_cell_has_its_result_file() -> None:
    """The grids that the README presents as complete have every method × seed file."""
    for grid in COMPLETE:
        g = resolve_grid(grid)
        missing = [k for k, rs in report.grid_results(g).items() for _ in range(len(g.seeds) - len(rs))]
        assert not missing, f"{grid}: cells without results: {sorted(set(missing))}"


def test_replace_block_needs_its_markers() -> None:
    assert report.replace_block("a\n<!-- table:x -->\nold\n<!-- /table:x -->\nb", "x", "new") == "a\n<!-- table:x -->\nnew\n<!-- /table:x -->\nb"
    with pytest.raises(ValueError, match="no <!-- table:y -->"):
        report.replace_block("text", "y", "new")
