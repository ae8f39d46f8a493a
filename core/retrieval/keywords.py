"""Keyword ranking: how the hits of a question's MATCH expression (core.wording.marks) are ordered."""

from __future__ import annotations

from collections import Counter

from core.models import KeywordHit
from core.wording.marks import query_terms


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
