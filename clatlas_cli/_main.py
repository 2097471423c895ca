"""``clatlas``: the parser built from the registry, and the entry point."""

from __future__ import annotations

import argparse

from clatlas_cli._errors import run_command
from clatlas_cli._registry import REGISTRY, commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clatlas", description="CL Atlas: catalog of continual learning for foundation language models")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for cmd in commands():
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.description)
        if cmd.arguments is not None:
            cmd.arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_command(REGISTRY[args.command].run, args)
