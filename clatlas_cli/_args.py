"""Options shared by several command groups."""

from __future__ import annotations

import argparse
from pathlib import Path

from catalog.paths import data_dir


def data_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, default=None, help="data directory (default: the repo's data/ or $CLATLAS_DATA)")


def data_path(args: argparse.Namespace) -> Path:
    """The data directory a command reads: ``--data``, else the default."""
    return Path(getattr(args, "data", None) or data_dir()).resolve()
