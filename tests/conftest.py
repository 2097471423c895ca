"""Shared fixtures: a small valid catalog copied to a temporary directory."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from catalog.paths import REPO_ROOT

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture()
def mini_data(tmp_path: Path) -> Path:
    """A writable copy of tests/fixtures/minicatalog with the real taxonomy and metrics."""
    dest = tmp_path / "data"
    shutil.copytree(FIXTURES / "minicatalog", dest, ignore=shutil.ignore_patterns("README.md"))
    shutil.copy(REPO_ROOT / "data" / "taxonomy.yaml", dest / "taxonomy.yaml")
    shutil.copy(REPO_ROOT / "data" / "metrics.yaml", dest / "metrics.yaml")
    return dest


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that tries to open a network connection (tests run offline)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a test tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
