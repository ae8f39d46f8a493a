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


def test_every_command_a_french_message_names_is_typed_as_shown_on_the_command_line():
    """The CLI prints French lines such as « à retirer avec souvenir oublie doc 6 »: that command must work."""
    import re

    from core.commands import REGISTRY
    from core.i18n.messages import MESSAGES

    parser = build_parser()
    choices = parser._subparsers._group_actions[0].choices
    named = {word for text in MESSAGES["fr"].values() for word in re.findall(r"\{c\}(\w+)", text)}
    checked = 0
    for word in sorted(named):
        command = REGISTRY.find(word)
        if command is not None and command.name in choices:
            assert word in choices, f"« souvenir {word} » is shown in French but is not a souvenir command"
            assert choices[word] is choices[command.name]
            checked += 1
    assert checked >= 3
    assert parser.parse_args(["oublie", "doc", "6"]).target == ["doc", "6"]
