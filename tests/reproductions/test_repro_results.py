"""The result file: pydantic round-trip, validation against the metrics module, atomic writes."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError

from catalog import runfile as res
from catalog.metrics import compute_all

A = [[80.0, 10.0, 20.0], [60.0, 90.0, 30.0], [50.0, 70.0, 85.0]]
B = [5.0, 15.0, 25.0]


def make(**kw: object) -> res.ReproductionResult:
    data: dict[str, object] = dict(
        method="seqft",
        papers=[],
        benchmark="wordnet-5x4",
        scenario="CIL",
        profile="smoke",
        seed=0,
        task_names=["t1", "t2", "t3"],
        config={"lr": 5e-5},
        versions=res.Versions(python="3.11.0", torch="2.0"),
        device="cpu",
        accuracy_matrix=A,
        baseline_accuracy=B,
        metrics=compute_all(A, B),
        trainable_params=10,
        total_params=20,
        wall_time_s=1.5,
        peak_memory_mb=100.0,
        command="clatlas repro run seqft --benchmark wordnet-5x4 --profile smoke --seed 0 --device cpu",
        created=datetime(2025, 1, 1, tzinfo=timezone.utc),
    )
    data.update(kw)
    return res.ReproductionResult(**data)  # type: ignore[arg-type]


def test_round_trip(tmp_path: Path) -> None:
    r = make()
    path = res.result_path(tmp_path, "seqft", "wordnet-5x4", "smoke", 0)
    assert path == tmp_path / "seqft" / "wordnet-5x4" / "smoke-seed0.json"
    res.write_result(r, path)
    back = res.read_result(path)
    assert back == r
    raw = json.loads(path.read_text())
    assert raw["schema_version"] == res.SCHEMA_VERSION == 3 and raw["accuracy_matrix"] == A and raw["metrics"]["BWT"] == -25.0
    assert [p.name for p in res.iter_result_files(tmp_path)] == ["smoke-seed0.json"]
    assert res.load_results(tmp_path) == [r]


def test_validation_rejects_inconsistent_files() -> None:
    with pytest.raises(ValidationError, match="3 x 3"):
        make(accuracy_matrix=[[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValidationError, match="disagrees"):
        make(metrics={**compute_all(A, B), "AA": 99.0})
    with pytest.raises(ValidationError, match="percentage"):
        bad = [[80.0, 10.0, 20.0], [60.0, 190.0, 30.0], [50.0, 70.0, 85.0]]
        make(accuracy_matrix=bad, metrics=compute_all(bad, B))
    with pytest.raises(ValidationError):
        make(scenario="XIL")
    with pytest.raises(ValidationError):
        make(unexpected_field=1)


def test_atomic_write_leaves_old_file_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.json"
    res.write_result(make(), path)
    before = path.read_text()

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        res.write_result(make(seed=5), path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temp file left behind


def test_hidden_folders_skipped(tmp_path: Path) -> None:
    res.write_result(make(), tmp_path / "seqft" / "b" / "smoke-seed0.json")
    (tmp_path / ".checkpoints").mkdir()
    (tmp_path / ".checkpoints" / "latest.json").write_text("{}")
    assert len(list(res.iter_result_files(tmp_path))) == 1
