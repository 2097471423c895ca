"""Shared helpers for the reproduction tests (not a test module)."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
WORDNET_FIXTURE = FIXTURES / "wordnet"


def use_wordnet_fixture(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point the WordNet loader at the tiny fixture and its cache at a temp dir."""
    monkeypatch.setenv("CLATLAS_WORDNET_DIR", str(WORDNET_FIXTURE))
    monkeypatch.setenv("CLATLAS_CACHE_DIR", str(tmp_path / "cache"))
