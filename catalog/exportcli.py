"""``clatlas export``: the whole catalog as Markdown (PAPERS.md), BibTeX, CSV or JSON.

Like every export, this reads the built SQLite database, never the YAML: the
data are validated and built into a temporary database first
(:func:`catalog.build.build_database`), then read back with
:func:`catalog.export.fetch_papers` and written by the same serialisers the
web app uses. ``--check`` compares instead of writing, and fails when a
committed generated file (PAPERS.md) no longer matches the data.
"""

from __future__ import annotations

import argparse
import difflib
import sqlite3
import sys
import tempfile
from pathlib import Path

from catalog.build import build_database
from catalog.export import fetch_papers, papers_to_bibtex, papers_to_csv, papers_to_json
from catalog.markdown import render_markdown
from catalog.paths import data_dir
from catalog.problems import CatalogInvalid, format_problems
from catalog.taxonomy import taxonomy_from_db

FORMATS = ("markdown", "bibtex", "csv", "json")


def render(fmt: str, data: Path) -> str:
    """The export of the catalog in ``data`` as text (raises :class:`CatalogInvalid`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
    with tempfile.TemporaryDirectory(prefix="clatlas-export-") as tmp:
        db_path = Path(tmp) / "catalog.sqlite"
        build_database(data, db_path)
        con = sqlite3.connect(db_path)
        try:
            papers = fetch_papers(con)
            if fmt == "markdown":
                return render_markdown(papers, taxonomy_from_db(con))
            if fmt == "bibtex":
                return papers_to_bibtex(papers)
            if fmt == "csv":
                return papers_to_csv(papers)
            return papers_to_json(papers)
        finally:
            con.close()


def regenerate_command(fmt: str, output: Path | None) -> str:
    return f"clatlas export --format {fmt}" + (f" -o {output}" if output else "")


def stale_message(fmt: str, output: Path, current: str | None, expected: str, max_diff_lines: int = 20) -> str:
    """Why ``output`` is stale, a short diff, and the command that fixes it."""
    cmd = regenerate_command(fmt, output)
    if current is None:
        return f"{output} does not exist; generate it with: {cmd}"
    diff = list(difflib.unified_diff(current.splitlines(), expected.splitlines(), f"{output} (committed)", f"{output} (from data/)", lineterm="", n=0))
    shown = "\n".join(diff[:max_diff_lines]) + (f"\n… {len(diff) - max_diff_lines} more diff lines" if len(diff) > max_diff_lines else "")
    return f"{output} is out of date with the data files.\n{shown}\nRegenerate it with: {cmd}"


def cmd_export(args: argparse.Namespace) -> int:
    data = (args.data or data_dir()).resolve()
    if args.check and args.output is None:
        print("clatlas export: --check needs the file to compare with, e.g. --check -o PAPERS.md", file=sys.stderr)
        return 2
    try:
        text = render(args.format, data)
    except CatalogInvalid as exc:
        print(format_problems(exc.problems), file=sys.stderr)
        print(f"\nExport refused: {len(exc.problems)} problem(s) in the data; fix them (clatlas validate) and export again.", file=sys.stderr)
        return 1
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else None
        if current != text:
            print(stale_message(args.format, args.output, current, text), file=sys.stderr)
            return 1
        print(f"OK: {args.output} is up to date.")
        return 0
    if args.output is None:
        sys.stdout.write(text)
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_name(f".{args.output.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.output)
    print(f"Wrote {args.output} ({args.format}).", file=sys.stderr)
    return 0
