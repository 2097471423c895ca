"""``clatlas serve``: rebuild the database when the data changed, then run uvicorn.

The build refuses invalid data, so a contributor who breaks a YAML file sees
the list of problems and exit code 1 instead of a server showing stale or
half-loaded data.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TextIO

from catalog.build import build_database, is_stale
from catalog.paths import data_dir, default_db_path
from catalog.problems import CatalogInvalid, format_problems


def ensure_database(db_path: Path, data: Path) -> int:
    """Build ``db_path`` from ``data`` when missing or stale; 0 on success, 1 on invalid data."""
    if not is_stale(db_path, data):
        return 0
    if not data.is_dir():
        if db_path.exists():
            print(f"clatlas serve: data directory {data} not found; serving the existing {db_path}", file=sys.stderr)
            return 0
        print(f"clatlas serve: data directory {data} not found and no database at {db_path}", file=sys.stderr)
        return 1
    try:
        report = build_database(data, db_path)
    except CatalogInvalid as exc:
        print(format_problems(exc.problems), file=sys.stderr)
        print(f"\nclatlas serve: {len(exc.problems)} problem(s) in {data}; fix them and run again.", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"clatlas serve: cannot build {db_path}: {exc}", file=sys.stderr)
        return 1
    print(f"Built {report.path}: {report.papers} papers, {report.datasets} datasets in {report.seconds:.2f} s.", file=sys.stderr)
    return 0


def enable_access_log(stream: TextIO | None = None) -> logging.Logger:
    """Send the app's access log (``clatlas.access``, one line per request) to standard error.

    The app writes it, not uvicorn, so a line carries the bytes actually sent
    and the time spent, and the same lines appear under any ASGI server.
    """
    from webapp.middleware import ACCESS_LOGGER

    log = logging.getLogger(ACCESS_LOGGER)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return log


def cmd_serve(args: argparse.Namespace) -> int:
    db_path = Path(args.db or default_db_path()).resolve()
    data = Path(getattr(args, "data", None) or data_dir()).resolve()
    rc = ensure_database(db_path, data)
    if rc:
        return rc
    import uvicorn

    from webapp.app import create_app

    access_log = bool(getattr(args, "access_log", False))
    if access_log:
        enable_access_log()
    print(f"Serving CL Atlas from {db_path} on http://{args.host}:{args.port}/", file=sys.stderr)
    uvicorn.run(create_app(db_path, access_log=access_log), host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0
