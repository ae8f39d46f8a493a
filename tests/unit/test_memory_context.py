"""What a memory is also found by: a correction's WRONG words, a chunk's title."""

from core.wording.context import embedding_text, keyword_context


def test_a_typed_correction_is_embedded_with_the_words_it_replaced():
    assert embedding_text("Le véto est le Dr Leroux.", {"wrong": "le véto c'est Roux", "typed": True}) == (
        "Le véto est le Dr Leroux.\nle véto c'est Roux"
    )


def test_a_correction_that_named_its_target_is_embedded_alone():
    chunk = "# Hôtel\nLes chambres sont disponibles à partir de 15 h."
    assert embedding_text("Dès 14 h.", {"wrong": chunk, "typed": False}) == "Dès 14 h."


def test_other_memories_are_embedded_as_they_are():
    assert embedding_text("Clause 9.", {"title": "Bail"}) == "Clause 9."
    assert embedding_text("Un fait.", {}) == "Un fait."


def test_the_keyword_context_is_the_title_or_the_wrong_words():
    assert keyword_context({"title": "Bail"}) == "Bail"
    assert keyword_context({"wrong": "on Monday"}) == "on Monday"
    assert keyword_context({}) == ""
