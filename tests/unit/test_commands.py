"""Command arguments are parsed the way the help text says."""

import pytest

from adapters.console import parse_line
from core.commands import parse_correction, parse_memory_id, parse_page, split_command
from core.errors import BadInput


def test_correction_needs_both_sides():
    assert parse_correction(" Paris is in Italy |Paris is in France ") == (
        "Paris is in Italy",
        "Paris is in France",
    )
    for bad in ("no bar", "| right", "wrong |"):
        with pytest.raises(BadInput):
            parse_correction(bad)


def test_memory_ids():
    assert parse_memory_id("#12") == 12 and parse_memory_id(" 7 ") == 7
    with pytest.raises(BadInput):
        parse_memory_id("abc")


def test_pages():
    assert parse_page("cats page 3") == ("cats", 3)
    assert parse_page("cats") == ("cats", 1)
    assert parse_page("page 2") == ("", 2)


def test_platform_command_split():
    assert split_command("/teach@SouvenirBot the sky is blue") == ("teach", "the sky is blue")
    assert split_command("!why") == ("why", "")
    assert split_command("hello there") == (None, "hello there")


def test_console_words_and_plain_text():
    assert parse_line("teach Le ciel est bleu") == ("teach", "Le ciel est bleu")
    assert parse_line("/remember chats") == ("remember", "chats")
    assert parse_line("quelle heure est-il ?") == (None, "quelle heure est-il ?")


def test_help_usage_placeholders_follow_the_language():
    from core.commands import COMMANDS

    usages = {spec.name: (spec.usage("en"), spec.usage("fr")) for spec in COMMANDS}
    assert usages["correct"] == ("correct WRONG | RIGHT", "correct FAUX | JUSTE")
    assert usages["teach"] == ("teach TEXT", "teach TEXTE")
    assert usages["why"] == ("why", "why")
