"""Serve the built database with uvicorn (``clatlas serve``, in ``clatlas_cli/web.py``, builds it first).

Importing this module imports uvicorn and the app, so a missing ``web`` extra
shows up at the import, where the command line names the extra to install.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TextIO

import uvicorn

from webapp.app import create_app


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


def serve(db_path: Path, host: str, port: int, access_log: bool = False) -> None:
    """Run the app over ``db_path`` until interrupted (uvicorn's own log only for warnings)."""
    if access_log:
        enable_access_log()
    uvicorn.run(create_app(db_path, access_log=access_log), host=host, port=port, log_level="warning", access_log=False)
