"""Forgetting: a memory or a whole document deleted everywhere, by the number users see."""

from __future__ import annotations

from core.errors import AlreadyForgotten, DocumentAlreadyForgotten, UnknownDocument, UnknownMemory
from core.models import Document, Memory
from core.store import Store
from core.vector_index import VectorIndexes


class Forgetting:
    """Deletes memories and documents from the store and the index; a forgotten correction restores what it replaced."""

    def __init__(self, store: Store, indexes: VectorIndexes) -> None:
        self._store = store
        self._indexes = indexes

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
