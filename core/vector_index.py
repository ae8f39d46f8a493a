"""FAISS indexes as caches: one per scope, loaded lazily, evictable, rebuilt from the store."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import faiss
import numpy as np

from core.embeddings import Embedder
from core.index_files import IndexFiles, ScopeIndex
from core.index_loading import IndexLoader, ReembedProgress
from core.store.embeddings import EmbeddingStore

DEFAULT_CACHE_BYTES = 512 * 1024 * 1024


class VectorIndexes:
    """Exact inner-product search per scope; the store stays the source of truth.

    Loaded indexes are kept, least recently used first out, within `cache_bytes` of memory; an index
    in use by an operation is never dropped under it (the cache may exceed the budget by what is in use).
    """

    def __init__(
        self,
        embeddings: EmbeddingStore,
        embedder: Embedder,
        directory: Path,
        *,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        reembed_batch: int = 256,
        on_reembed: ReembedProgress | None = None,
        save_retry_s: float = 60.0,
    ) -> None:
        self.files = IndexFiles(directory, save_retry_s=save_retry_s)
        self.loader = IndexLoader(
            embeddings, embedder, self.files, reembed_batch=reembed_batch, on_reembed=on_reembed
        )
        self._cache_bytes = cache_bytes
        self._loaded: OrderedDict[str, ScopeIndex] = OrderedDict()
        self._load_locks: dict[str, asyncio.Lock] = {}
        self._evicting = asyncio.Lock()
        self.evictions = 0

    @asynccontextmanager
    async def _use(self, scope: str) -> AsyncIterator[ScopeIndex]:
        """The index of `scope`, held in memory for the length of one operation (loaded on first use)."""
        entry = self._loaded.get(scope)
        if entry is None:
            lock = self._load_locks.setdefault(scope, asyncio.Lock())
            async with lock:
                entry = self._loaded.get(scope)
                if entry is None:
                    entry = await self.loader.load(scope)
                    self._loaded[scope] = entry
                entry.users += 1  # pinned before any other await: an evictor skips it from here on
        else:
            entry.users += 1
        self._loaded.move_to_end(scope)
        try:
            yield entry
        finally:
            entry.users -= 1
            if self.cached_bytes() > self._cache_bytes:
                await self._evict()

    def cached_bytes(self) -> int:
        """Estimated memory of the loaded indexes."""
        return sum(entry.nbytes for entry in self._loaded.values())

    async def _evict(self) -> None:
        """Drop the least recently used indexes not in use until the cache fits its budget (saving them first)."""
        async with self._evicting:
            for scope, entry in list(self._loaded.items()):
                if self.cached_bytes() <= self._cache_bytes:
                    return
                if entry.users or self._loaded.get(scope) is not entry:
                    continue
                async with entry.lock:
                    await self.files.save(scope, entry)
                # Saving awaited: drop it only if nobody took it up or changed it meanwhile.
                if not entry.users and not entry.dirty and self._loaded.get(scope) is entry:
                    del self._loaded[scope]
                    self.evictions += 1

    async def prepare(self, scope: str) -> None:
        """Load the index of `scope` before a write, so the write is applied to it exactly once."""
        async with self._use(scope):
            pass

    async def add(self, scope: str, ids: list[int], vectors: np.ndarray) -> None:
        """Add stored memories to the index of `scope` (ids already present are skipped)."""
        async with self._use(scope) as entry, entry.lock:
            keep = [i for i, memory_id in enumerate(ids) if memory_id not in entry.ids]
            if not keep:
                return
            array = np.asarray([ids[i] for i in keep], dtype=np.int64)
            matrix = np.asarray(vectors, dtype=np.float32)[keep]
            await asyncio.to_thread(entry.index.add_with_ids, matrix, array)
            entry.ids.update(array.tolist())
            entry.dirty = True

    async def remove(self, scope: str, ids: list[int]) -> None:
        """Remove memories from the index of `scope`."""
        if not ids:
            return
        async with self._use(scope) as entry, entry.lock:
            await asyncio.to_thread(entry.index.remove_ids, np.asarray(ids, dtype=np.int64))
            entry.ids.difference_update(ids)
            entry.dirty = True

    async def search(self, scope: str, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The `k` nearest live memories of `scope`: (id, cosine) best first."""
        query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        async with self._use(scope) as entry:
            if entry.index.ntotal == 0:
                return []

            def one_query() -> tuple[np.ndarray, np.ndarray]:
                # One query gains nothing from OpenMP threads; on a small busy machine they made a
                # 100k-vector search 5-7x slower (7 ms on one thread, 33-52 ms on two). Per thread setting.
                faiss.omp_set_num_threads(1)
                return entry.index.search(query, min(k, entry.index.ntotal))

            async with entry.lock:
                scores, ids = await asyncio.to_thread(one_query)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]

    async def flush(self) -> None:
        """Save every changed index (those that cannot be saved stay in memory: see `IndexFiles.save`)."""
        for scope, entry in list(self._loaded.items()):
            async with entry.lock:
                await self.files.save(scope, entry, retry_now=True)

    def size_on_disk(self, scope: str) -> int:
        """Bytes of the saved index of `scope` (0 when not saved yet)."""
        return self.files.size_on_disk(scope)
