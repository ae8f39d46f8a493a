"""Text folded for matching phrasings: lower case, no accents, one apostrophe, same length as the original."""

from __future__ import annotations

import unicodedata

_APOSTROPHES = {"’": "'", "‘": "'", "`": "'", "ʼ": "'", "´": "'"}


def fold_char(c: str) -> str:
    """One character, lower case and without its accent (always exactly one character)."""
    c = _APOSTROPHES.get(c, c)
    base = "".join(d for d in unicodedata.normalize("NFD", c) if not unicodedata.combining(d)) or c
    return base.lower()[:1] or c


def fold(text: str) -> str:
    """`text` folded character by character: a match at [i:j] in the result is text[i:j] in the original."""
    return "".join(fold_char(c) for c in text)
