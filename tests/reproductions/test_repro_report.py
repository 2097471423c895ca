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
    assert {"llm-cit", "encoder-baselines"} <= set(GRIDS)


@pytest.mark.parametrize("grid", GRIDS)
def test_generated_tables_are_up_to_date(grid: str) -> None:
    assert report.main([grid, "--check"]) == 0, f"run: python -m reproductions.report {grid}"


def test_rows_name_the_seeds_they_average() -> None:
    """A grid that is not complete yet says so: each row lists exactly the seeds whose files exist."""
    for grid in GRIDS:
        g = resolve_grid(grid)
        table = report.render(g)
        for (bench, method), rs in report.grid_results(g).items():
            seeds = ",".join(str(r.seed) for r in rs) or "none"
            assert f"| {bench} | {method} | {seeds} |" in table


def test_replace_block_needs_its_markers() -> None:
    assert report.replace_block("a\n<!-- table:x -->\nold\n<!-- /table:x -->\nb", "x", "new") == "a\n<!-- table:x -->\nnew\n<!-- /table:x -->\nb"
    with pytest.raises(ValueError, match="no <!-- table:y -->"):
        report.replace_block("text", "y", "new")


def test_peft_results_page_is_up_to_date() -> None:
    """benchmarks/RESULTS-repro-peft.md's tables and checks are written from the result files (no training)."""
    from reproductions import run_peft_science

    doc = REPO_ROOT / "benchmarks" / "RESULTS-repro-peft.md"
    assert run_peft_science.main(["--dry-run", "--doc", str(doc), "--check"]) == 0, (
        "run: python -m reproductions.run_peft_science --dry-run --doc benchmarks/RESULTS-repro-peft.md"
    )
