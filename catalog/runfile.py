"""The reproduction result file: one pydantic model for writing and reading, owned by the catalog.

The harness (a layer above) writes these files and the catalog build reads
them with the same model, so a file that loads is a file the catalog can
trust: the matrix is square with percentages, the task names match it, and
every stored metric is re-computed from the raw evaluation (score matrix,
baseline row, probe scores) with :mod:`catalog.metrics` on load and must
agree. The build computes the metrics again from the raw evaluation, so a
metric added later applies to every committed file without rewriting it.
Pure pydantic: no torch needed to read results.

Versions: 1 (classification runs), 2 adds the optional generative fields
(per-task scoring rules, the general-ability probe, the backbone note, the
training token count and time split), 3 adds the perplexity evaluation of
language-modelling streams (continual pre-training): such a run has a
perplexity matrix instead of an accuracy matrix, and its metrics are the
log-perplexity ones (``LP-*`` in :mod:`catalog.metrics`). All three load.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from math import isclose, isfinite, log
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from catalog.metrics import METRIC_IDS, Evaluation, compute
from catalog.paths import results_dir

SCHEMA_VERSION: Final = 3


class Versions(BaseModel):
    """Package versions of the run, so a number can be traced to its software."""

    model_config = ConfigDict(extra="forbid")
    python: str
    torch: str | None = None
    transformers: str | None = None
    peft: str | None = None
    clatlas: str | None = None


class ProbeScores(BaseModel):
    """A general-ability probe no task trains: its score before the stream and after every stage."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    description: str
    scoring: str
    size: int = Field(ge=1)
    scores: list[float] = Field(description="index 0: before the first task; index i+1: after task i")


class GeneralPerplexity(BaseModel):
    """Held-out general text no stage trains: its perplexity before the stream and after every stage."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    description: str
    tokens: int = Field(ge=1, description="tokens scored (predicted positions)")
    values: list[float] = Field(description="index 0: before the first stage; index i+1: after stage i")


class PerplexityScores(BaseModel):
    """A language-modelling run's evaluation: per-domain held-out perplexity after every stage.

    Perplexity is ``exp`` of the mean negative log-likelihood per predicted
    token over all held-out blocks of a domain (token-weighted, not a mean of
    per-block perplexities). The metrics read its natural log.
    """

    model_config = ConfigDict(extra="forbid")
    matrix: list[list[float]] = Field(description="ppl[i][j]: held-out perplexity of domain j after training through domain i")
    baseline: list[float] = Field(description="ppl of each domain before any training")
    tokens: list[int] = Field(description="held-out tokens scored per domain")
    block_size: int = Field(ge=2)
    general: GeneralPerplexity | None = None

    def check(self, t: int) -> None:
        """Shapes against ``t`` domains and values that are perplexities (finite, at least 1)."""
        if len(self.matrix) != t or any(len(row) != t for row in self.matrix):
            raise ValueError(f"perplexity.matrix must be {t} x {t} (one row and column per domain)")
        if len(self.baseline) != t or len(self.tokens) != t:
            raise ValueError(f"perplexity.baseline and perplexity.tokens must have {t} entries")
        values = [x for row in self.matrix for x in row] + list(self.baseline) + (self.general.values if self.general else [])
        if any(not isfinite(v) or v < 1.0 for v in values):
            raise ValueError("perplexities must be finite and at least 1")
        if self.general is not None and len(self.general.values) != t + 1:
            raise ValueError(f"perplexity.general.values must have {t + 1} entries (before the stream, then after each stage)")

    def evaluation(self) -> Evaluation:
        """The log-perplexity evaluation the metrics read (natural log of every stored perplexity)."""
        return Evaluation(
            loss=[[log(v) for v in row] for row in self.matrix],
            loss_baseline=[log(v) for v in self.baseline],
            loss_general=[log(v) for v in self.general.values] if self.general else None,
        )


class ReproductionResult(BaseModel):
    """One finished run of one method on one benchmark with one seed."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1, 2, 3] = SCHEMA_VERSION
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
    accuracy_matrix: list[list[float]] | None = Field(default=None, description="a[i][j] in percent: task j after training through task i")
    baseline_accuracy: list[float] | None = Field(default=None, description="b[j] in percent: task j before any CL training")
    metrics: dict[str, float | None]
    trainable_params: int = Field(ge=0)
    total_params: int = Field(ge=0)
    wall_time_s: float = Field(ge=0)
    peak_memory_mb: float = Field(ge=0)
    command: str
    created: datetime
    task_scoring: list[str] | None = Field(default=None, description="generative runs: how each task is scored")
    probe: ProbeScores | None = None
    backbone_note: str | None = Field(default=None, description="what a reader must know about the weights")
    train_tokens: int | None = Field(default=None, ge=0, description="tokens in all training batches (padding excluded)")
    train_time_s: float | None = Field(default=None, ge=0)
    eval_time_s: float | None = Field(default=None, ge=0)
    perplexity: PerplexityScores | None = Field(default=None, description="language-modelling runs: held-out perplexities")

    @model_validator(mode="after")
    def _consistent(self) -> ReproductionResult:
        t = len(self.task_names)
        if t == 0:
            raise ValueError("task_names must name at least one task")
        if self.accuracy_matrix is None and self.perplexity is None:
            raise ValueError("a result needs an accuracy_matrix or a perplexity evaluation")
        if self.accuracy_matrix is not None:
            self._check_accuracy(t)
        elif self.baseline_accuracy is not None:
            raise ValueError("baseline_accuracy needs an accuracy_matrix")
        if self.perplexity is not None:
            self.perplexity.check(t)
        unknown = sorted(set(self.metrics) - set(METRIC_IDS))
        if unknown:
            raise ValueError(f"metrics {unknown} are not implemented in catalog.metrics ({', '.join(METRIC_IDS)})")
        if self.task_scoring is not None and len(self.task_scoring) != t:
            raise ValueError(f"task_scoring must have {t} entries")
        if self.probe is not None:
            if len(self.probe.scores) != t + 1:
                raise ValueError(f"probe.scores must have {t + 1} entries (before the stream, then after each task)")
            if any(not 0.0 <= v <= 100.0 for v in self.probe.scores):
                raise ValueError("probe scores must be percentages in [0, 100]")
        expected = self.computed_metrics()
        for k, got in self.metrics.items():
            v = expected[k]
            if k == "IM":
                continue  # needs reference accuracies that a single run does not have
            if (v is None) != (got is None) or (v is not None and not isclose(v, got, abs_tol=1e-6)):  # type: ignore[arg-type]
                raise ValueError(f"metric {k}={got} disagrees with the raw evaluation ({v})")
        return self

    def _check_accuracy(self, t: int) -> None:
        a = self.accuracy_matrix or []
        if len(a) != t or any(len(row) != t for row in a):
            raise ValueError(f"accuracy_matrix must be {t} x {t} (one row and column per task)")
        if self.baseline_accuracy is None or len(self.baseline_accuracy) != t:
            raise ValueError(f"baseline_accuracy must have {t} entries")
        for v in [x for row in a for x in row] + list(self.baseline_accuracy):
            if not 0.0 <= v <= 100.0:
                raise ValueError(f"accuracy {v} is not a percentage in [0, 100]")

    def computed_metrics(self) -> dict[str, float | None]:
        """Every registered metric, computed from the raw evaluation this file holds."""
        loss = self.perplexity.evaluation() if self.perplexity else Evaluation()
        return compute(
            Evaluation(
                matrix=self.accuracy_matrix,
                baseline=self.baseline_accuracy,
                probe=self.probe.scores if self.probe else None,
                loss=loss.loss,
                loss_baseline=loss.loss_baseline,
                loss_general=loss.loss_general,
            )
        )


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


def iter_result_files(root: Path | None = None) -> Iterator[Path]:
    """Every result JSON under ``root``, skipping hidden folders (checkpoints, temp files)."""
    root = Path(root) if root is not None else results_dir()
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*.json")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        yield path


def load_results(root: Path | None = None) -> list[ReproductionResult]:
    """All results under ``root``; a file that fails validation raises with its path."""
    out = []
    for path in iter_result_files(root):
        try:
            out.append(read_result(path))
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from exc
    return out
