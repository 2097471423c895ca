"""The ``clatlas`` command registry: every subcommand, registered by its group module, in the parser and in --help order."""

from __future__ import annotations

import argparse

import pytest

from catalog.problems import Problem
from clatlas_cli import build_parser, main
from clatlas_cli._errors import CommandError, ProblemsFound, run_command
from clatlas_cli._registry import command, commands, group_modules

SUBCOMMANDS = ["validate", "build", "stats", "coverage", "serve", "site", "export", "new", "repro"]
GROUPS = {
    "clatlas_cli.catalog": {"validate", "build", "stats", "coverage", "new"},
    "clatlas_cli.export": {"export"},
    "clatlas_cli.web": {"serve", "site"},
    "clatlas_cli.repro": {"repro"},
}


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def test_every_subcommand_is_registered_in_help_order() -> None:
    assert [c.name for c in commands()] == SUBCOMMANDS
    assert list(_subparsers(build_parser()).choices) == SUBCOMMANDS


def test_groups_are_found_by_scanning_the_package() -> None:
    assert set(group_modules()) == set(GROUPS)
    assert {c.group for c in commands()} == set(GROUPS)
    for group, names in GROUPS.items():
        assert {c.name for c in commands() if c.group == group} == names


def test_every_command_has_help_and_parses_its_own_help(capsys: pytest.CaptureFixture[str]) -> None:
    for c in commands():
        assert c.help, c.name
        with pytest.raises(SystemExit) as exc:
            build_parser().parse_args([c.name, "--help"])
        assert exc.value.code == 0
        assert f"usage: clatlas {c.name}" in capsys.readouterr().out


def test_a_name_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        command("validate", "again", 1)(lambda args: 0)


def test_one_place_turns_failures_into_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    def usage(args: argparse.Namespace) -> int:
        raise CommandError("clatlas x: bad usage", 2)

    def problems(args: argparse.Namespace) -> int:
        raise ProblemsFound([Problem("data/papers/a.yaml", 3, "a", "year", "not a year")], "\n1 problem(s) found.")

    assert run_command(usage, argparse.Namespace()) == 2
    assert capsys.readouterr().err == "clatlas x: bad usage\n"
    assert run_command(problems, argparse.Namespace()) == 1
    assert capsys.readouterr().err == "data/papers/a.yaml:3: a: year: not a year\n\n1 problem(s) found.\n"
    assert run_command(lambda args: 0, argparse.Namespace()) == 0


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    assert "COMMAND" in capsys.readouterr().err
