"""The rule-based statement classifier: durable facts, plans, preferences and events in; the rest out."""

from __future__ import annotations

import pytest

from core.capture.statements import classify, is_question


@pytest.mark.parametrize(
    "text",
    [
        "Je pars à Lyon le 14 février pour le mariage de Paul.",
        "je pars a lyon le 14 fevrier pour le mariage de paul",
        "Ma fille s'appelle Léa",
        "ma fille s’appelle lea",
        "On a déménagé à Nantes",
        "on a demenage a nantes",
        "Je suis allergique aux arachides",
        "je suis allergique aux arachides",
        "Mon frère Paul habite à Lyon",
        "le rdv chez le dentiste est mercredi à 14h",
        "Mamie arrive dimanche par le train de 10h",
        "je prefere le the au cafe",
        "Notre chien Max a 3 ans",
        "Le code du portail c'est 4521B",
        "tu sais que ma soeur s'appelle Nadia",
        "au fait, mon mari travaille chez Airbus",
        "My daughter Chloe starts swimming on Saturday",
        "I'm allergic to penicillin",
        "We moved to 4 Elm Street last month",
    ],
)
def test_durable_statements_are_kept(text: str) -> None:
    verdict = classify(text)
    assert verdict.keep, verdict


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour !",
        "salut ça va ?",
        "merci beaucoup c'est super",
        "Quand est-ce que je pars à Lyon ?",
        "quand est ce que je pars a lyon",
        "c'est quoi le code du wifi",
        "tu pars quand",
        "Comment s'appelle ma fille",
        "Tu peux me conseiller un cadeau ?",
        "donne moi une recette de crêpes",
        "explique moi la règle du hors-jeu",
        "je suis crevée aujourd'hui",
        "il pleut encore",
        "j'ai faim",
        "ok merci",
        "haha trop bien",
        "c'est faux ce que tu dis",
        "tu es vraiment lent aujourd'hui",
        "What's a good stretch for back pain?",
        "can you suggest a few things to do",
        "thanks a lot!",
        "good night",
        "bon je vais me coucher",
        "I'm going to bed",
    ],
)
def test_questions_greetings_requests_and_chitchat_are_not(text: str) -> None:
    verdict = classify(text)
    assert not verdict.keep, verdict


def test_questions_are_read_with_or_without_their_mark() -> None:
    assert is_question("est-ce que Paul vient")
    assert is_question("On part quand déjà")
    assert is_question("Where do we stay?")
    assert not is_question("Paul vient samedi")
