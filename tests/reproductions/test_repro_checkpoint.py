"""Checkpoints: resume after an interruption gives the uninterrupted result; corrupt ones are reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.repro import RESUME_OVERRIDES, use_wordnet_fixture

from reproductions import cli
from reproductions.checkpoint import CheckpointMismatchError, CorruptCheckpointError, load, save
from reproductions.runner import RunInterrupted, RunOptions, run


def opts(tmp_path: Path, method: str, benchmark: str, **kw: object) -> RunOptions:
    return RunOptions(method, benchmark, "smoke", seed=3, out=tmp_path / "out", progress=False, threads=1, **kw)  # type: ignore[arg-type]


def test_checkpoint_roundtrip_and_corruption(tmp_path: Path) -> None:
    import torch

    run_id = {"method": "x", "seed": 1}
    save(tmp_path, 0, {"w": torch.ones(3), "matrix": [[1.0]]}, run_id)
    save(tmp_path, 1, {"w": torch.zeros(3), "matrix": [[1.0], [2.0]]}, run_id)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "stage-1.pt"]
    stage, payload = load(tmp_path, run_id)
    assert stage == 1 and payload["matrix"] == [[1.0], [2.0]] and torch.equal(payload["w"], torch.zeros(3))
    with pytest.raises(CheckpointMismatchError):
        load(tmp_path, {"method": "y", "seed": 1})
    data = bytearray((tmp_path / "stage-1.pt").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "stage-1.pt").write_bytes(bytes(data))
    with pytest.raises(CorruptCheckpointError, match="SHA-256"):
        load(tmp_path, run_id)
    (tmp_path / "latest.json").write_text("{not json")
    with pytest.raises(CorruptCheckpointError, match="latest.json"):
        load(tmp_path, run_id)


@pytest.mark.slow
@pytest.mark.parametrize("method,benchmark", [("replay", "wordnet-5x4"), ("seqft", "wordnet-5x4-online-btb")])
def test_resume_matches_uninterrupted_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str, benchmark: str) -> None:
    use_wordnet_fixture(monkeypatch, tmp_path)
    full = run(opts(tmp_path / "a", method, benchmark, overrides=RESUME_OVERRIDES))
    with pytest.raises(RunInterrupted):
        run(opts(tmp_path / "b", method, benchmark, stop_after_task=1, overrides=RESUME_OVERRIDES))
    ck = tmp_path / "b" / "out" / ".checkpoints" / method / benchmark / "smoke-seed3"
    assert (ck / "latest.json").is_file() and (ck / "stage-1.pt").is_file()
    resumed = run(opts(tmp_path / "b", method, benchmark, resume=True, overrides=RESUME_OVERRIDES))
    assert resumed.accuracy_matrix == full.accuracy_matrix
    assert resumed.baseline_accuracy == full.baseline_accuracy
    assert resumed.metrics == full.metrics
    assert not ck.exists()  # removed once the result is written


@pytest.mark.slow
def test_corrupt_checkpoint_is_reported_not_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    use_wordnet_fixture(monkeypatch, tmp_path)
    with pytest.raises(RunInterrupted):
        run(opts(tmp_path, "seqlora", "wordnet-5x4", stop_after_task=0))
    ck = tmp_path / "out" / ".checkpoints" / "seqlora" / "wordnet-5x4" / "smoke-seed3"
    stage_file = ck / "stage-0.pt"
    stage_file.write_bytes(stage_file.read_bytes()[:-100])  # truncated, as after a crash mid-copy
    rc = cli.main(["run", "seqlora", "-b", "wordnet-5x4", "--seed", "3", "--out", str(tmp_path / "out"), "--resume", "--no-progress", "--threads", "1"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "corrupt" in err and str(ck) in err
    assert not (tmp_path / "out" / "seqlora").exists()  # no result was produced from it


@pytest.mark.slow
def test_default_checkpoints_stay_out_of_the_results_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalog build scans data/reproductions/results, so default checkpoints go to the cache."""
    use_wordnet_fixture(monkeypatch, tmp_path)
    monkeypatch.setenv("CLATLAS_DATA", str(tmp_path / "data"))
    o = RunOptions("seqlora", "wordnet-5x4", "smoke", seed=1, progress=False, threads=1, stop_after_task=0)
    with pytest.raises(RunInterrupted):
        run(o)
    assert (tmp_path / "cache" / "checkpoints" / "seqlora" / "wordnet-5x4" / "smoke-seed1" / "latest.json").is_file()
    assert not (tmp_path / "data").exists()
