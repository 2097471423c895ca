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


def run_metrics(data: dict[str, Any]) -> dict[str, float]:
    """Every registered metric computed from a valid result file's raw evaluation, at build time.

    Why at build time: a result file keeps the raw evaluation (score or loss
    matrix, baselines, probe), so a metric added to :mod:`catalog.metrics`
    reaches every committed run without rewriting any file. A metric that one
    run cannot compute alone (IM needs reference accuracies from other runs)
    keeps the value the file stores, if it stores one.
    """
    stored = data.get("metrics") or {}
    computed = ReproductionResult.model_validate(data).computed_metrics()
    out = {mid: v for mid, v in computed.items() if v is not None}
    out.update({mid: float(v) for mid, v in stored.items() if out.get(mid) is None and v is not None})
    return out


def check_run(data: Any) -> list[tuple[str, str]]:
    """``(field, message)`` pairs for everything wrong with one result file."""
    if not isinstance(data, dict):
        return [("(file)", f"expected a JSON object, got {type(data).__name__}")]
    try:
        ReproductionResult.model_validate(data)
    except ValidationError as exc:
        return [(".".join(str(p) for p in e["loc"]) or "(file)", e["msg"]) for e in exc.errors(include_url=False)]
    return []
