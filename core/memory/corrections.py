"""Corrections: RIGHT stored over the memories stating WRONG (superseded) and the documents containing it (linked)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import UnknownMemory
from core.ingestion.chunking import split_sentences
from core.memory.subjects import CORRECTION_MATCH, MatchPolicy
from core.memory.writer import MemoryWriter
from core.models import Kind, Memory, NewMemory, SearchHit
from core.retrieval.hybrid import Retriever
from core.store import Store
from core.text import states
from core.vector_index import VectorIndexes
from core.wording.forms import coverage

CORRECTION_IMPORTANCE = 0.95


@dataclass
class CorrectionResult:
    """What /correct did: the stored correction, what it replaced, what it amends, and near misses."""

    correction: Memory
    superseded: list[Memory] = field(default_factory=list)
    linked: list[Memory] = field(default_factory=list)
    candidates: list[Memory] = field(default_factory=list)


class Corrections:
    """Stores corrections and marks what they replace (kept for audit, no longer retrieved)."""

    def __init__(
        self,
        store: Store,
        indexes: VectorIndexes,
        writer: MemoryWriter,
        retriever: Retriever,
        policy: MatchPolicy = CORRECTION_MATCH,
    ) -> None:
        self._store = store
        self._indexes = indexes
        self._writer = writer
        self._retriever = retriever
        self._policy = policy

    async def correct(
        self, scope: str, wrong: str, right: str, *, author: str = "", target: int | None = None
    ) -> CorrectionResult:
        """Store RIGHT as a correction of the memories stating WRONG (or of memory `target` exactly).

        Short memories that state it are superseded; document chunks that contain it are linked, so
        the correction comes with them. When nothing matches, the closest memories come back as
        `candidates` so the user can name one by id.
        """
        right = self._writer.check_text(right, "correct.usage")
        candidates: list[Memory] = []
        if target is not None:
            memory_id = await self._store.memories.id_of_number(scope, target)
            memory = await self._store.memories.get_memory(scope, memory_id) if memory_id is not None else None
            if memory is None or memory.superseded_by is not None:
                raise UnknownMemory(id=target)
            wrong = memory.text
            to_supersede, to_link = ([], [memory]) if memory.kind is Kind.DOCUMENT else ([memory], [])
        else:
            wrong = self._writer.check_text(wrong, "correct.usage")
            hits = await self._retriever.search(scope, wrong, limit=self._policy.candidates)
            to_supersede, to_link, candidates = await self._stating(wrong, hits)
        correction = await self._writer.add(
            scope,
            NewMemory(
                text=right,
                kind=Kind.CORRECTION,
                importance=CORRECTION_IMPORTANCE,
                source="correct",
                author=author,
                # `typed`: WRONG is the user's own words (not a targeted memory's text): the vector reads them.
                metadata={"wrong": wrong, "typed": target is None},
            ),
        )
        if to_supersede:
            await self._store.memories.supersede(scope, [m.id for m in to_supersede], correction.id)
            await self._indexes.remove(scope, [m.id for m in to_supersede])
        if to_link:
            await self._store.links.link_corrections([m.id for m in to_link], correction.id)
        return CorrectionResult(correction, to_supersede, to_link, candidates)

    async def _stating(
        self, wrong: str, hits: list[SearchHit]
    ) -> tuple[list[Memory], list[Memory], list[Memory]]:
        """Memories stating WRONG (to supersede), chunks containing it (to link), and the closest others."""
        policy = self._policy
        threshold = policy.threshold(self._writer.embedder_name)
        short = [h.memory for h in hits if h.memory.kind is not Kind.DOCUMENT]
        chunks = [h.memory for h in hits if h.memory.kind is Kind.DOCUMENT]
        sentences = [(m.id, s) for m in chunks for s in split_sentences(m.text)]
        vectors = await self._writer.embed([wrong] + [m.text for m in short] + [s for _, s in sentences])
        claim, rest = vectors[0], vectors[1:]

        def match(similarity: float, text: str) -> float:
            return float(similarity) + policy.word_weight * coverage(wrong, text)

        short_match = [match(sim, m.text) for m, sim in zip(short, rest[: len(short)] @ claim, strict=True)]
        best = max(short_match, default=0.0)
        supersede = [
            m
            for m, score in zip(short, short_match, strict=True)
            if states(m.text, wrong) or states(wrong, m.text) or (score >= threshold and score >= best - policy.near_best)
        ]
        chunk_match: dict[int, float] = {}
        for (memory_id, sentence), sim in zip(sentences, rest[len(short) :] @ claim, strict=True):
            chunk_match[memory_id] = max(chunk_match.get(memory_id, 0.0), match(sim, sentence))
        link = [m for m in chunks if states(m.text, wrong) or chunk_match.get(m.id, 0.0) >= threshold]
        closest: list[Memory] = []
        if not supersede and not link:
            scored = [*zip(short_match, short, strict=True), *((chunk_match.get(m.id, 0.0), m) for m in chunks)]
            closest = [m for _, m in sorted(scored, key=lambda pair: -pair[0])[: policy.shown]]
        return supersede, link, closest

    async def replace(self, scope: str, old: Memory, new: Memory) -> None:
        """Mark `old` as replaced by `new` (kept for audit, no longer retrieved; forgetting `new` restores it)."""
        await self._indexes.prepare(scope)
        await self._store.memories.supersede(scope, [old.id], new.id)
        await self._indexes.remove(scope, [old.id])
