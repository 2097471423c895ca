"""Helpers shared by the tests (not tests themselves): catalog edits, the web fixture, reproduction and LM helpers.

The test tree mirrors the packages (``tests/catalog``, ``tests/webapp``,
``tests/reproductions``, ``tests/clatlas_cli``); ``tests/conftest.py`` puts
``tests/`` on ``sys.path``, so every test imports these as ``support.<module>``.
"""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent
