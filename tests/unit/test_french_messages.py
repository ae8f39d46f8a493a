"""Every French message reads as French written for a family member: no English word, no internal
identifier or setting name (admin-only messages aside), French typography, French numbers, and
words that agree with the numbers before them. A new string that breaks a rule fails here."""

from __future__ import annotations

import re
import string
from datetime import datetime

import pytest

from core.i18n import Translator
from core.i18n.messages import MESSAGES
from core.locale_format import NBSP, NNBSP, number, size, when
from tests.french_lint import agreement, typography, wording

SAMPLE_PARAMS = {
    "name": "notes.txt", "user": "telegram:42", "scope": "discord:channel:9", "detail": "Détail.",
    "model": "llama3.2", "models": "llama3.2", "text": "Le toit", "ids": "#2", "query": "", "url": "https://x.fr",
    "title": "Titre", "first": "Première ligne", "source": "maison.md", "kind": "correction", "tags": "",
    "duplicate": "id", "field": "facts", "where": "l’entrée 2", "value": "NaN", "type": "image/png",
    "path": "/tmp/x", "base": "llama3.2", "arch": "qwen2", "reason": "raison", "kinds": "1 correction",
    "state": "disponible", "suggestion": "apprends", "id": 12, "doc": 3, "status": 502, "date": datetime(2026, 12, 3, 15, 22), "importance": 0.95,
}  # fmt: skip
"""What callers pass, by parameter name; any other parameter is a quantity."""


def fields(template: str) -> set[str]:
    """The parameters a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def literal(template: str) -> str:
    """The template's own words, each parameter replaced by a neutral token `X` (the command prefix by nothing)."""
    parts = string.Formatter().parse(template)
    return "".join(text + ("" if name in (None, "c") else "X") for text, name, _, _ in parts)


def rendered(key: str, count: object) -> str:
    """The French message as a user reads it, every quantity set to `count`."""
    base = re.sub(r"\.(one|other)$", "", key)
    params = {name: SAMPLE_PARAMS.get(name, count) for name in fields(MESSAGES["fr"][key])}
    return Translator()("fr", base, **(params | {"c": "/"}))


@pytest.mark.parametrize("key", sorted(MESSAGES["fr"]))
def test_each_french_message_follows_french_typography_and_wording(key):
    template = MESSAGES["fr"][key]
    own_words = literal(template)
    assert typography(own_words) + wording(key, own_words) == [], f"{key}: {template!r}"


@pytest.mark.parametrize("key", sorted(MESSAGES["fr"]))
def test_each_french_message_agrees_with_its_numbers_and_writes_them_in_french(key):
    for count in (0, 1, 2, 22020096, 12.5):
        text = rendered(key, count)
        shown = text.replace("https://x.fr", "").replace("llama3.2", "")
        faults = agreement(shown) + [f for f in typography(shown) if "number" in f or "decimal" in f]
        assert faults == [], f"{key} with {count}: {text!r}"


def test_the_lint_finds_each_fault_it_names():
    """The rules above catch the faults of the issue (a lint that cannot fail checks nothing)."""
    assert typography("Rien n'a été modifié")
    assert typography("Que faire ?") and typography("Que faire?") and not typography(f"Que faire{NNBSP}?")
    assert typography("Usage : x") and not typography(f"Usage{NBSP}: x")
    assert typography(f"«{NBSP}x »") and not typography(f"«{NBSP}x{NNBSP}»")
    assert typography("Oublié n°2") and typography("0.95") and typography("20000 caractères")
    assert wording("status.kinds", "(correction: 3, teaching: 1)")
    assert wording("status.header", "État de la mémoire de console:user:local")
    assert wording("access.denied", "ajoutez-le à SOUVENIR_ALLOWED_USERS") and wording("x", "Ollama injoignable")
    assert wording("x", "Plongements") and wording("x", "Appairé") and wording("x", "contexte (4096 jetons)")
    assert not wording("finetune.unreachable", "Ollama est injoignable : SOUVENIR_OLLAMA__HOST")
    assert agreement("la rangée 2 a 1 cellules") and agreement("1 échanges précédents")
    assert not agreement("1 cellule, 2 cellules, 1 fois")


def test_french_formatting_helpers_write_french_numbers_sizes_and_dates():
    assert number(20000, "fr") == f"20{NNBSP}000" and number(20000, "en") == "20,000"
    assert number(12.5, "fr") == "12,5" and number(12.5, "en") == "12.5"
    assert number(0.95, "fr") == "0,95" and number(1932, "fr") == "1932"
    assert size(20 * 1024 * 1024, "fr") == f"20{NBSP}Mo" and size(20 * 1024 * 1024, "en") == "20 MB"
    assert size(6246, "fr") == f"6,1{NBSP}Ko" and size(933, "fr") == f"933{NBSP}octets"
    assert size(1, "fr") == f"1{NBSP}octet" and size(1, "en") == "1 byte"
    moment = datetime(2026, 12, 3, 15, 22)
    assert when(moment, "fr", now=moment) == f"3 décembre à 15{NBSP}h{NBSP}22"
    assert when(moment, "fr", now=datetime(2027, 1, 1)) == f"3 décembre 2026 à 15{NBSP}h{NBSP}22"
    assert when(datetime(2026, 5, 1, 9, 5), "fr", now=moment) == f"1er mai à 9{NBSP}h{NBSP}05"
    assert when(moment, "en", now=moment) == "December 3 at 15:22"
    for text in (number(22020096, "fr"), size(22020096, "fr"), when(moment, "fr")):
        assert typography(text) == [], text


def test_the_examples_of_the_issue_read_as_french():
    t = Translator()
    assert t("fr", "error.file_too_large", name="a.pdf", size=22020096, limit=20971520) == (
        f"❌ a.pdf{NBSP}: fichier trop volumineux (21{NBSP}Mo{NNBSP}; la limite est de 20{NBSP}Mo). "
        "Rien n’a été enregistré."
    )
    assert f"20{NNBSP}000 caractères" in t("fr", "error.text_too_long", length=20001, limit=20000)
    assert "la ligne 2 a 1 cellule," in t("fr", "file.csv_ragged", name="a.csv", line=2, found=1, expected=3)
    assert "row 2 has 1 cell but" in t("en", "file.csv_ragged", name="a.csv", line=2, found=1, expected=3)
    assert "1 échange précédent de" in t("fr", "why.turns_left_out", count=1)
    assert "3 échanges précédents de" in t("fr", "why.turns_left_out", count=3)
    assert t("fr", "forget.done", id=2, text="x") == f"🗑️ Souvenir n°{NBSP}2 oublié{NBSP}: x"
    assert "/souvenirs" in t("fr", "error.unknown_memory", id=9)
    assert "rien d’ajouté" not in t("fr", "ingest.duplicate", name="a", doc=1)
    assert "/corrige" in t("fr", "correct.usage") and "->" in t("fr", "correct.usage")
    assert t("fr", "photo.name", date=datetime(2026, 12, 3, 3, 22)).startswith("photo du 3 décembre")
    family = t("fr", "error.llm_unreachable")
    assert "Ollama" not in family and "modèle de langage ne répond pas" in family


def test_an_unknown_key_never_reaches_a_user(caplog, unknown_message_keys):
    text = Translator()("fr", "matrix.download_failed", name="x")
    assert "matrix.download_failed" not in text and text == MESSAGES["fr"]["error.generic"]
    assert "unknown message key 'matrix.download_failed'" in caplog.text
    assert unknown_message_keys.keys == ["matrix.download_failed"]  # conftest.py fails any test that logs one
    unknown_message_keys.keys.clear()  # this one was on purpose


def test_french_messages_name_commands_by_their_french_names():
    """`Tapez /souvenirs`, never `/remember`, in French; `Send /remember` in English."""
    from core.commands import REGISTRY, folded

    for lang in ("fr", "en"):
        names = {folded(c.name_in(lang)) for c in REGISTRY.commands}
        wrong = {
            f"{key}: {word}"
            for key, template in MESSAGES[lang].items()
            for word in re.findall(r"\{c\}(\w+)", template)
            if folded(word) not in names
        }
        assert wrong == set(), lang


def test_the_french_help_of_every_command_follows_the_same_rules():
    from core.commands import REGISTRY

    texts = {c.name: [c.help["fr"], *(a.help["fr"] for a in c.arguments)] for c in REGISTRY.commands}
    problems = {name: [f for t in group for f in typography(t) + wording("", t)] for name, group in texts.items()}
    assert {name: faults for name, faults in problems.items() if faults} == {}
