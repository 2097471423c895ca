"""``clatlas repro``: the reproduction harness's commands (list, run, sweep), from ``reproductions/cli.py``.

The harness defines its subcommands and maps its own errors to exit codes
(:func:`reproductions.cli.dispatch`), because it also runs on its own as
``python -m reproductions``; this group mounts them under ``clatlas``. The
harness imports torch only inside its commands, so mounting it is cheap; if
the package itself cannot be imported, ``clatlas repro`` names the extra.
"""

from __future__ import annotations

import argparse

from clatlas_cli._errors import CommandError
from clatlas_cli._registry import command

HELP = "run continual-learning reproductions"
ORDER = 90

try:
    from reproductions import cli as harness
except ImportError:  # pragma: no cover - a checkout without the harness's own dependencies
    harness = None  # type: ignore[assignment]

if harness is not None:

    @command("repro", HELP, ORDER, harness.add_commands, description=harness.__doc__)
    def cmd_repro(args: argparse.Namespace) -> int:
        return harness.dispatch(args)

else:  # pragma: no cover

    def _rest(p: argparse.ArgumentParser) -> None:
        p.add_argument("rest", nargs=argparse.REMAINDER)

    @command("repro", "reproduction harness (needs the 'repro' extra)", ORDER, _rest)
    def cmd_repro(args: argparse.Namespace) -> int:
        raise CommandError("clatlas: 'repro' needs the 'repro' extra (torch, peft, transformers): pip install 'clatlas[repro]'", 2)
