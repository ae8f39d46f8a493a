"""Keyword search logic: what the index stores, how a question becomes an FTS5 query, how hits rank.

The store calls `keyword_text` for every row it writes to the keyword index and runs the MATCH
expression `keyword_query` builds: this pair is the one seam where text normalisation lives.
"""

from __future__ import annotations

import re

from core.models import KeywordHit

_WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "do", "does", "did", "for", "from", "had",
        "has", "have", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "so", "that", "the",
        "their", "them", "there", "these", "they", "this", "to", "was", "we", "were", "what", "when", "where",
        "which", "who", "why", "will", "with", "you", "your", "au", "aux", "avec", "ce", "ces", "dans", "de",
        "des", "du", "elle", "en", "est", "et", "eu", "il", "ils", "je", "la", "le", "les", "leur", "lui", "ma",
        "mais", "me", "mes", "moi", "mon", "ne", "nos", "notre", "nous", "on", "ou", "où", "par", "pas", "pour",
        "qu", "que", "qui", "sa", "se", "ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une",
        "vos", "votre", "vous", "quel", "quelle", "quels", "quelles", "quand", "comment", "est-ce",
    ]
)


def keyword_text(text: str) -> str:
    """The text as the keyword index stores it (the index's tokenizer does the rest)."""
    return text


def query_terms(text: str) -> list[str]:
    """The distinct lower-cased words of `text` that carry meaning (French and English stopwords dropped)."""
    words = dict.fromkeys(word.lower() for word in _WORD.findall(keyword_text(text)))
    meaningful = [w for w in words if w not in STOPWORDS and len(w) > 1]
    return meaningful or [w for w in words if len(w) > 1] or list(words)


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
