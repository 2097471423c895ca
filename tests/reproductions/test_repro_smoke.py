"""A smoke run of every baseline through the CLI with the real MiniLM backbone (WordNet fixture data).

Each run must learn (``support.repro.assert_learned``); the PEFT, prompt and
online methods get the same check in ``test_repro_peft_methods.py``, and a test
here pins that the two lists together cover every encoder method.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.repro import BASELINE_METHODS, PEFT_RUNS, assert_learned, use_wordnet_fixture

from catalog.runfile import read_result
from reproductions import cli
from reproductions.methods import all_methods


@pytest.mark.slow
@pytest.mark.parametrize("method", BASELINE_METHODS)
def test_smoke_run(method: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    use_wordnet_fixture(monkeypatch, tmp_path)
    rc = cli.main(["run", method, "--benchmark", "wordnet-5x4", "--profile", "smoke", "--seed", "0", "--out", str(tmp_path), "--no-progress", "--threads", "1"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "AA=" in out and "BWT=" in out and "T5" in out
    path = tmp_path / method / "wordnet-5x4" / "smoke-seed0.json"
    r = read_result(path)
    raw = json.loads(path.read_text())
    assert set(raw) >= {
        "schema_version",
        "method",
        "papers",
        "benchmark",
        "scenario",
        "profile",
        "seed",
        "task_names",
        "config",
        "versions",
        "device",
        "accuracy_matrix",
        "baseline_accuracy",
        "metrics",
        "trainable_params",
        "total_params",
        "wall_time_s",
        "peak_memory_mb",
        "command",
        "created",
    }
    assert r.accuracy_matrix is not None
    assert r.method == method and r.scenario == "CIL" and len(r.accuracy_matrix) == 5
    assert all(len(row) == 5 for row in r.accuracy_matrix)  # every task after every stage
    assert r.metrics["FWT"] is not None and r.metrics["BWT"] is not None
    assert r.command.startswith(f"clatlas repro run {method} --benchmark wordnet-5x4 --profile smoke --seed 0")
    assert 0 < r.trainable_params <= r.total_params
    assert not (tmp_path / ".checkpoints" / method / "wordnet-5x4" / "smoke-seed0").exists()
    assert_learned(r)


def test_every_encoder_method_has_a_smoke_run_that_must_learn() -> None:
    """A method added to the registry without a smoke run here or in test_repro_peft_methods fails this test."""
    assert set(BASELINE_METHODS) | {m for m, _, _ in PEFT_RUNS} == set(all_methods())


@pytest.mark.slow
def test_smoke_til_dil_and_online(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other scenarios run end to end too (one cheap method each)."""
    use_wordnet_fixture(monkeypatch, tmp_path)
    for bench, scenario in [("wordnet-5x4-til", "TIL"), ("wordnet-5x4-dil", "DIL"), ("wordnet-5x4-online-htb", "HTB")]:
        rc = cli.main(["run", "seqlora", "-b", bench, "--out", str(tmp_path), "--no-progress", "--threads", "1"])
        assert rc == 0
        r = read_result(tmp_path / "seqlora" / bench / "smoke-seed0.json")
        assert r.scenario == scenario
        if scenario == "TIL":
            assert r.baseline_accuracy is not None and all(b >= 0 for b in r.baseline_accuracy)
        if scenario == "HTB":
            assert r.config["epochs"] == 1
