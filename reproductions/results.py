"""The reproduction result file (schema_version 1): one pydantic model for writing and reading.

The harness writes these files and the catalog build reads them with the same
model, so a file that loads is a file the catalog can trust: the matrix is
square with percentages, the task names match it, and the stored metrics are
re-computed from the matrix with ``catalog.metrics.compute_all`` on load and
must agree. Pure pydantic: no torch needed to read results.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from math import isclose
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from catalog.metrics import METRIC_IDS, compute_all

SCHEMA_VERSION = 1
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RESULTS_DIR = REPO_ROOT / "data" / "reproductions" / "results"


class Versions(BaseModel):
    """Package versions of the run, so a number can be traced to its software."""

    model_config = ConfigDict(extra="forbid")
    python: str
    torch: str | None = None
    transformers: str | None = None
    peft: str | None = None
    clatlas: str | None = None


class ReproductionResult(BaseModel):
    """One finished run of one method on one benchmark with one seed."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = SCHEMA_VERSION
    method: str = Field(min_length=1)
    papers: list[str] = Field(default_factory=list, description="catalog keys of the papers this run reproduces")
    benchmark: str = Field(min_length=1)
    scenario: Literal["TIL", "CIL", "DIL", "HTB", "BTB"]
    profile: str
    seed: int
    task_names: list[str]
    config: dict[str, Any]
    versions: Versions
    device: str
    accuracy_matrix: list[list[float]] = Field(description="a[i][j] in percent: task j after training through task i")
    baseline_accuracy: list[float] = Field(description="b[j] in percent: task j before any CL training")
    metrics: dict[str, float | None]
    trainable_params: int = Field(ge=0)
    total_params: int = Field(ge=0)
    wall_time_s: float = Field(ge=0)
    peak_memory_mb: float = Field(ge=0)
    command: str
    created: datetime

    @model_validator(mode="after")
    def _consistent(self) -> ReproductionResult:
        t = len(self.task_names)
        a = self.accuracy_matrix
        if t == 0 or len(a) != t or any(len(row) != t for row in a):
            raise ValueError(f"accuracy_matrix must be {t} x {t} (one row and column per task)")
        if len(self.baseline_accuracy) != t:
            raise ValueError(f"baseline_accuracy must have {t} entries")
        for v in [x for row in a for x in row] + list(self.baseline_accuracy):
            if not 0.0 <= v <= 100.0:
                raise ValueError(f"accuracy {v} is not a percentage in [0, 100]")
        if set(self.metrics) != set(METRIC_IDS):
            raise ValueError(f"metrics must have exactly the keys {list(METRIC_IDS)}")
        expected = compute_all(a, self.baseline_accuracy)
        for k, v in expected.items():
            if k == "IM":
                continue  # needs reference accuracies that a single run does not have
            got = self.metrics[k]
            if (v is None) != (got is None) or (v is not None and not isclose(v, got, abs_tol=1e-6)):  # type: ignore[arg-type]
                raise ValueError(f"metric {k}={got} disagrees with the accuracy matrix ({v})")
        return self


def result_path(root: Path, method: str, benchmark: str, profile: str, seed: int) -> Path:
    return Path(root) / method / benchmark / f"{profile}-seed{seed}.json"


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file in the same directory and ``os.replace``: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_result(result: ReproductionResult, path: Path) -> Path:
    write_atomic(path, json.dumps(result.model_dump(mode="json"), indent=2) + "\n")
    return Path(path)


def read_result(path: Path) -> ReproductionResult:
    return ReproductionResult.model_validate_json(Path(path).read_text(encoding="utf-8"))


def iter_result_files(root: Path = DEFAULT_RESULTS_DIR) -> Iterator[Path]:
    """Every result JSON under ``root``, skipping hidden folders (checkpoints, temp files)."""
    root = Path(root)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*.json")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        yield path


def load_results(root: Path = DEFAULT_RESULTS_DIR) -> list[ReproductionResult]:
    """All results under ``root``; a file that fails validation raises with its path."""
    out = []
    for path in iter_result_files(root):
        try:
            out.append(read_result(path))
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from exc
    return out
