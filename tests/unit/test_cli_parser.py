"""Every subcommand of `souvenir` is registered: export and finetune are not optional."""

import pytest

from bot.cli import build_parser


def test_export_and_finetune_are_always_subcommands_with_a_checked_scope():
    parser = build_parser()
    assert parser.parse_args(["export", "--format", "jsonl", "--scope", "telegram:user:42"]).scope == (
        "telegram:user:42"
    )
    assert parser.parse_args(["finetune", "--name", "mine"]).name == "mine"
    with pytest.raises(SystemExit):
        parser.parse_args(["export", "--scope", "not a scope"])
