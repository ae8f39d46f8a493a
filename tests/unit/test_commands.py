"""Commands are declared once; parsing, usage and help follow the declaration in each platform's syntax."""

import pytest

from core.commands import REGISTRY, parse_correction, parse_forget, parse_page
from core.errors import BadInput


def test_correction_needs_both_sides():
    assert parse_correction(" Paris is in Italy |Paris is in France ") == (
        "Paris is in Italy",
        "Paris is in France",
    )
    for bad in ("no bar", "| right", "wrong |", "-> juste", "faux →"):
        with pytest.raises(BadInput):
            parse_correction(bad)


def test_a_correction_can_be_typed_on_a_phone_keyboard():
    """`|` is two symbol pages away on a French phone keyboard: an arrow or "par" does the same."""
    expected = ("Le toit a été refait en 2015", "Le toit a été refait en 2019")
    for typed in (
        "Le toit a été refait en 2015 -> Le toit a été refait en 2019",
        "Le toit a été refait en 2015 → Le toit a été refait en 2019",
        "Le toit a été refait en 2015=>Le toit a été refait en 2019",
        "Le toit a été refait en 2015 par Le toit a été refait en 2019",
        "Le toit a été refait en 2015 | Le toit a été refait en 2019",
    ):
        assert parse_correction(typed) == expected, typed
    assert parse_correction("#3 par Le chat s’appelle Minou") == ("#3", "Le chat s’appelle Minou")
    with pytest.raises(BadInput):  # two "par": which one splits is a guess, so the usage asks for an arrow
        parse_correction("refait par Paul en 2015 par refait par Jean en 2019")


def test_french_command_names_with_or_without_accents():
    for word, name in (
        ("apprends", "teach"), ("retiens", "teach"), ("corrige", "correct"), ("souvenirs", "remember"),
        ("oublie", "forget"), ("pourquoi", "why"), ("etat", "status"), ("état", "status"), ("ÉTAT", "status"),
        ("exporte", "export"), ("modele", "model"), ("modèle", "model"), ("langue", "language"),
        ("efface", "reset"), ("reset", "reset"), ("aide", "help"), ("demarre", "start"), ("démarre", "start"),
        ("ajoute", "ingest"), ("question", "talk"),
    ):  # fmt: skip
        assert REGISTRY.find(word).name == name, word
    assert REGISTRY.split("apprends Le ciel est bleu", "") == ("apprends", "Le ciel est bleu")
    assert REGISTRY.find(REGISTRY.split("état", "")[0]).name == "status"


def test_a_misspelt_or_unknown_command_gets_the_closest_one():
    assert REGISTRY.closest("aprends").name == "teach"
    assert REGISTRY.closest("souvenir").name == "remember"
    assert REGISTRY.closest("corigé").name == "correct"
    assert REGISTRY.closest("statut").name == "status"
    assert REGISTRY.closest("bonjour") is None
    assert REGISTRY.split("/aprends x", "") == ("aprends", "x"), "the console reads /word as a command"
    assert REGISTRY.split("aprends x", "") == (None, "aprends x"), "a bare unknown word stays a question"


def test_forget_takes_a_memory_number_or_a_document_label():
    assert parse_forget("#12") == (False, 12) and parse_forget(" 7 ") == (False, 7)
    assert parse_forget("doc 3") == (True, 3) and parse_forget("doc3") == (True, 3)
    assert parse_forget("document 2") == (True, 2)
    for bad in ("abc", "doc", "doc x", ""):
        with pytest.raises(BadInput):
            parse_forget(bad)


def test_pages():
    assert parse_page("cats page 3") == ("cats", 3)
    assert parse_page("cats") == ("cats", 1)
    assert parse_page("page 2") == ("", 2)


def test_each_platform_splits_commands_with_its_own_prefix():
    assert REGISTRY.split("/teach the sky is blue", "/") == ("teach", "the sky is blue")
    assert REGISTRY.split("!why", "!") == ("why", "")
    assert REGISTRY.split("teach X", "!") == (None, "teach X"), "Matrix needs the !"
    assert REGISTRY.split("hello there", "/") == (None, "hello there")
    assert REGISTRY.split("/teach line one\nline two", "/") == ("teach", "line one\nline two")


def test_console_words_and_plain_text():
    assert REGISTRY.split("teach Le ciel est bleu", "") == ("teach", "Le ciel est bleu")
    assert REGISTRY.split("/remember chats", "") == ("remember", "chats")
    assert REGISTRY.find(REGISTRY.split("search chats", "")[0]).name == "remember"
    assert REGISTRY.split("quelle heure est-il ?", "") == (None, "quelle heure est-il ?")


def test_usage_uses_the_platform_syntax_and_the_language_placeholders():
    correct = REGISTRY.find("correct")
    assert correct.usage("en", "!") == "!correct WRONG -> RIGHT"
    assert correct.usage("fr", "/") == "/corrige FAUX -> JUSTE"
    assert REGISTRY.find("teach").usage("fr", "") == "apprends TEXTE"
    assert REGISTRY.find("remember").usage("en", "/") == "/remember [QUERY] [page N]"
    assert REGISTRY.find("why").usage("en", "!") == "!why"


def test_aliases_resolve_to_their_command():
    assert REGISTRY.find("search").name == "remember"
    assert REGISTRY.find("AIDE").name == "help"
    assert REGISTRY.find("nope") is None


def test_option_values_become_the_command_text():
    assert REGISTRY.find("correct").text_of({"wrong": "A", "right": "B"}) == "A -> B"
    assert REGISTRY.find("remember").text_of({"text": "cats", "page": "2"}) == "cats page 2"


def test_every_command_has_english_and_french_help_and_a_handler():
    import inspect

    for command in REGISTRY.commands:
        assert command.help["en"] and command.help["fr"] and command.help["fr"] != command.help["en"]
        assert all(a.help["en"] and a.help["fr"] for a in command.arguments)
        assert inspect.iscoroutinefunction(command.handler), command.name


def test_the_documented_command_table_is_the_generated_one():
    from pathlib import Path

    from core.commands import markdown_table

    assert markdown_table() in Path("docs/commands.md").read_text(encoding="utf-8")
