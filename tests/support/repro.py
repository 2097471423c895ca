"""Shared helpers for the reproduction tests (not a test module)."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.runfile import ReproductionResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
WORDNET_FIXTURE = FIXTURES / "wordnet"


def use_wordnet_fixture(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point the WordNet loader at the tiny fixture and its cache at a temp dir."""
    monkeypatch.setenv("CLATLAS_WORDNET_DIR", str(WORDNET_FIXTURE))
    monkeypatch.setenv("CLATLAS_CACHE_DIR", str(tmp_path / "cache"))


# The smoke runs, one per encoder method: the baselines on the class-incremental stream
# (test_repro_smoke.py) and the PEFT, prompt and online methods with the benchmark each
# needs and the papers its result file must link (test_repro_peft_methods.py). A test pins
# that together they cover the method registry, so every method's smoke run must learn.
BASELINE_METHODS = ["seqft", "seqlora", "replay", "ewc", "lwf", "pertask", "mtl"]
PEFT_RUNS = [
    ("inclora", "wordnet-5x4", []),
    ("olora", "wordnet-5x4", ["wang2023orthogonal"]),
    ("l2p", "wordnet-5x4", []),
    ("progprompt", "wordnet-5x4-til", ["razdaibiedina2023progressive"]),
    ("adaptercl", "wordnet-5x4", ["madotto2021continual"]),
    ("mbpapp", "wordnet-5x4-online-btb", ["demassondautume2019episodic"]),
    ("online_er", "wordnet-5x4-online-htb", []),
]
# Online ER runs on the hard-boundary stream: on the blurry one its accuracy on a task right
# after that task's segment stays low even in the standard runs (LA 23.8-33.2 against an
# untrained 4.5-8.8, committed results): a share of each task's examples moves to a neighbouring
# segment, some of them to the next one, after the task is scored. MbPA++ covers the blurry stream.

# Points (of accuracy) by which a smoke run's learning accuracy must beat the untrained model.
# In CIL the untrained head scores near 0 on every task, and a model that learned only to answer
# with the newest task's 4 classes would score 25 on it: a margin of 30 puts the bar above that
# label-prior guess. In TIL the untrained model already guesses among the task's 4 classes (about
# 25), so the margin asks for real input-to-label learning there too.
LEARNING_MARGIN = 30.0


# What the resume tests override: they check that resuming changes nothing, not learning (the smoke
# runs check that), so one epoch of the smoke profile is enough and halves their time.
RESUME_OVERRIDES = {"epochs": 1}


def assert_learned(result: ReproductionResult, margin: float = LEARNING_MARGIN) -> None:
    """The run learned: LA (each task's score right after learning it) beats the untrained baseline by ``margin``.

    One rule for the encoder runs (accuracy, LEARNING_MARGIN) and the chat-LM runs
    (exact match, their own margin), read from the stored LA metric.
    """
    assert result.accuracy_matrix is not None and result.baseline_accuracy is not None
    learned = result.metrics["LA"]
    assert learned is not None
    untrained = sum(result.baseline_accuracy) / len(result.baseline_accuracy)
    diagonal = [round(row[i], 1) for i, row in enumerate(result.accuracy_matrix)]
    assert learned - untrained >= margin, (
        f"{result.method} on {result.benchmark} ({result.profile}) did not learn: LA {learned:.1f} vs untrained {untrained:.1f} "
        f"(margin {margin}); per task right after learning it: {diagonal}"
    )
