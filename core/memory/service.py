"""The memory of every scope, assembled from its parts; each call of a part reads and writes exactly one scope."""

from __future__ import annotations

from dataclasses import dataclass

from core.embeddings import Embedder
from core.embeddings.pipeline import EmbeddingPipeline
from core.ingestion.chunking import ChunkPolicy
from core.memory.corrections import Corrections
from core.memory.documents import Documents
from core.memory.forgetting import Forgetting
from core.memory.reading import MemoryReader
from core.memory.subjects import CORRECTION_MATCH, SUBJECT_MATCH, MatchPolicy, SubjectMatcher
from core.memory.teaching import Teaching
from core.memory.writer import MemoryLimits, MemoryWriter
from core.retrieval.hybrid import Retriever
from core.store import Store
from core.vector_index import VectorIndexes


@dataclass(frozen=True)
class MemoryService:
    """One part per purpose: `teaching.teach`, `corrections.correct`, `forgetting.forget_number`,
    `reading.search`, `documents.ingest`; `subjects` finds memories on the same subject."""

    store: Store
    writer: MemoryWriter
    subjects: SubjectMatcher
    teaching: Teaching
    corrections: Corrections
    forgetting: Forgetting
    reading: MemoryReader
    documents: Documents

    @classmethod
    def assemble(
        cls,
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
    ) -> MemoryService:
        """Every part over the same store, indexes and embedding worker."""
        writer = MemoryWriter(store, indexes, embedder, limits=limits, pipeline=pipeline)
        subjects = SubjectMatcher(store, indexes, writer, subject)
        return cls(
            store=store,
            writer=writer,
            subjects=subjects,
            teaching=Teaching(store, writer, retriever, subjects),
            corrections=Corrections(store, indexes, writer, retriever, correction),
            forgetting=Forgetting(store, indexes),
            reading=MemoryReader(store, indexes, retriever, embedder),
            documents=Documents(store, indexes, writer, chunking),
        )

    @property
    def limits(self) -> MemoryLimits:
        """The limits every write is checked against."""
        return self.writer.limits

    def close(self) -> None:
        """Stop the embedding worker."""
        self.writer.close()
