"""Writes to one scope's memory: checks the text and the room left, embeds off the loop, stores then indexes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.embeddings import Embedder
from core.embeddings.pipeline import EmbeddingPipeline
from core.errors import BadInput, LimitReached
from core.limits import MAX_MEMORIES_PER_SCOPE, MAX_TEXT_CHARS, MAX_UPLOAD_BYTES
from core.models import Memory, NewMemory
from core.store import Store
from core.text import storable
from core.vector_index import VectorIndexes
from core.wording.context import embedding_text


@dataclass(frozen=True)
class MemoryLimits:
    """Limits that protect the machine and the user."""

    max_memories_per_scope: int = MAX_MEMORIES_PER_SCOPE
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_text_chars: int = MAX_TEXT_CHARS
    embed_batch: int = 64


class MemoryWriter:
    """The one way memories enter a scope: checked, embedded on the shared worker, stored, then indexed."""

    def __init__(
        self,
        store: Store,
        indexes: VectorIndexes,
        embedder: Embedder,
        *,
        limits: MemoryLimits = MemoryLimits(),
        pipeline: EmbeddingPipeline | None = None,
    ) -> None:
        self._store = store
        self._indexes = indexes
        self._embedder = embedder
        self.limits = limits
        self._pipeline = pipeline or EmbeddingPipeline(embedder)

    def close(self) -> None:
        """Stop the embedding worker."""
        self._pipeline.close()

    @property
    def embedder_name(self) -> str:
        """The embedder's name (thresholds depend on it)."""
        return self._embedder.name

    async def embed(self, texts: list[str]) -> np.ndarray:
        """Embed off the event loop, on the worker every upload shares (memory stays bounded)."""
        return await self._pipeline.embed(texts)

    def check_text(self, text: str, empty_key: str) -> str:
        """A stripped, non-empty text within the length limit, without control characters."""
        text = storable(text).strip()
        if not text:
            raise BadInput(key=empty_key)
        if len(text) > self.limits.max_text_chars:
            raise BadInput(key="error.text_too_long", length=len(text), limit=self.limits.max_text_chars)
        return text

    async def check_room(self, scope: str, adding: int) -> None:
        """Raise LimitReached if `scope` cannot take `adding` more memories."""
        if await self._store.memories.count_live(scope) + adding > self.limits.max_memories_per_scope:
            raise LimitReached(limit=self.limits.max_memories_per_scope)

    async def write(
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
        item.text = self.check_text(item.text, "error.empty_text")
        await self.check_room(scope, 1)
        vectors = await self.embed([embedding_text(item.text, item.metadata)])
        (memory_id,), _ = await self.write(scope, [item], vectors)
        return await self._store.memories.get_memory(scope, memory_id)
