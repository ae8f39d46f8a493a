"""Chunks stay near 500 characters, end on sentences, and overlap so straddling facts survive."""

import itertools

from core.ingestion.chunking import ChunkPolicy, chunk_text, split_sentences


def _text(n: int) -> str:
    return " ".join(f"Sentence {i} tells fact number {i} about the garden." for i in range(n))


def test_chunks_respect_size_and_end_on_sentences():
    chunks = chunk_text(_text(60))
    assert len(chunks) > 3
    assert all(len(c) <= 500 for c in chunks)
    assert all(c.endswith(".") for c in chunks)


def test_consecutive_chunks_overlap_by_a_sentence():
    chunks = chunk_text(_text(60), ChunkPolicy(size=300, overlap=80))
    for first, second in itertools.pairwise(chunks):
        last_sentence = split_sentences(first)[-1]
        assert second.startswith(last_sentence)


def test_every_sentence_is_kept():
    text = _text(40)
    joined = " ".join(chunk_text(text))
    for sentence in split_sentences(text):
        assert sentence in joined


def test_a_sentence_longer_than_a_chunk_is_cut_on_spaces():
    words = " ".join(["word"] * 400)
    chunks = chunk_text(words, ChunkPolicy(size=200, overlap=0))
    assert all(len(c) <= 200 for c in chunks)
    assert sum(c.count("word") for c in chunks) == 400


def test_short_text_is_one_chunk_and_empty_text_none():
    assert chunk_text("Only one fact.") == ["Only one fact."]
    assert chunk_text("   \n ") == []


def test_full_stops_inside_tokens_do_not_split_or_alter_the_text():
    text = "Write to @BotFather on https://t.me/BotFather. See README.md, version 3.14. Done!"
    assert split_sentences(text) == [
        "Write to @BotFather on https://t.me/BotFather.",
        "See README.md, version 3.14.",
        "Done!",
    ]
    assert chunk_text(text) == [text], "a chunk is the document's own text, not a re-spaced copy"


def test_a_markdown_heading_starts_a_chunk_and_travels_with_each_chunk_of_its_section():
    body = " ".join(f"Le devis numéro {i} concerne les combles." for i in range(30))
    text = f"# Maison\n\nNous avons acheté la maison en 2021. Elle date de 1962.\n\n## Travaux envisagés\n\n{body}"
    chunks = chunk_text(text)
    assert chunks[0] == "# Maison\nNous avons acheté la maison en 2021. Elle date de 1962."
    assert "Travaux" not in chunks[0], "the next heading is not glued to the previous section"
    assert len(chunks) > 2
    assert all(c.startswith("# Maison\n## Travaux envisagés\n") for c in chunks[1:])
    assert all(len(c) <= 500 for c in chunks)
    joined = " ".join(chunks)
    assert all(f"Le devis numéro {i} concerne" in joined for i in range(30))
    assert chunk_text("Pas de titre ici. Juste du texte.") == ["Pas de titre ici. Juste du texte."]
