"""``clatlas serve`` and ``clatlas site``: rebuild the database when the data changed, then serve it or write it as files.

The build refuses invalid data, so a contributor who breaks a YAML file sees
the list of problems and exit code 1 instead of a server showing stale or
half-loaded data. Both commands need the ``web`` extra; without it they say
which extra to install (exit 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalog.paths import default_db_path
from catalog.problems import CatalogInvalid
from clatlas_cli._args import data_arg, data_path
from clatlas_cli._errors import CommandError, ProblemsFound, needs_extra
from clatlas_cli._registry import command


def ensure_database(db_path: Path, data: Path) -> int:
    """Build ``db_path`` from ``data`` when missing or stale; 0 when there is a database to use.

    Raises :class:`ProblemsFound` for invalid data and :class:`CommandError`
    when there is neither data nor a database, or the file cannot be written.
    """
    from catalog.build import build_database, is_stale

    if not is_stale(db_path, data):
        return 0
    if not data.is_dir():
        if db_path.exists():
            print(f"clatlas serve: data directory {data} not found; serving the existing {db_path}", file=sys.stderr)
            return 0
        raise CommandError(f"clatlas serve: data directory {data} not found and no database at {db_path}")
    try:
        report = build_database(data, db_path)
    except CatalogInvalid as exc:
        raise ProblemsFound(exc.problems, f"\nclatlas serve: {len(exc.problems)} problem(s) in {data}; fix them and run again.") from exc
    except OSError as exc:
        raise CommandError(f"clatlas serve: cannot build {db_path}: {exc}") from exc
    print(f"Built {report.path}: {report.papers} papers, {report.datasets} datasets in {report.seconds:.2f} s.", file=sys.stderr)
    return 0


def _serve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--db", type=Path, default=None)
    p.add_argument("--access-log", action="store_true", help="log one line per request to standard error (client, request, status, bytes, ms)")
    data_arg(p)


@command("serve", "build the database if needed and serve the web app", 50, _serve_arguments)
def cmd_serve(args: argparse.Namespace) -> int:
    with needs_extra("web"):
        from webapp.serve import serve
    db_path = Path(args.db or default_db_path()).resolve()
    ensure_database(db_path, data_path(args))
    access_log = bool(getattr(args, "access_log", False))
    print(f"Serving CL Atlas from {db_path} on http://{args.host}:{args.port}/", file=sys.stderr)
    serve(db_path, args.host, args.port, access_log=access_log)
    return 0


def _site_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, required=True, help="directory to write (emptied first)")
    p.add_argument("--db", type=Path, default=None, help="database file (built from --data first when missing or stale)")
    data_arg(p)


@command("site", "write the whole web site as static files (for GitHub Pages)", 60, _site_arguments)
def cmd_site(args: argparse.Namespace) -> int:
    with needs_extra("web"):
        from webapp.site import SiteError, build_site
    db_path = Path(args.db or default_db_path()).resolve()
    ensure_database(db_path, data_path(args))
    out = Path(args.out).resolve()
    try:
        site = build_site(db_path, out)
    except SiteError as exc:
        raise CommandError(f"clatlas site: {exc}") from exc
    written = [p for p in out.rglob("*") if p.is_file()]
    pages = sum(1 for p in written if p.name == "index.html")
    print(f"Wrote {len(written)} files ({pages} pages) to {out}.", file=sys.stderr)
    if site.broken:
        for here, url in site.broken[:20]:
            print(f"  broken link in {here}: {url}", file=sys.stderr)
        raise CommandError(f"clatlas site: {len(site.broken)} link(s) point at nothing")
    return 0
