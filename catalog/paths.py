"""Where the catalog's data and built database live by default.

Kept in one place so the CLI, the web app and the tests agree on them.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The data directory: ``$CLATLAS_DATA`` or ``data/`` beside the package."""
    return Path(os.environ.get("CLATLAS_DATA", REPO_ROOT / "data"))


def results_dir() -> Path:
    """Reproduction result files: ``<data>/reproductions/results``, for the harness and the build alike."""
    return data_dir() / "reproductions" / "results"


def default_db_path() -> Path:
    """The built database: ``$CLATLAS_DB`` or ``var/catalog.sqlite`` (git-ignored)."""
    return Path(os.environ.get("CLATLAS_DB", REPO_ROOT / "var" / "catalog.sqlite"))
