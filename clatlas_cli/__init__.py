"""The ``clatlas`` command line, on top of the three wings (catalog, web app, reproduction harness).

Every subcommand lives in a command-group module of this package and registers
itself where it is defined (:func:`clatlas_cli._registry.command`); the parser
is built from the registry, which finds the groups by scanning the package
(modules whose names start with ``_`` are helpers). Failures become messages
and exit codes in one place, :func:`clatlas_cli._errors.run_command`.

Nothing under ``catalog/``, ``webapp/`` or ``reproductions/`` imports this
package (``tests/test_layers.py``).
"""

from __future__ import annotations

from clatlas_cli._main import build_parser, main

__all__ = ["build_parser", "main"]
