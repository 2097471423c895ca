"""Checking reproduction result files before the build loads them.

The result-file schema lives in :mod:`catalog.runfile` (the harness above
writes with it); this module only adapts its validation errors to the
catalog's problem format. No torch needed, so ``clatlas build`` works with
the core install.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from catalog.runfile import ReproductionResult


def check_run(data: Any) -> list[tuple[str, str]]:
    """``(field, message)`` pairs for everything wrong with one result file."""
    if not isinstance(data, dict):
        return [("(file)", f"expected a JSON object, got {type(data).__name__}")]
    try:
        ReproductionResult.model_validate(data)
    except ValidationError as exc:
        return [(".".join(str(p) for p in e["loc"]) or "(file)", e["msg"]) for e in exc.errors(include_url=False)]
    return []
