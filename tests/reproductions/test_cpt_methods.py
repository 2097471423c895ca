"""Continual pre-training end to end: every method learns, resume loses nothing, bad input fails in one line.

The end-to-end runs use the real ``domains-cpt`` corpora (skipped, naming the
apt-get command, where a package is missing) with a tiny override of the
smoke profile: two domains, eight 64-token training blocks each, four
optimizer steps per stage — well under a minute per method on two cores.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from reproductions import cli
from reproductions.lm.cpt import corpora
from reproductions.methods import all_methods
from reproductions.runcommon import RunInterrupted, RunOptions
from reproductions.runner import run

CPT_METHODS = ("cpt-seq", "cpt-lora", "cpt-replay", "cpt-demix", "cpt-l2")
# A trained domain's held-out perplexity must end its stage at least this share below the
# untrained model's: a margin, not just any fall. The runs below fall by 15-33 %.
PPL_MARGIN = 0.05
TINY = {
    "tasks": "2",
    "train_blocks": "8",
    "eval_blocks": "4",
    "general_blocks": "2",
    "block_size": "64",
    "epochs": "2",
    "batch_size": "4",
    "eval_batch_size": "4",
    "probe_size": "4",
}


def _need_corpora() -> None:
    for name in ("syscalls", "git", "openssl", "licenses"):
        try:
            corpora.documents(corpora.get_corpus(name))
        except corpora.CorpusMissingError as exc:
            pytest.skip(str(exc))


def opts(tmp_path: Path, method: str, **kw: object) -> RunOptions:
    return RunOptions(method, "domains-cpt", "smoke", seed=0, out=tmp_path / "out", progress=False, threads=2, overrides=dict(TINY), **kw)  # type: ignore[arg-type]


def test_cpt_methods_registered_as_generate_perplexity_methods() -> None:
    gen = all_methods("generate")
    for m in CPT_METHODS:
        assert m in gen and gen[m].kind == "generate" and gen[m].evaluations == ("perplexity",)
    for m in ("seqft", "seqlora", "replay", "lwf", "olora", "inscl", "mtl"):
        assert gen[m].evaluations == ("accuracy",)
    assert gen["cpt-demix"].papers == ["gururangan2022demix"] and gen["cpt-replay"].papers == ["ibrahim2024simple"]


def test_sweep_file_names_every_method_and_refuses_instruction_methods() -> None:
    from reproductions.sweep import Grid, SweepError, check_grid, resolve_grid

    grid = resolve_grid("llm-cpt")
    assert set(grid.methods) == set(CPT_METHODS) and grid.seeds == [0, 1, 2] and grid.benchmarks == ["domains-cpt"]
    check_grid(grid)
    with pytest.raises(SweepError, match="no generate implementation for benchmark .domains-cpt."):
        check_grid(Grid("x", ["seqft"], ["domains-cpt"], [0]))
    with pytest.raises(SweepError, match="no generate implementation for benchmark .wordnet-instruct."):
        check_grid(Grid("x", ["cpt-seq"], ["wordnet-instruct"], [0]))


def test_rewarm_cosine_schedule() -> None:
    from reproductions.lm.cpt.schedule import rewarm_cosine

    f = rewarm_cosine(10, 0.2, 0.1)
    assert [round(f(k), 3) for k in (0, 1)] == [0.5, 1.0]  # warm-up never starts at zero
    assert f(2) == pytest.approx(1.0) and f(9) == pytest.approx(0.1)
    assert all(f(k) >= f(k + 1) for k in range(1, 9))


def _toy_man(root: Path, pattern_dir: str, name: str) -> None:
    d = root / pattern_dir
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(gzip.compress(b".TH X 1\n.SH NAME\nx \\- y\n"))


def test_missing_corpus_package_is_one_line_before_any_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _toy_man(tmp_path / "sys", ".", "a.2.gz")
    monkeypatch.setenv("CLATLAS_CORPUS_DIR_SYSCALLS", str(tmp_path / "sys"))
    monkeypatch.setenv("CLATLAS_CORPUS_DIR_GIT", str(tmp_path / "empty"))
    rc = cli.main(["run", "cpt-seq", "--benchmark", "domains-cpt", "--out", str(tmp_path / "out"), "--backbone", "no/such-model"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "\n" not in err
    assert err.startswith("error: corpus 'git' needs the Debian package git-man") and err.endswith("apt-get install git-man")


def test_missing_wordnet_for_the_chat_probe_is_one_line_before_any_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The corpora are there (tiny ones), WordNet is not: the probe's package is named before a model loads."""
    for i in range(12):  # one document in five is held out (by a hash of its name): twelve give both sides
        for d, name in ((tmp_path / "sys", f"call{i}.2.gz"), (tmp_path / "git" / "man1", f"git-x{i}.1.gz")):
            d.mkdir(parents=True, exist_ok=True)
            (d / name).write_bytes(gzip.compress(f".TH X{i} 1\n.SH NAME\nx{i} \\- page {i}\n".encode()))
    (tmp_path / "lic").mkdir()
    (tmp_path / "lic" / "GPL").write_text("You may copy and distribute verbatim copies.\n")
    for name, sub in (("SYSCALLS", "sys"), ("GIT", "git"), ("LICENSES", "lic")):
        monkeypatch.setenv(f"CLATLAS_CORPUS_DIR_{name}", str(tmp_path / sub))
    monkeypatch.setenv("CLATLAS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CLATLAS_WORDNET_DIR", str(tmp_path / "no-wordnet"))
    rc = cli.main(["run", "cpt-seq", "--benchmark", "domains-cpt", "--set", "tasks=2", "--out", str(tmp_path / "out"), "--backbone", "no/such-model"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "\n" not in err, err
    assert "apt-get install wordnet-base" in err


def test_instruction_method_refused_on_the_perplexity_benchmark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = cli.main(["run", "seqft", "--benchmark", "domains-cpt", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and "not a continual pre-training method" in err and "cpt-demix" in err


@pytest.mark.slow
@pytest.mark.parametrize("method", CPT_METHODS)
def test_method_learns_its_domain(tmp_path: Path, method: str) -> None:
    _need_corpora()
    r = run(opts(tmp_path, method))
    ppl = r.perplexity
    assert ppl is not None and r.accuracy_matrix is None and r.scenario == "DIL"
    assert r.task_names == ["syscalls", "git"] and ppl.block_size == 64 and ppl.tokens == [4 * 63, 4 * 63]
    for i in range(2):
        assert ppl.matrix[i][i] <= (1 - PPL_MARGIN) * ppl.baseline[i], (
            f"{method}: domain {i} held-out perplexity {ppl.matrix[i][i]:.2f} is not {PPL_MARGIN:.0%} below the untrained {ppl.baseline[i]:.2f}"
        )
    assert ppl.general is not None and len(ppl.general.values) == 3
    assert r.metrics["LP-AVG"] is not None and r.metrics["LP-FM"] is not None and r.metrics["LP-GEN"] is not None
    # the chat probe is answered before the stream and after each stage; GA is its change
    assert r.probe is not None and r.probe.name == "capitals" and r.probe.size == 4 and len(r.probe.scores) == 3
    assert r.metrics["GA"] == pytest.approx(r.probe.scores[-1] - r.probe.scores[0])
    assert r.config["stream"]["probe"]["source_package"] == "wordnet-base"
    info = r.config["stream"]["domains"]["syscalls"]
    assert info["package"] == "manpages-dev" and len(info["sha256"]) == 64 and info["heldout_sha256"]
    assert (tmp_path / "out" / method / "domains-cpt" / "smoke-seed0.json").is_file()
    if method == "cpt-demix":
        assert r.config["routing_to_own_expert"][1][0] >= 0.5  # syscalls blocks mostly find the syscalls expert
        assert r.trainable_params > 0 and r.papers == ["gururangan2022demix"]
    if method == "cpt-lora":
        assert r.trainable_params < r.total_params / 50


@pytest.mark.slow
def test_resume_after_interruption_loses_at_most_one_stage(tmp_path: Path) -> None:
    _need_corpora()
    full = run(opts(tmp_path / "a", "cpt-demix"))
    with pytest.raises(RunInterrupted):
        run(opts(tmp_path / "b", "cpt-demix", stop_after_task=0))
    ck = tmp_path / "b" / "out" / ".checkpoints" / "cpt-demix" / "domains-cpt" / "smoke-seed0"
    assert (ck / "latest.json").is_file() and (ck / "stage-0.pt").is_file()
    resumed = run(opts(tmp_path / "b", "cpt-demix", resume=True))
    assert resumed.perplexity == full.perplexity and resumed.metrics == full.metrics and resumed.probe == full.probe
    assert not ck.exists()


@pytest.mark.slow
def test_smoke_profile_learns_every_domain(tmp_path: Path) -> None:
    """The unmodified smoke profile (3 domains, 3 steps each): every trained domain ends its stage PPL_MARGIN below the untrained model."""
    _need_corpora()
    r = run(RunOptions("cpt-seq", "domains-cpt", "smoke", seed=0, out=tmp_path, progress=False, threads=2))
    ppl = r.perplexity
    assert ppl is not None and r.task_names == ["syscalls", "git", "openssl"]
    assert all(ppl.matrix[i][i] <= (1 - PPL_MARGIN) * ppl.baseline[i] for i in range(3)), (ppl.matrix, ppl.baseline)
    assert r.probe is not None and r.probe.size == 6 and len(r.probe.scores) == 4
    assert r.config["stream"]["domains"]["openssl"]["package"] == "openssl"
