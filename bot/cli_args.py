"""Argument types and options shared by the `souvenir` subcommands (cli, export_cli, finetune_cli)."""

from __future__ import annotations

import argparse

from core.scope import CONSOLE_SCOPE, is_valid_scope

COMMAND_PREFIX = "souvenir "
"""How a command named in a message is spelled on this command line (`souvenir forget doc 2`)."""


def scope_arg(value: str) -> str:
    """Validate a `platform:kind:id` scope given on the command line."""
    if not is_valid_scope(value):
        raise argparse.ArgumentTypeError(
            f"not a scope id: {value!r} (e.g. telegram:user:42, discord:guild:7)"
        )
    return value


def importance_arg(value: str) -> float:
    """A number between 0 and 1."""
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError("importance must be between 0 and 1")
    return number


def add_scope(parser: argparse.ArgumentParser) -> None:
    """The `--scope` option (default: the console user's scope)."""
    parser.add_argument(
        "--scope",
        type=scope_arg,
        default=CONSOLE_SCOPE,
        help=f"memory scope (default: {CONSOLE_SCOPE}, the console user)",
    )
