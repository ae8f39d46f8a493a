"""Memory operations of one scope: teach, correct, forget, remember, search, ingest, status."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.embeddings import Embedder
from core.embeddings.pipeline import EmbeddingPipeline
from core.errors import (
    AlreadyForgotten,
    BadInput,
    DocumentAlreadyForgotten,
    LimitReached,
    UnknownDocument,
    UnknownMemory,
)
from core.ingestion.admission import admit
from core.ingestion.chunking import ChunkPolicy, split_sentences
from core.ingestion.parsers import ParseOptions, parse_file
from core.ingestion.scanned_pdf import ScanReading
from core.limits import MAX_MEMORIES_PER_SCOPE, MAX_TEXT_CHARS, MAX_UPLOAD_BYTES
from core.models import Document, IngestReport, Kind, Memory, NewMemory, SearchHit
from core.retrieval.hybrid import Retriever
from core.retrieval.modes import Mode
from core.store import ScopeStats, Store
from core.text import states, storable
from core.vector_index import VectorIndexes
from core.wording.context import embedding_text
from core.wording.forms import coverage

TEACHING_IMPORTANCE = 0.8
CORRECTION_IMPORTANCE = 0.95
CONVERSATION_IMPORTANCE = 0.55
"""The guide's scale for ordinary conversation (0.5–0.6): below taught facts, level with documents."""
LISTED_MATCHES = 100
"""`remember QUERY` lists at most this many matches."""
LISTED_SIMILARITY = 0.3
"""A memory found only by meaning matches `remember QUERY` from this cosine similarity up."""
Progress = Callable[[int, int], object]


@dataclass(frozen=True)
class MemoryLimits:
    """Limits that protect the machine and the user."""

    max_memories_per_scope: int = MAX_MEMORIES_PER_SCOPE
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_text_chars: int = MAX_TEXT_CHARS
    embed_batch: int = 64


@dataclass(frozen=True)
class MatchPolicy:
    """How a text finds the memories it speaks of: meaning (cosine) plus words (coverage).

    match = cosine(text, memory) + word_weight x share of the text's words in the memory. The threshold
    depends on the embedder (cosines of different models live on different scales).
    """

    thresholds: tuple[tuple[str, float], ...]
    default_threshold: float
    candidates: int
    word_weight: float = 0.25
    near_best: float = 0.05
    shown: int = 3
    unsure: float = 0.2
    """Below the threshold by less than this, a memory may be the one meant: "en fait…" asks before replacing it."""

    def threshold(self, embedder: str) -> float:
        """The match score a memory needs, for vectors of `embedder`."""
        return dict(self.thresholds).get(embedder, self.default_threshold)


CORRECTION_MATCH = MatchPolicy(
    (("use-multilingual-v3", 0.56), ("all-MiniLM-L6-v2", 0.72)), default_threshold=0.85, candidates=20
)
"""A correction's WRONG against stored memories: calibrated on the French set's reworded corrections
against every other stored fact (bench/french.py)."""
SUBJECT_MATCH = MatchPolicy(
    (("use-multilingual-v3", 0.66), ("all-MiniLM-L6-v2", 0.75)), default_threshold=0.9, candidates=10
)
"""A newer short memory against older ones on the same subject (a changed plan, a moved brother):
calibrated on bench/data/conversation's development half (bench/conversation.py): changed plans
above, different facts of the same person below."""


@dataclass
class CorrectionResult:
    """What /correct did: the stored correction, what it replaced, what it amends, and near misses."""

    correction: Memory
    superseded: list[Memory] = field(default_factory=list)
    linked: list[Memory] = field(default_factory=list)
    candidates: list[Memory] = field(default_factory=list)


@dataclass
class ScopeStatus:
    """What /status reports for one scope."""

    scope: str
    stats: ScopeStats
    index_bytes: int
    embedder: str


class MemoryService:
    """The memory of every scope; each call reads and writes exactly one scope."""

    def __init__(
        self,
        store: Store,
        indexes: VectorIndexes,
        embedder: Embedder,
        retriever: Retriever,
        *,
        limits: MemoryLimits = MemoryLimits(),
        chunking: ChunkPolicy = ChunkPolicy(),
        correction: MatchPolicy = CORRECTION_MATCH,
        subject: MatchPolicy = SUBJECT_MATCH,
        pipeline: EmbeddingPipeline | None = None,
    ) -> None:
        self._store = store
        self._indexes = indexes
        self._embedder = embedder
        self._retriever = retriever
        self.limits = limits
        self._chunking = chunking
        self._correction = correction
        self.subject = subject
        self._pipeline = pipeline or EmbeddingPipeline(embedder)

    def close(self) -> None:
        """Stop the embedding worker."""
        self._pipeline.close()

    @property
    def embedder_name(self) -> str:
        """The embedder's name (thresholds depend on it)."""
        return self._embedder.name

    @property
    def store(self) -> Store:
        """The underlying store (exports read it)."""
        return self._store

    async def _embed(self, texts: list[str]) -> np.ndarray:
        """Embed off the event loop, on the worker every upload shares (memory stays bounded)."""
        return await self._pipeline.embed(texts)

    def _check_text(self, text: str, empty_key: str) -> str:
        """A stripped, non-empty text within the length limit, without control characters."""
        text = storable(text).strip()
        if not text:
            raise BadInput(key=empty_key)
        if len(text) > self.limits.max_text_chars:
            raise BadInput(key="error.text_too_long", length=len(text), limit=self.limits.max_text_chars)
        return text

    async def _check_room(self, scope: str, adding: int) -> None:
        """Raise LimitReached if `scope` cannot take `adding` more memories."""
        if await self._store.memories.count_live(scope) + adding > self.limits.max_memories_per_scope:
            raise LimitReached(limit=self.limits.max_memories_per_scope)

    async def _write(
        self,
        scope: str,
        items: list[NewMemory],
        vectors: np.ndarray,
        document: tuple[str, str, int] | None = None,
    ) -> tuple[list[int], int | None]:
        """Store then index; the store is the truth, so a crash in between only costs a rebuild."""
        await self._indexes.prepare(scope)
        ids, document_id = await self._store.memories.add_memories(
            scope, items, vectors, self._embedder.name, document=document
        )
        await self._indexes.add(scope, ids, vectors)
        return ids, document_id

    async def add(self, scope: str, item: NewMemory) -> Memory:
        """Store one memory as given and return it with its id."""
        item.text = self._check_text(item.text, "error.empty_text")
        await self._check_room(scope, 1)
        vectors = await self._embed([embedding_text(item.text, item.metadata)])
        (memory_id,), _ = await self._write(scope, [item], vectors)
        return await self._store.memories.get_memory(scope, memory_id)

    async def teach(
        self,
        scope: str,
        text: str,
        *,
        author: str = "",
        importance: float = TEACHING_IMPORTANCE,
        tags: list[str] | None = None,
        source: str = "teach",
    ) -> Memory:
        """Remember a fact at teaching importance; returns it with its id."""
        if not 0.0 <= importance <= 1.0:
            raise BadInput(key="error.importance_range")
        text = self._check_text(text, "teach.empty")
        return await self.add(
            scope,
            NewMemory(
                text=text,
                kind=Kind.TEACHING,
                importance=importance,
                tags=tags or [],
                source=source,
                author=author,
            ),
        )

    async def correct(
        self, scope: str, wrong: str, right: str, *, author: str = "", target: int | None = None
    ) -> CorrectionResult:
        """Store RIGHT as a correction of the memories stating WRONG (or of memory `target` exactly).

        Short memories that state it are superseded; document chunks that contain it are linked, so
        the correction comes with them. When nothing matches, the closest memories come back as
        `candidates` so the user can name one by id.
        """
        right = self._check_text(right, "correct.usage")
        candidates: list[Memory] = []
        if target is not None:
            memory_id = await self._store.memories.id_of_number(scope, target)
            memory = await self._store.memories.get_memory(scope, memory_id) if memory_id is not None else None
            if memory is None or memory.superseded_by is not None:
                raise UnknownMemory(id=target)
            wrong = memory.text
            to_supersede, to_link = ([], [memory]) if memory.kind is Kind.DOCUMENT else ([memory], [])
        else:
            wrong = self._check_text(wrong, "correct.usage")
            hits = await self._retriever.search(scope, wrong, limit=self._correction.candidates)
            to_supersede, to_link, candidates = await self._stating(wrong, hits)
        correction = await self.add(
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
        policy = self._correction
        threshold = policy.threshold(self._embedder.name)
        short = [h.memory for h in hits if h.memory.kind is not Kind.DOCUMENT]
        chunks = [h.memory for h in hits if h.memory.kind is Kind.DOCUMENT]
        sentences = [(m.id, s) for m in chunks for s in split_sentences(m.text)]
        vectors = await self._embed([wrong] + [m.text for m in short] + [s for _, s in sentences])
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

    async def neighbours(
        self, scope: str, text: str, *, vector: np.ndarray | None = None, exclude: frozenset[int] = frozenset()
    ) -> list[tuple[Memory, float]]:
        """Live short memories of `scope` (no document chunks) by subject match with `text`, best first."""
        if vector is None:
            vector = (await self._embed([text]))[0]
        dense = await self._indexes.search(scope, vector, self.subject.candidates)
        cosine = {i: c for i, c in dense if i not in exclude}
        found = await self._store.memories.get_memories(scope, list(cosine))
        scored = [
            (m, float(cosine[m.id]) + self.subject.word_weight * coverage(text, m.text))
            for m in found
            if m.kind is not Kind.DOCUMENT and m.superseded_by is None
        ]
        return sorted(scored, key=lambda pair: -pair[1])

    def same_subject(self, scored: list[tuple[Memory, float]]) -> list[Memory]:
        """The memories of `scored` (from `neighbours`) that are about the same subject."""
        threshold = self.subject.threshold(self._embedder.name)
        return [m for m, score in scored if score >= threshold]

    async def remember_said(
        self, scope: str, text: str, *, author: str = "", metadata: dict | None = None
    ) -> tuple[Memory, list[Memory]]:
        """Store a statement from conversation; returns it and the older memories it updates (linked, kept live).

        The same text already stored live is not stored twice: that memory comes back, updating nothing.
        """
        text = self._check_text(text, "error.empty_text")
        await self._check_room(scope, 1)
        # The message was just the question of an answer: its query vector is still at hand.
        vector = np.asarray([await self._retriever.query_vector(text)], dtype=np.float32)
        scored = await self.neighbours(scope, text, vector=vector[0])
        for memory, _ in scored:
            if " ".join(memory.text.casefold().split()) == " ".join(text.casefold().split()):
                return memory, []
        item = NewMemory(
            text=text,
            kind=Kind.CONVERSATION,
            importance=CONVERSATION_IMPORTANCE,
            source="conversation",
            author=author,
            metadata=metadata or {},
        )
        (memory_id,), _ = await self._write(scope, [item], vector)
        older = self.same_subject(scored)
        if older:
            await self._store.links.link_updates([m.id for m in older], memory_id)
        return await self._store.memories.get_memory(scope, memory_id), older

    async def link_newer(self, scope: str, memory: Memory) -> list[Memory]:
        """Link `memory` (just taught) ahead of the older short memories on its subject; returns them."""
        vector = (await self._store.embeddings.vectors_of([memory.id]))[0]
        scored = await self.neighbours(scope, memory.text, vector=vector, exclude=frozenset({memory.id}))
        older = self.same_subject(scored)
        if older:
            await self._store.links.link_updates([m.id for m in older], memory.id)
        return older

    async def replace(self, scope: str, old: Memory, new: Memory) -> None:
        """Mark `old` as replaced by `new` (kept for audit, no longer retrieved; forgetting `new` restores it)."""
        await self._indexes.prepare(scope)
        await self._store.memories.supersede(scope, [old.id], new.id)
        await self._indexes.remove(scope, [old.id])

    async def forget(self, scope: str, memory_id: int) -> tuple[Memory, list[int]]:
        """Delete the memory of `scope` with row id `memory_id` everywhere; a forgotten correction restores what it replaced.

        Internal ids only: what users type goes through `forget_number`, whose errors name their number.
        """
        await self._indexes.prepare(scope)
        deleted = await self._store.memories.delete_memory(scope, memory_id)
        if deleted is None:
            raise UnknownMemory(id=memory_id)
        memory, restored = deleted
        if memory.superseded_by is None:
            await self._indexes.remove(scope, [memory_id])
        if restored:
            await self._indexes.add(scope, restored, await self._store.embeddings.vectors_of(restored))
        return memory, restored

    async def forget_number(self, scope: str, number: int) -> tuple[Memory, list[Memory]]:
        """Forget the memory users of `scope` call #`number`; returns it and the memories it restored.

        A number forgotten before, or by a simultaneous request (a double tap, two members of a
        group), is "already forgotten", named by the number the user typed.
        """
        memory_id = await self._store.memories.id_of_number(scope, number)
        if memory_id is None:
            issued, _ = await self._store.memories.numbers_issued(scope)
            raise AlreadyForgotten(id=number) if 0 < number <= issued else UnknownMemory(id=number)
        try:
            memory, restored = await self.forget(scope, memory_id)
        except UnknownMemory:  # deleted between the lookup and the delete
            raise AlreadyForgotten(id=number) from None
        return memory, await self._store.memories.get_memories(scope, restored)

    async def forget_document(self, scope: str, number: int) -> tuple[Document, int]:
        """Delete the document users of `scope` call `doc N` with all its chunks; returns it and the chunk count."""
        document = await self._store.documents.document_by_number(scope, number)
        if document is None:
            _, issued = await self._store.memories.numbers_issued(scope)
            raise DocumentAlreadyForgotten(id=number) if 0 < number <= issued else UnknownDocument(id=number)
        await self._indexes.prepare(scope)
        ids = await self._store.memories.delete_document(scope, document.id)
        if ids is None:  # deleted between the lookup and the delete
            raise DocumentAlreadyForgotten(id=number)
        await self._indexes.remove(scope, ids)
        await self._indexes.flush()
        return document, len(ids)

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

    async def ingest(
        self,
        scope: str,
        name: str,
        data: bytes,
        *,
        importance: float | None = None,
        author: str = "",
        progress: Progress | None = None,
        parse_as: str | None = None,
        scans: ScanReading | None = None,
    ) -> IngestReport:
        """Parse, chunk, embed and store a whole file, or nothing; a file already known is not stored twice.

        `parse_as` names the format when `name` is not a file name (the text read from a photo or a
        web page is stored under the photo's or the page's name, parsed as `.txt`). `scans` reads the
        pages of a PDF that have no text layer by OCR (None: such pages are left out).
        """
        name = admit(name, len(data), self.limits.max_upload_bytes, parse_as=parse_as)
        if importance is not None and not 0.0 <= importance <= 1.0:
            raise BadInput(key="error.importance_range")
        sha256 = await asyncio.to_thread(lambda: hashlib.sha256(data).hexdigest())
        known = await self._store.documents.find_document(scope, sha256)
        if known:
            return IngestReport(name, [], known.id, duplicate_of=known.id, document_number=known.number)
        options = ParseOptions(
            source=name, author=author, importance=importance, policy=self._chunking, scans=scans
        )
        items = await asyncio.to_thread(parse_file, parse_as or name, data, options)
        await self._check_room(scope, len(items))
        vectors = await self._embed_in_batches([m.text for m in items], progress)
        try:
            ids, document_id = await self._write(scope, items, vectors, (name, sha256, len(data)))
        except sqlite3.IntegrityError:
            known = await self._store.documents.find_document(scope, sha256)
            if known is None:
                raise
            return IngestReport(name, [], known.id, duplicate_of=known.id, document_number=known.number)
        await self._indexes.flush()
        stored = await self._store.documents.find_document(scope, sha256)
        return IngestReport(name, ids, document_id, document_number=stored.number if stored else None)

    async def _embed_in_batches(self, texts: list[str], progress: Progress | None) -> np.ndarray:
        """Embed `texts` batch by batch, longest first (less padding per batch), reporting progress."""
        order = await asyncio.to_thread(sorted, range(len(texts)), key=lambda i: -len(texts[i]))
        parts: list[np.ndarray] = []
        step = self.limits.embed_batch
        for start in range(0, len(order), step):
            parts.append(await self._embed([texts[i] for i in order[start : start + step]]))
            if progress:
                progress(min(start + step, len(texts)), len(texts))
        if not parts:
            return np.zeros((0, 0), dtype=np.float32)

        def in_input_order() -> np.ndarray:
            # In a worker: the first write to a fresh 50k x 384 array faults in ~80 MB of pages.
            vectors = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
            vectors[order] = np.concatenate(parts)
            return vectors

        return await asyncio.to_thread(in_input_order)

    async def status(self, scope: str) -> ScopeStatus:
        """Counts and sizes for /status."""
        return ScopeStatus(
            scope, await self._store.stats(scope), self._indexes.size_on_disk(scope), self._embedder.name
        )
