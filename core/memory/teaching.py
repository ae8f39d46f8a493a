"""Facts that enter memory on purpose or from conversation, linked ahead of older ones on their subject."""

from __future__ import annotations

import numpy as np

from core.errors import BadInput
from core.memory.subjects import SubjectMatcher
from core.memory.writer import MemoryWriter
from core.models import Kind, Memory, NewMemory
from core.retrieval.hybrid import Retriever
from core.store import Store

TEACHING_IMPORTANCE = 0.8
CONVERSATION_IMPORTANCE = 0.55
"""The guide's scale for ordinary conversation (0.5–0.6): below taught facts, level with documents."""


class Teaching:
    """Stores what users teach (/teach, "retiens que…") and what they state in conversation."""

    def __init__(self, store: Store, writer: MemoryWriter, retriever: Retriever, subjects: SubjectMatcher) -> None:
        self._store = store
        self._writer = writer
        self._retriever = retriever
        self._subjects = subjects

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
        text = self._writer.check_text(text, "teach.empty")
        return await self._writer.add(
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

    async def remember_said(
        self, scope: str, text: str, *, author: str = "", metadata: dict | None = None
    ) -> tuple[Memory, list[Memory]]:
        """Store a statement from conversation; returns it and the older memories it updates (linked, kept live).

        The same text already stored live is not stored twice: that memory comes back, updating nothing.
        """
        text = self._writer.check_text(text, "error.empty_text")
        await self._writer.check_room(scope, 1)
        # The message was just the question of an answer: its query vector is still at hand.
        vector = np.asarray([await self._retriever.query_vector(text)], dtype=np.float32)
        scored = await self._subjects.neighbours(scope, text, vector=vector[0])
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
        (memory_id,), _ = await self._writer.write(scope, [item], vector)
        older = self._subjects.same_subject(scored)
        if older:
            await self._store.links.link_updates([m.id for m in older], memory_id)
        return await self._store.memories.get_memory(scope, memory_id), older

    async def link_newer(self, scope: str, memory: Memory) -> list[Memory]:
        """Link `memory` (just taught) ahead of the older short memories on its subject; returns them."""
        vector = (await self._store.embeddings.vectors_of([memory.id]))[0]
        scored = await self._subjects.neighbours(scope, memory.text, vector=vector, exclude=frozenset({memory.id}))
        older = self._subjects.same_subject(scored)
        if older:
            await self._store.links.link_updates([m.id for m in older], memory.id)
        return older
