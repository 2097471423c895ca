"""The one place where a command's failure becomes a message and an exit code.

Commands do their work and return ``0`` (or the exit code of an outcome, such
as ``clatlas coverage``'s 1 for an incomplete survey); when they cannot go on
they raise:

- :class:`ProblemsFound` — the data has problems: they are printed (text on
  standard error, or JSON on standard output), then an optional closing line;
  exit 1.
- :class:`CommandError` — any other refusal: its message on standard error;
  exit ``code`` (1, or 2 for a usage error).
- :class:`MissingExtra` — an optional extra is not installed (raised by
  :func:`needs_extra`): the pip command that installs it; exit 2.

:func:`run_command` catches exactly these; anything else is a bug and keeps
its traceback. The ``repro`` group delegates to the harness's own dispatcher
(``reproductions.cli.dispatch``), which maps the harness's errors the same way
for ``python -m reproductions``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from catalog.problems import Problem, format_problems


class CommandError(Exception):
    """A command that cannot go on: ``message`` on standard error, exit ``code``."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.message = message
        self.code = code


class ProblemsFound(CommandError):
    """Problems in the data: printed in ``fmt`` (``text`` or ``json``), then ``message`` if any; exit 1."""

    def __init__(self, problems: Sequence[Problem], message: str | None = None, fmt: str = "text"):
        super().__init__(message or "", 1)
        self.problems = list(problems)
        self.fmt = fmt


class MissingExtra(CommandError):
    """An optional extra of the package (``web``, ``repro``) is not installed; exit 2."""

    def __init__(self, extra: str, missing: str | None):
        super().__init__(f"clatlas: this command needs the '{extra}' extra ({missing} is missing): pip install 'clatlas[{extra}]'", 2)
        self.extra = extra


@contextmanager
def needs_extra(extra: str) -> Iterator[None]:
    """Imports inside the block that fail name the extra to install (:class:`MissingExtra`)."""
    try:
        yield
    except ImportError as exc:
        raise MissingExtra(extra, exc.name) from exc


def report(exc: CommandError) -> int:
    """Print ``exc`` as the command line shows it; its exit code."""
    if isinstance(exc, ProblemsFound):
        print(format_problems(exc.problems, exc.fmt), file=sys.stdout if exc.fmt == "json" else sys.stderr)
    if exc.message:
        print(exc.message, file=sys.stderr)
    return exc.code


def run_command(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run one command: its exit code, or the code of the failure it raised, after printing it."""
    try:
        return int(func(args) or 0)
    except CommandError as exc:
        return report(exc)
