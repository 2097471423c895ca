"""Where the harness keeps files that are not results: the cache (parsed corpora, default checkpoints)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$CLATLAS_CACHE_DIR`` or ``~/.cache/clatlas``: kept out of the repo's data tree on purpose."""
    return Path(os.environ.get("CLATLAS_CACHE_DIR", Path.home() / ".cache" / "clatlas"))
