"""Sentence-aware chunks of about 500 characters with a small overlap; Markdown sections kept apart."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? … (with closing quotes or brackets) followed by a space or the end, or at a
# line break. A full stop inside a token (t.me, README.md, 3.14) is part of the sentence.
_SENTENCE = re.compile(r"(?:[^.!?…\n]+|[.!?…]+(?![\s\"')\]»]|$))+(?:[.!?…]+[\"')\]»]*|\n+|$)\s*|[.!?…]+\s*")


_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


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


def sections(text: str) -> list[tuple[str, str]]:
    """(heading trail, body) per Markdown section; the trail is the headings above the body, one a line.

    Text before the first heading (or a text with none) has an empty trail.
    """
    found: list[tuple[str, str]] = []
    trail: list[tuple[int, str]] = []
    start = 0
    for match in _HEADING.finditer(text):
        found.append(("\n".join(line for _, line in trail), text[start : match.start()]))
        level = len(match.group(1))
        trail = [(lvl, line) for lvl, line in trail if lvl < level] + [(level, match.group(0).strip())]
        start = match.end()
    found.append(("\n".join(line for _, line in trail), text[start:]))
    return [(heading, body) for heading, body in found if body.strip()]


def chunk_text(text: str, policy: ChunkPolicy = ChunkPolicy()) -> list[str]:
    """Chunks of at most about `policy.size` characters that end on sentence boundaries.

    A Markdown heading starts a new chunk, and every chunk of its section starts with the headings
    above it, so a chunk deep in a section still says what it is about. Within a section, each chunk
    after the first starts with the last sentences of the previous one, up to `policy.overlap`
    characters, so a fact that straddles a boundary is still found whole.
    """
    chunks: list[str] = []
    for heading, body in sections(text):
        room = ChunkPolicy(max(policy.size - len(heading) - 1, policy.size // 2), policy.overlap)
        chunks += [f"{heading}\n{chunk}" if heading else chunk for chunk in _chunk_plain(body, room)]
    return chunks


def _chunk_plain(text: str, policy: ChunkPolicy) -> list[str]:
    """Sentence-aware chunks of text without headings (see chunk_text)."""
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
