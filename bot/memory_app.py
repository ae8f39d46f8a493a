"""Wiring of the memory side alone: store, vector indexes, embedder and the memory service.

The command line's memory commands (search, remember, forget, export) need nothing more, so they
never import the conversation, the assistant or an LLM client (bot/app.py adds those).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.embedder import build_embedder
from bot.settings import Settings
from core.embeddings import Embedder
from core.memory.service import MemoryService
from core.memory.writer import MemoryLimits
from core.retrieval.hybrid import Retriever, config_for
from core.store import Store
from core.vector_index import VectorIndexes


@dataclass
class MemoryApp:
    """The assembled memory side."""

    settings: Settings
    store: Store
    indexes: VectorIndexes
    embedder: Embedder
    memory: MemoryService

    async def close(self) -> None:
        """Save the indexes, close the database and stop the embedding worker (whatever happens: their threads must end)."""
        try:
            await self.indexes.flush()
        finally:
            try:
                await self.store.close()
            finally:
                self.memory.close()


def database_path(data_dir: Path) -> Path:
    """Where the SQLite database lives."""
    return data_dir / "souvenir.db"


async def build_memory_app(settings: Settings, *, embedder: Embedder | None = None) -> MemoryApp:
    """Open the store under the data directory and assemble the memory service."""
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    embedder = embedder or build_embedder(settings)
    store = await Store.open(database_path(data_dir))
    try:
        indexes = VectorIndexes(
            store.embeddings, embedder, data_dir / "indexes", cache_bytes=settings.limits.index_cache_mb * 1024 * 1024
        )
    except BaseException:  # the database's threads would keep the process alive
        await store.close()
        raise
    retriever = Retriever(store, indexes, embedder, config_for(embedder.name))
    limits = MemoryLimits(
        max_memories_per_scope=settings.limits.max_memories_per_scope,
        max_upload_bytes=settings.limits.max_upload_bytes,
        max_text_chars=settings.limits.max_text_chars,
        embed_batch=settings.embeddings.batch_size,
    )
    memory = MemoryService.assemble(store, indexes, embedder, retriever, limits=limits)
    return MemoryApp(settings, store, indexes, embedder, memory)
