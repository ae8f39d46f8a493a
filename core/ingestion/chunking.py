"""Sentence-aware chunks of about 500 characters with a small overlap."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? … (with closing quotes or brackets) followed by a space or the end, or at a
# line break. A full stop inside a token (t.me, README.md, 3.14) is part of the sentence.
_SENTENCE = re.compile(r"(?:[^.!?…\n]+|[.!?…]+(?![\s\"')\]»]|$))+(?:[.!?…]+[\"')\]»]*|\n+|$)\s*|[.!?…]+\s*")


@dataclass(frozen=True)
class ChunkPolicy:
    """How long chunks are and how much consecutive chunks share."""

    size: int = 500
    overlap: int = 100


def split_sentences(text: str) -> list[str]:
    """Sentences (or lines) of `text`, whitespace-trimmed, empty ones dropped."""
    # finditer, not findall: one match per call lets other threads (the event loop) run on huge texts.
    return [s for s in (m.group().strip() for m in _SENTENCE.finditer(text)) if s]


def _split_long(sentence: str, size: int) -> list[str]:
    """Cut a sentence longer than `size` on spaces (or hard, for unbroken text)."""
    pieces: list[str] = []
    while len(sentence) > size:
        cut = sentence.rfind(" ", 0, size)
        cut = cut if cut > size // 2 else size
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    if sentence:
        pieces.append(sentence)
    return pieces


def chunk_text(text: str, policy: ChunkPolicy = ChunkPolicy()) -> list[str]:
    """Chunks of at most about `policy.size` characters that end on sentence boundaries.

    Each chunk after the first starts with the last sentences of the previous one, up to
    `policy.overlap` characters, so a fact that straddles a boundary is still found whole.
    """
    sentences = [piece for s in split_sentences(text) for piece in _split_long(s, policy.size)]
    chunks: list[str] = []
    current: list[str] = []
    length = 0
    fresh = 0
    for sentence in sentences:
        if current and length + 1 + len(sentence) > policy.size and fresh:
            chunks.append(" ".join(current))
            carried: list[str] = []
            carried_len = 0
            for previous in reversed(current):
                if carried_len + len(previous) + 1 > policy.overlap:
                    break
                carried.insert(0, previous)
                carried_len += len(previous) + 1
            current, length, fresh = carried, carried_len, 0
        current.append(sentence)
        length += len(sentence) + 1
        fresh += 1
    if current and fresh:
        chunks.append(" ".join(current))
    return chunks
