"""Scope marks: every indexed word carries its scope's mark, and a question's MATCH expression asks for it.

The store calls `index_entry` for every row it writes to the keyword index; retrieval runs the
MATCH expression `keyword_match` builds. Every indexed word carries its scope's mark (`bkqzrtwd` +
`clause`), so each word's posting list holds one scope's memories only: a search reads nothing of
other scopes, and BM25 counts a word's frequency within the scope. A mark is consonants only, which
leaves the index's Porter stemmer measuring the word as before.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from core.wording.forms import query_forms, stored_words

MARK_LETTERS = "bcdfghjklmnpqrstvwxz"
MARK_LENGTH = 8


@lru_cache(maxsize=4096)  # computed for every row a batch writes: once per scope is enough
def scope_mark(scope: str) -> str:
    """Eight consonants drawn from a hash of `scope` (20**8 marks: two scopes sharing one is negligible).

    A shared mark could only add candidates: the store reads rows back by scope and drops others.
    """
    digest = int.from_bytes(hashlib.sha256(scope.encode("utf-8")).digest()[:8], "big")
    letters = []
    for _ in range(MARK_LENGTH):
        digest, index = divmod(digest, len(MARK_LETTERS))
        letters.append(MARK_LETTERS[index])
    return "".join(letters)


def mark_words(scope: str, text: str) -> str:
    """`text`'s words (keyword text, space-separated) each behind `scope`'s mark."""
    mark = scope_mark(scope)
    return " ".join(mark + word for word in text.split())


def index_entry(scope: str, text: str) -> str:
    """What the keyword index stores for `text` of `scope`: its keyword text, every word marked."""
    return mark_words(scope, stored_words(text))


def query_terms(text: str) -> list[str]:
    """The search forms of the meaningful words of `text`: as typed and as French stems."""
    return query_forms(text)


def keyword_match(scope: str, text: str) -> str:
    """An FTS5 expression matching `scope`'s memories with any meaningful word of `text`; '' if none.

    Each word is quoted (no query syntax leaks in) and marked like the index's words.
    """
    mark = scope_mark(scope)
    return " OR ".join(f'"{mark}{word}"' for word in query_terms(text))
