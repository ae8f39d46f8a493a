"""Hybrid retrieval: dense (FAISS) and keyword (FTS5) candidates of ONE scope, fused and weighed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import numpy as np

from core.embeddings import Embedder
from core.embeddings.query_batcher import QueryBatcher
from core.models import Kind, SearchHit
from core.retrieval.keywords import rank_keyword_hits
from core.retrieval.modes import MODES, Mode
from core.store.store import Store
from core.vector_index import VectorIndexes
from core.wording.forms import coverage
from core.wording.marks import keyword_match


@dataclass(frozen=True)
class RetrievalConfig:
    """Fusion parameters (tuned on SciFact's train queries, see bench/retrieval.py).

    Importance scales a fused score by at most ±2.5% (weight 0.1 over 0.5 ± 0.5): it breaks ties and
    lifts critical facts, but a memory more than 5% more relevant is never ranked below a more
    important one (a weight of 0.5 let a taught fact push the answering document chunk out of the
    top 3: bench/french.py, deep-document questions).
    """

    candidates: int = 100
    rrf_k: float = 5.0
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    importance_weight: float = 0.1
    near_repeat: float = 0.6


def config_for(embedder: str) -> RetrievalConfig:
    """The fusion measured best with `embedder`'s vectors (bench/french.py, bench/retrieval.py).

    The multilingual encoder's dense list already finds paraphrases and cross-language questions
    that share no word with the memory: at equal weight the keyword list pushed them out (French
    paraphrases top-3 0.56 at weight 1.0, 0.76 at 0.5, 0.84 at 0.3; deep-document questions 0.83 at 0.3).
    """
    if embedder == "use-multilingual-v3":
        return RetrievalConfig(keyword_weight=0.3)
    return RetrievalConfig()


def reciprocal_rank_fusion(rankings: list[tuple[list[int], float]], k: float) -> dict[int, float]:
    """Fuse ranked id lists: each contributes weight / (k + rank), rank starting at 1."""
    fused: dict[int, float] = {}
    for ids, weight in rankings:
        for rank, memory_id in enumerate(ids, start=1):
            fused[memory_id] = fused.get(memory_id, 0.0) + weight / (k + rank)
    return fused


def importance_factor(importance: float, weight: float) -> float:
    """How much importance scales a score: 1 at the ordinary 0.5, up to 1 + weight/2 at 1.0."""
    return 1.0 + weight * (importance - 0.5)


async def _nothing() -> list[tuple[int, float]]:
    """No candidates (a mode that skips one of the searches)."""
    return []


class Retriever:
    """Finds the memories of a scope that best match a query; never looks outside that scope."""

    def __init__(
        self,
        store: Store,
        indexes: VectorIndexes,
        embedder: Embedder,
        config: RetrievalConfig = RetrievalConfig(),
    ) -> None:
        self._memories = store.memories
        self._keywords = store.keywords
        self._links = store.links
        self._indexes = indexes
        self._queries = QueryBatcher(embedder)
        self.config = config

    async def query_vector(self, text: str) -> np.ndarray:
        """The vector of `text` as a query (kept a while: a statement just asked about is not embedded twice)."""
        return await self._queries.embed(text)

    async def _dense(self, scope: str, query: str, depth: int) -> list[tuple[int, float]]:
        """FAISS candidates of `scope`: (id, cosine) best first."""
        return await self._indexes.search(scope, await self._queries.embed(query), depth)

    async def search(
        self, scope: str, query: str, *, limit: int = 10, mode: Mode = "hybrid"
    ) -> list[SearchHit]:
        """The best `limit` live memories of `scope` for `query`, each with the corrections that amend it."""
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}")
        depth = max(self.config.candidates, limit)
        # Dense (query encoding, FAISS) and keyword (FTS5) searches run at the same time, in workers.
        dense, keyword_hits = await asyncio.gather(
            self._dense(scope, query, depth) if mode in ("hybrid", "dense") else _nothing(),
            self._keywords.search(scope, keyword_match(scope, query), depth)
            if mode in ("hybrid", "keyword")
            else _nothing(),
        )
        # One light read for every candidate; it is also the scope guard: ids of another scope are dropped.
        importance = await self._memories.live_importance(
            scope, dict.fromkeys([i for i, _ in dense] + [hit.id for hit in keyword_hits])
        )
        keyword = rank_keyword_hits(query, [hit for hit in keyword_hits if hit.id in importance])
        dense_score = dict(dense)
        dense_rank = {memory_id: rank for rank, (memory_id, _) in enumerate(dense, start=1)}
        keyword_rank = {memory_id: rank for rank, (memory_id, _) in enumerate(keyword, start=1)}
        if mode == "hybrid":
            scores = reciprocal_rank_fusion(
                [
                    ([i for i, _ in dense], self.config.dense_weight),
                    ([i for i, _ in keyword], self.config.keyword_weight),
                ],
                self.config.rrf_k,
            )
        else:
            scores = dict(dense or keyword)
        ranked = sorted(
            (
                (score * importance_factor(importance[i], self.config.importance_weight), i)
                for i, score in scores.items()
                if i in importance
            ),
            reverse=True,
        )[:limit]
        memories = {m.id: m for m in await self._memories.get_memories(scope, [i for _, i in ranked])}
        # A memory deleted or corrected between the two reads is left out.
        ranked = [(score, i) for score, i in ranked if i in memories and memories[i].superseded_by is None]
        corrections = await self._links.corrections_for(scope, [i for _, i in ranked])
        updates = await self._links.updates_for(scope, [i for _, i in ranked])
        hits = [
            SearchHit(
                memory=memories[i],
                score=score,
                dense_score=dense_score.get(i),
                dense_rank=dense_rank.get(i),
                keyword_rank=keyword_rank.get(i),
                corrected_by=corrections.get(i, []),
                updated_by=updates.get(i, []),
            )
            for score, i in ranked
        ]
        return newer_first(corrections_first(hits, self.config.near_repeat))[:limit]


def newer_first(hits: list[SearchHit]) -> list[SearchHit]:
    """`hits` with each newer statement on a subject placed just ahead of the older ones it updates.

    A newer statement the search did not find comes along anyway (the older one alone would state
    an outdated plan); one found lower moves up. Nothing else changes order.
    """
    if not any(h.updated_by for h in hits):
        return hits
    found = {h.memory.id: h for h in hits}
    ordered: list[SearchHit] = []
    placed: set[int] = set()
    for hit in hits:
        if hit.memory.id in placed:
            continue
        for newer in hit.updated_by:
            if newer.id not in placed:
                ordered.append(found.get(newer.id) or SearchHit(memory=newer, score=hit.score))
                placed.add(newer.id)
        ordered.append(hit)
        placed.add(hit.memory.id)
    return ordered


def corrections_first(hits: list[SearchHit], near_repeat: float) -> list[SearchHit]:
    """`hits` with every correction moved ahead of the memories it amends or nearly repeats.

    A linked correction (a document chunk that states the corrected claim) comes right before the
    chunk even when the search did not find it; a correction found by the search moves up to just
    before the first live memory that shares most of its words (a fact the correction did not
    replace, such as the same claim taught twice).
    """
    ordered: list[SearchHit] = []
    placed: set[int] = set()
    found = {h.memory.id: h for h in hits}
    for hit in hits:
        if hit.memory.id in placed:
            continue
        ahead = [found.get(c.id) or SearchHit(memory=c, score=hit.score) for c in hit.corrected_by]
        if hit.memory.kind is not Kind.CORRECTION:
            ahead += [
                h
                for h in hits
                if h.memory.kind is Kind.CORRECTION
                and h.memory.id not in placed
                and coverage(h.memory.text, hit.memory.text) >= near_repeat
            ]
        for correction in ahead:
            if correction.memory.id not in placed:
                ordered.append(correction)
                placed.add(correction.memory.id)
        ordered.append(hit)
        placed.add(hit.memory.id)
    return ordered
