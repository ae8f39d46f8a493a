"""Reading one scope's memory: the pages of /remember, searches, and the figures of /status."""

from __future__ import annotations

from dataclasses import dataclass

from core.embeddings import Embedder
from core.models import Memory, SearchHit
from core.retrieval.hybrid import Retriever
from core.retrieval.modes import Mode
from core.store import ScopeStats, Store
from core.vector_index import VectorIndexes

LISTED_MATCHES = 100
"""`remember QUERY` lists at most this many matches."""
LISTED_SIMILARITY = 0.3
"""A memory found only by meaning matches `remember QUERY` from this cosine similarity up."""


@dataclass
class ScopeStatus:
    """What /status reports for one scope."""

    scope: str
    stats: ScopeStats
    index_bytes: int
    embedder: str


class MemoryReader:
    """Lists, searches and counts the live memories of a scope; changes nothing."""

    def __init__(self, store: Store, indexes: VectorIndexes, retriever: Retriever, embedder: Embedder) -> None:
        self._store = store
        self._indexes = indexes
        self._retriever = retriever
        self._embedder = embedder

    async def remember(
        self, scope: str, query: str | None = None, *, offset: int = 0, limit: int = 20
    ) -> tuple[list[Memory], int]:
        """A page of the live memories of `scope` (newest first, or best match for `query`) and the total.

        With a query the total counts the memories that match it (by keyword, or by meaning above
        LISTED_SIMILARITY), up to LISTED_MATCHES, so "of N" and the next-page hint are true.
        """
        if query and query.strip():
            hits = await self._retriever.search(scope, query, limit=LISTED_MATCHES)
            matches = [
                h.memory
                for h in hits
                if h.keyword_rank is not None or (h.dense_score or 0.0) >= LISTED_SIMILARITY
            ]
            return matches[offset : offset + limit], len(matches)
        total = await self._store.memories.count_live(scope)
        return await self._store.memories.list_memories(scope, offset=offset, limit=limit), total

    async def search(
        self, scope: str, query: str, *, limit: int = 10, mode: Mode = "hybrid"
    ) -> list[SearchHit]:
        """Retrieval for `query` within `scope`."""
        if not query.strip():
            return []
        return await self._retriever.search(scope, query, limit=limit, mode=mode)

    async def status(self, scope: str) -> ScopeStatus:
        """Counts and sizes for /status."""
        return ScopeStatus(
            scope, await self._store.stats(scope), self._indexes.size_on_disk(scope), self._embedder.name
        )
