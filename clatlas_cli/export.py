"""``clatlas export``: the whole catalog as Markdown (PAPERS.md), BibTeX, CSV or JSON.

The text comes from :func:`catalog.export.render` (validate, build a
temporary database, read it back, serialise as the web app does). ``--check``
compares instead of writing, and fails when a committed generated file
(PAPERS.md) no longer matches the data.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from catalog.export import render
from catalog.exportformats import EXPORT_FORMATS
from catalog.problems import CatalogInvalid
from clatlas_cli._args import data_arg, data_path
from clatlas_cli._errors import CommandError, ProblemsFound
from clatlas_cli._registry import command


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


def _export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=list(EXPORT_FORMATS), required=True)
    p.add_argument("--output", "-o", type=Path, default=None, help="file to write (default: standard output)")
    p.add_argument("--check", action="store_true", help="fail if --output differs from what would be written")
    data_arg(p)


@command("export", "write the catalog as markdown, BibTeX, CSV or JSON", 70, _export_arguments)
def cmd_export(args: argparse.Namespace) -> int:
    if args.check and args.output is None:
        raise CommandError("clatlas export: --check needs the file to compare with, e.g. --check -o PAPERS.md", 2)
    try:
        text = render(args.format, data_path(args))
    except CatalogInvalid as exc:
        refused = f"\nExport refused: {len(exc.problems)} problem(s) in the data; fix them (clatlas validate) and export again."
        raise ProblemsFound(exc.problems, refused) from exc
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else None
        if current != text:
            raise CommandError(stale_message(args.format, args.output, current, text))
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
