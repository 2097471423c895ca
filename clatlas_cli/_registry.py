"""The subcommand registry: ``name -> Command``, filled by the :func:`command` decorator.

A command group is one module of this package; each of its commands is a
function ``(args) -> exit code`` decorated with :func:`command`, which records
the name, the help line, the function that adds its arguments and its place in
``clatlas --help``. :func:`commands` imports every group module (found by
scanning the package, as the method and benchmark registries of the harness
do), so adding a command is one decorated function, and adding a group is one
new module.

The decorator returns the function wrapped in :func:`clatlas_cli._errors.run_command`,
so a command called directly (as the tests do) gives the same exit code and
messages as ``clatlas NAME``.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from clatlas_cli._errors import run_command

Run = Callable[[argparse.Namespace], int]
Arguments = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class Command:
    """One ``clatlas`` subcommand."""

    name: str
    help: str
    order: int  # place in ``clatlas --help`` (smallest first)
    group: str  # the module that defines it, e.g. ``clatlas_cli.catalog``
    run: Run  # the undecorated function; call it through run_command
    arguments: Arguments | None = None
    description: str | None = None


REGISTRY: dict[str, Command] = {}


def command(name: str, help: str, order: int, arguments: Arguments | None = None, description: str | None = None) -> Callable[[Run], Run]:
    """Register the decorated function as ``clatlas NAME``; ``arguments(parser)`` adds its options."""

    def decorate(func: Run) -> Run:
        if name in REGISTRY and REGISTRY[name].run is not func:
            raise ValueError(f"command {name!r} registered twice ({REGISTRY[name].group}, {func.__module__})")
        REGISTRY[name] = Command(name, help, order, func.__module__, func, arguments, description)

        @functools.wraps(func)
        def guarded(args: argparse.Namespace) -> int:
            return run_command(func, args)

        return guarded

    return decorate


def group_modules() -> list[str]:
    """The command-group modules of this package, found by scanning it (helpers, ``_*``, excluded)."""
    pkg = importlib.import_module(__package__ or "clatlas_cli")
    return sorted(f"{pkg.__name__}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))


def commands() -> list[Command]:
    """Every registered command, in ``clatlas --help`` order (importing the groups first)."""
    for mod in group_modules():
        importlib.import_module(mod)
    return sorted(REGISTRY.values(), key=lambda c: (c.order, c.name))
