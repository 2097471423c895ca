"""The committed generated paper list (PAPERS.md) must match the data it is generated from."""

from __future__ import annotations

from catalog.export import render
from catalog.paths import REPO_ROOT, data_dir
from clatlas_cli.export import stale_message

PAPERS_MD = REPO_ROOT / "PAPERS.md"


def test_committed_paper_list_is_up_to_date() -> None:
    expected = render("markdown", data_dir())
    current = PAPERS_MD.read_text(encoding="utf-8") if PAPERS_MD.is_file() else None
    # the message names the command to run in the repository root: clatlas export --format markdown -o PAPERS.md
    assert current == expected, stale_message("markdown", PAPERS_MD.relative_to(REPO_ROOT), current, expected)
