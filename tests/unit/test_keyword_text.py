"""The keyword text of French as typed on a phone, and English left to its own stemmer."""

from core.wording.forms import coverage, query_forms, stored_words


def _matches(question: str, memory: str) -> bool:
    """Whether a keyword search for `question` finds `memory` (any search form among the stored words)."""
    stored = set(stored_words(memory).split())
    return any(form in stored for form in query_forms(question))


def test_accents_are_optional_and_elisions_split():
    assert _matches("chaudiere", "L'entretien de la chaudière est fait en octobre.")
    assert _matches("l'immeuble", "Le digicode de l'immeuble est 4B729.")
    assert _matches("immeuble", "Le digicode de l'immeuble est 4B729.")
    assert _matches("qu'arrosera", "Thomas arrose le jardin.")


def test_plurals_inflections_and_doubled_letters_fold_together():
    assert _matches("arachide", "Je suis allergique aux arachides.")
    assert _matches("alergique", "Je suis allergique aux arachides."), "a letter typed once"
    assert _matches("aroser", "Il faut arroser le ficus une fois par semaine.")
    assert _matches("mariés", "Nous nous sommes mariées à Annecy.")
    assert not _matches("voiture", "Je suis allergique aux arachides.")


def test_function_words_match_nothing():
    assert "de" not in stored_words("Le code de la porte.").split()
    forms = query_forms("Quel est le code de la porte ?")
    assert {"code", "porte"} <= set(forms) and not {"quel", "est", "le", "de", "la"} & set(forms)


def test_english_text_keeps_its_plain_words_for_the_porter_stemmer():
    assert stored_words("The cells divide by mitosis.") == "the cells divide by mitosis"
    assert "cells" in query_forms("How do cells divide?")


def test_codes_and_times_match_whole_or_by_their_numbers():
    assert _matches("K7Q2LM", "Le numéro de réservation est K7Q2LM.")
    assert coverage("le train de 7h42", "Thomas prend le train de 7 h 42.") == 1.0
    assert coverage("", "anything") == 0.0


def test_the_c_stemmer_gives_the_stems_the_index_was_written_with():
    """A stemmer upgrade that changed a stem would strand the keyword rows written before it."""
    import re

    import snowballstemmer
    from snowballstemmer.french_stemmer import FrenchStemmer

    from bench.french_set import FRENCH_DATA

    sets = FRENCH_DATA.parent  # the French set and the held-out one
    text = " ".join(p.read_text(encoding="utf-8") for p in sets.rglob("*") if p.suffix in (".json", ".md")).lower()
    vocabulary = set(re.findall(r"[^\W\d_]+", text))
    used, reference = snowballstemmer.stemmer("french"), FrenchStemmer()
    assert type(used).__module__ == "Stemmer", "the C backend (PyStemmer) is installed and used"
    assert len(vocabulary) > 1500
    assert [w for w in sorted(vocabulary) if used.stemWord(w) != reference.stemWord(w)] == []
