"""Cutting a long text into messages that fit a platform's limit, on natural boundaries."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into pieces of at most `limit` characters, on paragraph, line, sentence or word boundaries."""
    text = text.strip()
    if not text:
        return []
    pieces: list[str] = []
    while len(text) > limit:
        cut = _best_cut(text, limit)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def _best_cut(text: str, limit: int) -> int:
    """The index where to cut `text` so the head fits in `limit`, preferring natural boundaries."""
    window = text[: limit + 1]
    floor = limit // 3
    for separator in ("\n\n", "\n"):
        at = window.rfind(separator, 0, limit)
        if at > floor:
            return at + len(separator)
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if floor < m.end() <= limit]
    if ends:
        return ends[-1]
    at = window.rfind(" ", 0, limit)
    if at > floor:
        return at + 1
    return limit


def up_to_last_paragraph(text: str) -> str:
    """The part of a growing text that ends at its last paragraph break (for calm mid-stream edits)."""
    at = text.rfind("\n\n")
    return text[:at] if at > 0 else ""
