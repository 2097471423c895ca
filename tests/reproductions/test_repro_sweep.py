"""`clatlas repro sweep`: grids, resumability, failure isolation, refusal of bad grids, local and Ray backends."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from support.repro import use_wordnet_fixture

pytest.importorskip("torch")

from reproductions.sweep import Cell, Grid, SweepError, check_grid, load_grid, resolve_grid, run_sweep  # noqa: E402


def _grid(methods: list[str], seeds: list[int] | None = None) -> Grid:
    return Grid("test", methods, ["wordnet-5x4"], seeds or [0], profile="smoke")


def test_committed_sweep_files_are_valid() -> None:
    for name in ("llm-cit", "encoder-baselines", "encoder-peft", "encoder-progprompt", "encoder-online", "encoder-dil"):
        grid = resolve_grid(name)
        check_grid(grid)
        assert grid.cells() and len(set(grid.cells())) == len(grid.cells())


def test_bad_grids_are_refused_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(SweepError, match="'nope'"):
        run_sweep(_grid(["seqlora", "nope"]), tmp_path)
    with pytest.raises(SweepError, match="unknown benchmark"):
        run_sweep(Grid("t", ["seqlora"], ["nope"], [0]), tmp_path)
    with pytest.raises(SweepError, match="'progprompt' has no classify implementation for benchmark 'wordnet-5x4'"):
        check_grid(_grid(["progprompt"]))  # TIL-only: refused on the CIL benchmark before anything runs
    with pytest.raises(SweepError, match="'inclora' has no generate implementation"):
        check_grid(Grid("t", ["inclora"], ["wordnet-instruct"], [0]))
    assert not any(tmp_path.iterdir())
    bad = tmp_path / "bad.yaml"
    bad.write_text("methods: [seqlora]\nbenchmarks: [wordnet-5x4]\nseeds: [0]\nepochs: 3\n")
    with pytest.raises(SweepError, match=r"bad.yaml: unknown field\(s\) \['epochs'\]"):
        load_grid(bad)


def test_seed_major_order() -> None:
    g = Grid("t", ["a", "b"], ["x"], [0, 1])
    assert g.cells() == [Cell("a", "x", 0), Cell("b", "x", 0), Cell("a", "x", 1), Cell("b", "x", 1)]


@pytest.mark.slow
def test_local_sweep_skips_finished_cells_and_isolates_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    use_wordnet_fixture(monkeypatch, tmp_path)
    out = tmp_path / "results"
    grid = _grid(["seqlora", "replay"])
    broken = out / ".checkpoints" / "replay" / "wordnet-5x4" / "smoke-seed0"  # a corrupt checkpoint: that cell fails when it resumes
    broken.mkdir(parents=True)
    (broken / "latest.json").write_text("{not json", encoding="utf-8")
    first = run_sweep(grid, out, jobs=1, cell_filter=[Cell("seqlora", "wordnet-5x4", 0)])  # "interrupted" after one cell
    assert [o.status for o in first] == ["done"]
    again = run_sweep(grid, out, jobs=2)
    status = {o.cell.method: o for o in again}
    assert status["seqlora"].status == "skipped"  # finished cells are not re-run
    assert status["replay"].status == "failed" and "is corrupt" in (status["replay"].error or "")
    err = capsys.readouterr().err
    assert "1 cell(s) failed" in err and "replay/wordnet-5x4/seed0" in err
    assert "| wordnet-5x4 | seqlora | 1 |" in err  # the summary table comes from the result files
    assert (out / "seqlora" / "wordnet-5x4" / "smoke-seed0.json").is_file()


@pytest.mark.slow
def test_interrupted_cell_resumes_from_its_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_wordnet_fixture(monkeypatch, tmp_path)
    from reproductions.runner import RunInterrupted, RunOptions, run

    out = tmp_path / "results"
    with pytest.raises(RunInterrupted):
        run(RunOptions("seqlora", "wordnet-5x4", "smoke", seed=0, out=out, progress=False, threads=1, stop_after_task=1))
    [o] = run_sweep(_grid(["seqlora"]), out, jobs=1)
    assert o.status == "done"
    log = (out / ".sweep-logs" / "test" / "seqlora_wordnet-5x4_seed0.log").read_text()
    assert "resuming seqlora on wordnet-5x4 after task 2/5" in log


@pytest.mark.slow
def test_ray_backend_on_a_local_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if importlib.util.find_spec("ray") is None:
        pytest.skip("the ray backend needs Ray: pip install 'clatlas[sweep]' (make test installs it)")
    use_wordnet_fixture(monkeypatch, tmp_path)
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    out = tmp_path / "results"
    outcomes = run_sweep(_grid(["seqlora"]), out, jobs=1, backend="ray")
    assert [o.status for o in outcomes] == ["done"] and (out / "seqlora" / "wordnet-5x4" / "smoke-seed0.json").is_file()
    # a cell that fails on its worker comes back as a failed outcome with the worker's error, not an exception
    bad = Grid("test", ["replay"], ["wordnet-5x4"], [0], profile="smoke", overrides={"batch_size": "many"})
    failed = run_sweep(bad, out, jobs=1, backend="ray")
    assert [o.status for o in failed] == ["failed"] and "setting batch_size expects an integer, got 'many'" in (failed[0].error or "")
