"""Keyword search logic: what the index stores, how a question becomes an FTS5 query, how hits rank.

The store calls `keyword_text` for every row it writes to the keyword index and runs the MATCH
expression `keyword_query` builds: this pair is the one seam where text normalisation lives.
"""

from __future__ import annotations

from core.models import KeywordHit
from core.retrieval.keyword_text import index_text, query_forms


def keyword_text(text: str) -> str:
    """The text as the keyword index stores it: French stems or plain English words (core.retrieval.keyword_text)."""
    return index_text(text)


def keyword_context(metadata: dict[str, object]) -> str:
    """What a memory is also found by: a chunk's document title, or the WRONG text a correction replaced.

    Users ask about a corrected fact in the words they first used (`le véto du chat`), so the
    correction answers those words too.
    """
    return str(metadata.get("title") or metadata.get("wrong") or "")


def query_terms(text: str) -> list[str]:
    """The search forms of the meaningful words of `text`: as typed and as French stems."""
    return query_forms(text)


def keyword_query(text: str) -> str:
    """An FTS5 expression matching any meaningful word of `text` (each quoted: no syntax leaks in); '' if none."""
    return " OR ".join(f'"{word}"' for word in query_terms(text))


def rank_keyword_hits(query: str, hits: list[KeywordHit]) -> list[tuple[int, float]]:
    """(id, score) best first: BM25, ties broken by how many of the query's words each memory contains.

    BM25's IDF is degenerate in a small scope (every score near zero), hence the tie-break.
    """
    terms = query_terms(query)

    def words_found(hit: KeywordHit) -> int:
        text = keyword_text(hit.text).lower()
        return sum(term in text for term in terms)

    ranked = sorted(hits, key=lambda hit: (-round(hit.score, 6), -words_found(hit)))
    return [(hit.id, hit.score) for hit in ranked]
