"""What a memory is also found by, beyond its own text: a chunk's document title, a correction's WRONG words.

Users ask about a corrected fact in the words they first used (`le véto du chat`), so a correction
answers those words too: in the keyword index (its context column) and in its dense vector.
"""

from __future__ import annotations


def keyword_context(metadata: dict[str, object]) -> str:
    """The keyword index's context column: a chunk's document title, or the WRONG text a correction replaced."""
    return str(metadata.get("title") or metadata.get("wrong") or "")


def embedding_text(text: str, metadata: dict[str, object]) -> str:
    """What the embedder reads for a memory: its text, then the WRONG words of a correction.

    The WRONG words let a correction answer the words first used (bench/french.py; figures in
    docs/memory.md).
    A chunk's title is already in its text (headings travel with chunks), so it is not repeated; and
    a correction that named its target (`correct #N | RIGHT`) keeps RIGHT alone, as its WRONG is that
    memory's whole text, not words the user typed.
    """
    wrong = metadata.get("wrong")
    return f"{text}\n{wrong}" if wrong and metadata.get("typed", True) else text
