"""Registries and CLI error paths: unknown names list the valid ones, missing extras name the fix."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from reproductions import cli
from reproductions.benchmarks import UnknownBenchmarkError, all_benchmarks, get_benchmark
from reproductions.methods import UnknownMethodError, all_methods, get_method, register
from reproductions.methods.base import Method

EXPECTED_METHODS = {"seqft", "seqlora", "replay", "ewc", "lwf", "pertask", "mtl"}
REPO = Path(__file__).resolve().parents[2]


def test_all_baselines_registered_with_metadata() -> None:
    methods = all_methods()
    assert EXPECTED_METHODS <= set(methods)
    for name in EXPECTED_METHODS:
        cls = methods[name]
        assert issubclass(cls, Method) and cls.name == name
        assert cls.description and cls.papers == []  # baselines reproduce no paper of their own


def test_benchmarks_registered() -> None:
    names = set(all_benchmarks())
    assert {"wordnet-5x4", "wordnet-5x4-til", "wordnet-5x4-dil", "wordnet-5x4-online-htb", "wordnet-5x4-online-btb"} <= names
    assert {"standard-cl-order1", "standard-cl-order2", "standard-cl-order3"} <= names
    assert get_benchmark("standard-cl").name == "standard-cl-order1"


def test_benchmark_families_are_found_by_scanning_their_package() -> None:
    """One module per family in reproductions/benchmarks/, each registering where it defines; the registry is all of them."""
    import subprocess
    import sys

    from reproductions.benchmarks import BENCHMARKS, benchmark_modules

    assert benchmark_modules() == [f"reproductions.benchmarks.{m}" for m in ("domains_cpt", "standard_cl", "wordnet", "wordnet_instruct")]
    by_module = {spec.name: spec.build.__module__ for spec in all_benchmarks().values()}
    assert set(by_module.values()) <= set(benchmark_modules()) and len(BENCHMARKS) == 12
    assert {n for n, m in by_module.items() if m.endswith("wordnet_instruct")} == {"wordnet-instruct", "wordnet-instruct-order2", "wordnet-instruct-order3"}
    # listing benchmarks never needs torch (a fresh interpreter: this one may have imported it already)
    code = "import sys; from reproductions.benchmarks import all_benchmarks; all_benchmarks(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout.strip()
    assert out == "False"


def test_unknown_names_list_valid_ones() -> None:
    with pytest.raises(UnknownMethodError) as e:
        get_method("nope")
    assert "seqft" in str(e.value) and "mtl" in str(e.value)
    with pytest.raises(UnknownBenchmarkError) as e2:
        get_benchmark("nope")
    assert "wordnet-5x4" in str(e2.value) and "standard-cl-order2" in str(e2.value)


def test_register_rejects_duplicates_and_nameless() -> None:
    class Nameless(Method):
        pass

    with pytest.raises(ValueError):
        register(Nameless)

    class Dup(Method):
        name = "seqft"

    with pytest.raises(ValueError, match="twice"):
        register(Dup)


def test_cli_unknown_method_and_benchmark(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "nope", "--benchmark", "wordnet-5x4"]) == 2
    err = capsys.readouterr().err
    assert "unknown method 'nope'" in err and "replay" in err
    assert cli.main(["run", "seqft", "--benchmark", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown benchmark 'nope'" in err and "wordnet-5x4-til" in err


def test_cli_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for name in EXPECTED_METHODS | {"wordnet-5x4", "standard-cl-order3"}:
        assert name in out
    assert "papers: none" in out


def test_register_plugs_into_a_parent_parser(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="clatlas")
    sub = parser.add_subparsers(dest="command")
    cli.register(sub)
    args = parser.parse_args(["repro", "list"])
    assert args.func(args) == 0
    assert "Benchmarks:" in capsys.readouterr().out


def test_missing_torch_names_the_extra() -> None:
    code = "import sys; sys.modules['torch'] = None\nfrom reproductions.cli import main\nsys.exit(main(['run', 'seqft', '--benchmark', 'wordnet-5x4']))\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 2
    assert "pip install 'clatlas[repro]'" in proc.stderr and "torch" in proc.stderr


def test_missing_peft_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from reproductions.deps import MissingDependencyError, require

    monkeypatch.setitem(sys.modules, "peft", None)
    with pytest.raises(MissingDependencyError, match=r"clatlas\[repro\]"):
        require("peft")
    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(MissingDependencyError, match=r"clatlas\[hf\]"):
        require("datasets")


def test_unknown_setting_and_online_epochs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from support.repro import use_wordnet_fixture

    use_wordnet_fixture(monkeypatch, tmp_path)
    rc = cli.main(["run", "seqft", "-b", "wordnet-5x4", "--set", "nosuch=1", "--out", str(tmp_path)])
    assert rc == 2 and "unknown setting" in capsys.readouterr().err
    rc = cli.main(["run", "seqft", "-b", "wordnet-5x4", "--set", "lr=fast", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and "setting lr expects a number, got 'fast'" in err and "Traceback" not in err
    rc = cli.main(["run", "pertask", "-b", "wordnet-5x4-online-btb", "--out", str(tmp_path), "--no-progress"])
    assert rc == 2 and "does not support scenario BTB" in capsys.readouterr().err
