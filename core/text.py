"""Small text helpers shared by the core."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower case, accents removed, punctuation collapsed to single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped).strip()


def states(text: str, claim: str) -> bool:
    """Whether `text` contains `claim` word for word (ignoring case, accents and punctuation)."""
    needle = normalise(claim)
    return bool(needle) and f" {needle} " in f" {normalise(text)} "


def shorten(text: str, limit: int = 80) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
