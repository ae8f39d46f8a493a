"""Keyword search logic: what the index stores, how a question becomes an FTS5 query, how hits rank.

The store calls `indexed_text` for every row it writes to the keyword index and runs the MATCH
expression `keyword_match` builds: this pair is the one seam where text normalisation lives.

Every indexed word carries its scope's mark (`bkqzrtwd` + `clause`), so each word's posting list
holds one scope's memories only: a search reads nothing of other scopes, and BM25 counts a word's
frequency within the scope. A mark is consonants only, which leaves the index's Porter stemmer
measuring the word as before. (A separate scope token ANDed into every query cost 40% of the
keyword search at 100k memories: bench/latency.py.)
"""

from __future__ import annotations

import hashlib
from collections import Counter
from functools import lru_cache

from core.models import KeywordHit
from core.retrieval.keyword_text import index_text, query_forms


def keyword_text(text: str) -> str:
    """The text as the keyword index stores it: French stems or plain English words (core.retrieval.keyword_text)."""
    return index_text(text)


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


def marked(scope: str, text: str) -> str:
    """`text`'s words (keyword text, space-separated) each behind `scope`'s mark."""
    mark = scope_mark(scope)
    return " ".join(mark + word for word in text.split())


def indexed_text(scope: str, text: str) -> str:
    """What the keyword index stores for `text` of `scope`: its keyword text, every word marked."""
    return marked(scope, keyword_text(text))


def query_terms(text: str) -> list[str]:
    """The search forms of the meaningful words of `text`: as typed and as French stems."""
    return query_forms(text)


def keyword_match(scope: str, text: str) -> str:
    """An FTS5 expression matching `scope`'s memories with any meaningful word of `text`; '' if none.

    Each word is quoted (no query syntax leaks in) and marked like the index's words.
    """
    mark = scope_mark(scope)
    return " OR ".join(f'"{mark}{word}"' for word in query_terms(text))


def rank_keyword_hits(query: str, hits: list[KeywordHit]) -> list[tuple[int, float]]:
    """(id, score) best first: BM25, ties broken by how many of the query's words each memory contains.

    BM25's IDF is degenerate in a small scope (every score near zero), hence the tie-break. Each
    hit carries its indexed text (marked words), so counting a query word is a substring test, and
    only hits sharing their score with another are counted.
    """
    terms = query_terms(query)
    scores = [round(hit.score, 6) for hit in hits]
    shared = {score for score, count in Counter(scores).items() if count > 1}

    def words_found(hit: KeywordHit, score: float) -> int:
        return sum(term in hit.text for term in terms) if score in shared else 0

    ranked = sorted(zip(hits, scores, strict=True), key=lambda pair: (-pair[1], -words_found(*pair)))
    return [(hit.id, hit.score) for hit, _ in ranked]
