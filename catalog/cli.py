"""The ``clatlas`` command: one entry point, one small function per subcommand.

Subcommands that need optional extras (``serve`` needs the web extra,
``repro`` needs torch) import them only when called, and say which extra to
install when it is missing, instead of failing with an ImportError.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from catalog.paths import data_dir, default_db_path
from catalog.problems import CatalogInvalid, format_problems


def _data_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, default=None, help="data directory (default: the repo's data/ or $CLATLAS_DATA)")


def _data(args: argparse.Namespace) -> Path:
    return (args.data or data_dir()).resolve()


def cmd_validate(args: argparse.Namespace) -> int:
    from catalog.loader import load_catalog

    data = _data(args)
    only: set[Path] | None = None
    if args.changed:
        from catalog.gitchanges import changed_data_files

        only = changed_data_files(data, args.base)
    if args.paths:
        only = (only or set()) | {Path(p) for p in args.paths}
    cat = load_catalog(data, only)
    if cat.problems:
        print(format_problems(cat.problems, args.format), file=sys.stdout if args.format == "json" else sys.stderr)
        if args.format == "text":
            print(f"\n{len(cat.problems)} problem(s) found.", file=sys.stderr)
        return 1
    if args.format == "json":
        print(format_problems([], "json"))
    else:
        scope = f"{len(only)} file(s) checked against " if only is not None else ""
        print(f"OK: {scope}{len(cat.papers)} papers, {len(cat.datasets)} datasets, {len(cat.metrics)} metrics, {len(cat.runs)} reproduction runs.")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from catalog.build import build_database

    target = (args.db or default_db_path()).resolve()
    try:
        report = build_database(_data(args), target)
    except CatalogInvalid as exc:
        print(format_problems(exc.problems), file=sys.stderr)
        print(f"\nBuild refused: {len(exc.problems)} problem(s); {target} was not changed.", file=sys.stderr)
        return 1
    print(
        f"Built {report.path}: {report.papers} papers, {report.datasets} datasets, "
        f"{report.results} reported results, {report.reproductions} reproduction runs in {report.seconds:.2f} s."
    )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from catalog.loader import load_catalog
    from catalog.stats import catalog_stats, format_stats

    cat = load_catalog(_data(args))
    if cat.problems:
        print(format_problems(cat.problems), file=sys.stderr)
        return 1
    print(format_stats(catalog_stats(cat), args.format))
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    from catalog.coverage import check_coverage, format_coverage
    from catalog.loader import load_catalog

    cat = load_catalog(_data(args))
    report = check_coverage(cat, _data(args) / "survey")
    print(format_coverage(report, verbose=args.verbose))
    return 0 if report.complete else 1


def _lazy(module: str, func: str, extra: str | None = None) -> Callable[[argparse.Namespace], int]:
    """A command imported only when run; ``extra`` names the optional extra it needs, if any."""

    def run(args: argparse.Namespace) -> int:
        import importlib

        try:
            mod = importlib.import_module(module)
        except ImportError as exc:
            if extra is None:
                raise
            print(f"clatlas: this command needs the '{extra}' extra ({exc.name} is missing): pip install 'clatlas[{extra}]'", file=sys.stderr)
            return 2
        return getattr(mod, func)(args)

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clatlas", description="CL Atlas: catalog of continual learning for foundation language models")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check the data files and report every problem")
    p.add_argument("paths", nargs="*", help="only report problems in these files (the whole catalog is still read)")
    p.add_argument("--changed", action="store_true", help="only files changed against a git base (see --base)")
    p.add_argument("--base", default="origin/main", help="git revision for --changed (default: origin/main, falling back to HEAD)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    _data_arg(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="validate, then build the SQLite database atomically")
    p.add_argument("--db", type=Path, default=None, help="database file (default: var/catalog.sqlite or $CLATLAS_DB)")
    _data_arg(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("stats", help="counts per taxonomy node, year and venue")
    p.add_argument("--format", choices=["text", "json"], default="text")
    _data_arg(p)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("coverage", help="match the survey's reference lists against the catalog")
    p.add_argument("--verbose", "-v", action="store_true", help="list every matched item")
    _data_arg(p)
    p.set_defaults(func=cmd_coverage)

    p = sub.add_parser("serve", help="build the database if needed and serve the web app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--db", type=Path, default=None)
    p.add_argument("--access-log", action="store_true", help="log one line per request to standard error (client, request, status, bytes, ms)")
    _data_arg(p)
    p.set_defaults(func=_lazy("webapp.serve", "cmd_serve", "web"))

    p = sub.add_parser("site", help="write the whole web site as static files (for GitHub Pages)")
    p.add_argument("--out", type=Path, required=True, help="directory to write (emptied first)")
    p.add_argument("--db", type=Path, default=None, help="database file (built from --data first when missing or stale)")
    _data_arg(p)
    p.set_defaults(func=_lazy("webapp.site", "cmd_site", "web"))

    p = sub.add_parser("export", help="write the catalog as markdown, BibTeX, CSV or JSON")
    p.add_argument("--format", choices=["markdown", "bibtex", "csv", "json"], required=True)
    p.add_argument("--output", "-o", type=Path, default=None, help="file to write (default: standard output)")
    p.add_argument("--check", action="store_true", help="fail if --output differs from what would be written")
    _data_arg(p)
    p.set_defaults(func=_lazy("catalog.exportcli", "cmd_export"))

    p = sub.add_parser("new", help="create data/papers/<key>.yaml from a BibTeX entry, arXiv id or DOI")
    p.add_argument("source", nargs="?", default="-", help="a .bib file, '-' for standard input, arXiv:ID or a DOI")
    p.add_argument("--force", action="store_true", help="overwrite an existing file with the same key")
    _data_arg(p)
    p.set_defaults(func=_lazy("catalog.scaffold", "cmd_new"))

    try:
        from reproductions.cli import register  # noqa: WPS433 - optional part

        register(sub)
    except ImportError:
        p = sub.add_parser("repro", help="reproduction harness (needs the 'repro' extra)")
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=lambda a: _missing_repro())
    return parser


def _missing_repro() -> int:
    print("clatlas: 'repro' needs the 'repro' extra (torch, peft, transformers): pip install 'clatlas[repro]'", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
