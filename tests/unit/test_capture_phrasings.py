"""The one parser of explicit phrasings: French typed with or without accents, any case, ’ or ', and English."""

from __future__ import annotations

import pytest

from core.capture.phrasings import Intent, parse_phrasing


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("retiens que le code wifi est TRUC-42", "Le code wifi est TRUC-42"),
        ("Retiens bien que Paul arrive mardi", "Paul arrive mardi"),
        ("RETIENS QUE la clé est sous le pot", "La clé est sous le pot"),
        ("retiens : la robe est prête le 20 août", "La robe est prête le 20 août"),
        ("Souviens-toi que Mamie est allergique aux noix", "Mamie est allergique aux noix"),
        ("souviens toi que son anniversaire c'est le 8 mai", "Son anniversaire c'est le 8 mai"),
        ("n’oublie pas que la réunion est le 12 mars", "La réunion est le 12 mars"),
        ("noublie pas que le photographe est payé", "Le photographe est payé"),
        ("N'OUBLIE PAS QU'il faut payer la cantine", "Il faut payer la cantine"),
        ("note que le plombier c'est le 06 12 34 56 78", "Le plombier c'est le 06 12 34 56 78"),
        ("Rappelle-toi que ma voiture est au niveau -2", "Ma voiture est au niveau -2"),
        ("rappelle toi que Léa a piscine le jeudi", "Léa a piscine le jeudi"),
        ("stp retiens que je suis végétarien", "Je suis végétarien"),
        ("remember that the garage code is 7781", "The garage code is 7781"),
        ("Don't forget that the babysitter is Maya", "The babysitter is Maya"),
        ("dont forget that Oliver hates peas", "Oliver hates peas"),
        ("note that my passport expires in May", "My passport expires in May"),
    ],
)
def test_teach_phrasings_store_the_users_own_words(text: str, stored: str) -> None:
    phrasing = parse_phrasing(text)
    assert phrasing is not None and phrasing.intent is Intent.TEACH
    assert phrasing.text == stored


@pytest.mark.parametrize(
    "text",
    [
        "Quand est-ce que je pars à Lyon ?",
        "tu te souviens que Paul arrive quand ?",
        "retiens que quoi ?",
        "Je retiens que c'est compliqué",
        "remember",
        "Remember when we went to Rome?",
        "j'ai noté que tu étais lent",
        "bonjour",
    ],
)
def test_questions_and_plain_sentences_are_not_phrasings(text: str) -> None:
    assert parse_phrasing(text) is None


@pytest.mark.parametrize(
    ("text", "right", "wrong"),
    [
        ("finalement le rdv chez le dentiste est jeudi à 10h", "Le rdv chez le dentiste est jeudi à 10h", ""),
        ("En fait on part à Lyon le 13 février", "On part à Lyon le 13 février", ""),
        ("en fait, le foot c'est le jeudi", "Le foot c'est le jeudi", ""),
        ("Actually we fly on March 5th", "We fly on March 5th", ""),
        ("non, c'est le 4 août, pas le 3 août", "le 4 août", "le 3 août"),
        ("non c'est 95 euros par personne pas 85", "95 euros par personne", "85"),
        ("Non, c’est pas mercredi, c’est jeudi", "jeudi", "mercredi"),
        ("no, it's Wednesday at 4pm, not Tuesday", "Wednesday at 4pm", "Tuesday"),
        ("correction : le judo c'est à 17h30 → le judo c'est à 18h", "le judo c'est à 18h", "le judo c'est à 17h30"),
        ("Correction: rdv mardi -> rdv mercredi", "rdv mercredi", "rdv mardi"),
    ],
)
def test_corrections(text: str, right: str, wrong: str) -> None:
    phrasing = parse_phrasing(text)
    assert phrasing is not None and phrasing.intent is Intent.CORRECT
    assert (phrasing.text, phrasing.wrong) == (right, wrong)


@pytest.mark.parametrize("text", ["en fait c'est quand le dentiste ?", "finalement on mange quoi ce soir", "En fait tu peux m'aider ?"])
def test_a_question_after_en_fait_is_still_a_question(text: str) -> None:
    assert parse_phrasing(text) is None


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Oublie ce que je t'ai dit sur le dentiste", "le dentiste"),
        ("oublie ce que je t’ai dit à propos de Nadia.", "Nadia"),
        ("oublie tout ce que je t'ai dit sur mon ex", "mon ex"),
        ("Oublie tout sur le mariage", "le mariage"),
        ("forget what I said about the garage", "the garage"),
        ("Forget what I told you about Sarah!", "Sarah"),
        ("forget everything about Lisbon", "Lisbon"),
        ("Oublie, ce que je t'ai dit sur le dentiste.", "le dentiste"),
    ],
)
def test_forget_about(text: str, subject: str) -> None:
    phrasing = parse_phrasing(text)
    assert phrasing is not None and phrasing.intent is Intent.FORGET
    assert phrasing.text == subject


@pytest.mark.parametrize(
    ("transcript", "intent"),
    [
        ("Rappelle-toi que la réunion est le 12 mars.", Intent.TEACH),
        ("Retiens que le code est 42.", Intent.TEACH),
        ("Oublie, ce que je t'ai dit sur le dentiste.", Intent.FORGET),
    ],
)
def test_a_voice_transcript_goes_through_the_same_parser_and_is_no_command(transcript: str, intent: Intent) -> None:
    from core.spoken import heard_command

    assert parse_phrasing(transcript).intent is intent
    assert heard_command(transcript)[0] is None


def test_a_spoken_command_with_a_pause_stays_a_command() -> None:
    from core.spoken import heard_command

    command, rest = heard_command("Retiens. Le code est 42.")
    assert command is not None and command.name == "teach" and rest == "Le code est 42."
