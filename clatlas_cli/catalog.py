"""Commands on the data: ``validate``, ``build``, ``stats``, ``coverage`` and ``new``."""

from __future__ import annotations

import argparse
from pathlib import Path

from catalog.paths import default_db_path
from catalog.problems import CatalogInvalid
from clatlas_cli._args import data_arg, data_path
from clatlas_cli._errors import CommandError, ProblemsFound
from clatlas_cli._registry import command


def _validate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", help="only report problems in these files (the whole catalog is still read)")
    p.add_argument("--changed", action="store_true", help="only files changed against a git base (see --base)")
    p.add_argument("--base", default="origin/main", help="git revision for --changed (default: origin/main, falling back to HEAD)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    data_arg(p)


@command("validate", "check the data files and report every problem", 10, _validate_arguments)
def cmd_validate(args: argparse.Namespace) -> int:
    from catalog.loader import load_catalog
    from catalog.problems import format_problems

    data = data_path(args)
    only: set[Path] | None = None
    if args.changed:
        from catalog.gitchanges import changed_data_files

        only = changed_data_files(data, args.base)
    if args.paths:
        only = (only or set()) | {Path(p) for p in args.paths}
    cat = load_catalog(data, only)
    if cat.problems:
        raise ProblemsFound(cat.problems, f"\n{len(cat.problems)} problem(s) found." if args.format == "text" else None, args.format)
    if args.format == "json":
        print(format_problems([], "json"))
    else:
        scope = f"{len(only)} file(s) checked against " if only is not None else ""
        print(f"OK: {scope}{len(cat.papers)} papers, {len(cat.datasets)} datasets, {len(cat.metrics)} metrics, {len(cat.runs)} reproduction runs.")
    return 0


def _build_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", type=Path, default=None, help="database file (default: var/catalog.sqlite or $CLATLAS_DB)")
    data_arg(p)


@command("build", "validate, then build the SQLite database atomically", 20, _build_arguments)
def cmd_build(args: argparse.Namespace) -> int:
    from catalog.build import build_database

    target = (args.db or default_db_path()).resolve()
    try:
        report = build_database(data_path(args), target)
    except CatalogInvalid as exc:
        raise ProblemsFound(exc.problems, f"\nBuild refused: {len(exc.problems)} problem(s); {target} was not changed.") from exc
    print(
        f"Built {report.path}: {report.papers} papers, {report.datasets} datasets, "
        f"{report.results} reported results, {report.reproductions} reproduction runs in {report.seconds:.2f} s."
    )
    return 0


def _stats_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["text", "json"], default="text")
    data_arg(p)


@command("stats", "counts per taxonomy node, year and venue", 30, _stats_arguments)
def cmd_stats(args: argparse.Namespace) -> int:
    from catalog.loader import load_catalog
    from catalog.stats import catalog_stats, format_stats

    cat = load_catalog(data_path(args))
    if cat.problems:
        raise ProblemsFound(cat.problems)
    print(format_stats(catalog_stats(cat), args.format))
    return 0


def _coverage_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--verbose", "-v", action="store_true", help="list every matched item")
    data_arg(p)


@command("coverage", "match the survey's reference lists against the catalog", 40, _coverage_arguments)
def cmd_coverage(args: argparse.Namespace) -> int:
    from catalog.coverage import check_coverage, format_coverage
    from catalog.loader import load_catalog

    cat = load_catalog(data_path(args))
    report = check_coverage(cat, data_path(args) / "survey")
    print(format_coverage(report, verbose=args.verbose))
    return 0 if report.complete else 1


def _new_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", nargs="?", default="-", help="a .bib file, '-' for standard input, arXiv:ID or a DOI")
    p.add_argument("--force", action="store_true", help="overwrite an existing file with the same key")
    data_arg(p)


@command("new", "create data/papers/<key>.yaml from a BibTeX entry, arXiv id or DOI", 80, _new_arguments)
def cmd_new(args: argparse.Namespace) -> int:
    from catalog.scaffold import ScaffoldError, read_source, scaffold, shown_path

    try:
        source = read_source(args.source)
        path, draft = scaffold(source, data_path(args), force=args.force)
    except ScaffoldError as exc:
        raise CommandError(f"clatlas new: {exc}") from exc
    shown = shown_path(path)
    print(f"Created {shown} (citation key {draft.key}).")
    for note in source.notes:
        print(f"Note: {note}")
    print("Next:")
    print(f"  1. open {shown}: check the facts, fill in placements and summary (allowed values are in the comments)")
    print(f"  2. clatlas validate {shown}")
    print("  3. commit the file and open a pull request (CONTRIBUTING.md)")
    return 0
