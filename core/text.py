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


# C0 controls except tab, line feed and carriage return; DEL; lone UTF-16 surrogates (from JSON "\ud800").
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Everything a terminal could act on: C0 (tab and line feed kept), DEL, C1, and bidirectional overrides.
_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAME_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]+")
_MAX_NAME_CHARS = 120


def storable(text: str) -> str:
    """`text` without NUL and other control characters or lone surrogates (which no tokenizer or SQLite takes)."""
    return _UNSTORABLE.sub("", text)


def terminal_safe(text: str) -> str:
    """`text` with every control character a terminal could obey (escape sequences, \\r) made visible as `?`."""
    return _TERMINAL_UNSAFE.sub("?", text)


def one_line(text: str) -> str:
    """`text` fit for one terminal line: every control character, line breaks included, shown as `?`."""
    return _NAME_UNSAFE.sub("?", text)


def file_display_name(name: str) -> str:
    """A file name fit for a message and a `source`: last path part only, controls blanked, length bounded."""
    last = re.split(r"[/\\]", name.strip())[-1] if name.strip() else ""
    flat = _NAME_UNSAFE.sub(" ", last).strip() or "file"
    return flat if len(flat) <= _MAX_NAME_CHARS else flat[: _MAX_NAME_CHARS - 1] + "…"
