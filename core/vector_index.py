"""FAISS indexes as caches: one per scope, loaded lazily, evictable, rebuilt from the store."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from core.embeddings import Embedder
from core.store.memories import MemoryStore

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
ReembedProgress = Callable[[str, int, int], object]


@dataclass
class ScopeIndex:
    """A loaded index and whether it differs from its file."""

    index: faiss.IndexIDMap2
    ids: set[int]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    dirty: bool = False


def index_filename(scope: str) -> str:
    """A file name for `scope` that is safe on every filesystem and cannot collide."""
    digest = hashlib.sha1(scope.encode()).hexdigest()[:10]
    return f"{_UNSAFE.sub('_', scope)[:80]}-{digest}.faiss"


class VectorIndexes:
    """Exact inner-product search per scope; the store stays the source of truth."""

    def __init__(
        self,
        memories: MemoryStore,
        embedder: Embedder,
        directory: Path,
        *,
        max_loaded: int = 64,
        reembed_batch: int = 256,
        on_reembed: ReembedProgress | None = None,
    ) -> None:
        self._memories = memories
        self._reembed_batch = reembed_batch
        self._on_reembed = on_reembed
        self._embedder = embedder
        self._directory = directory
        self._max_loaded = max_loaded
        self._loaded: OrderedDict[str, ScopeIndex] = OrderedDict()
        self._load_locks: dict[str, asyncio.Lock] = {}
        self.rebuilds = 0
        directory.mkdir(parents=True, exist_ok=True)

    def path(self, scope: str) -> Path:
        """Where the index of `scope` is saved."""
        return self._directory / index_filename(scope)

    async def _get(self, scope: str) -> ScopeIndex:
        """The index of `scope`, loading or rebuilding it on first use."""
        if scope in self._loaded:
            self._loaded.move_to_end(scope)
            return self._loaded[scope]
        lock = self._load_locks.setdefault(scope, asyncio.Lock())
        async with lock:
            if scope not in self._loaded:
                self._loaded[scope] = await self._load(scope)
                await self._evict()
        return self._loaded[scope]

    async def _load(self, scope: str) -> ScopeIndex:
        """Read the saved index if it agrees with the store, else rebuild it from stored vectors."""
        path = self.path(scope)
        live = await self._memories.live_ids(scope)
        stale = await self._memories.texts_needing_embedding(scope, self._embedder.name)
        if path.exists() and not stale:
            try:
                index = await asyncio.to_thread(faiss.read_index, str(path))
                ids = np.sort(faiss.vector_to_array(index.id_map)) if index.ntotal else np.array([], np.int64)
                # A non-empty index holding exactly the live ids was built from this embedder's vectors
                # (none is stale), so only an empty one needs the model's dimension to be checked.
                if np.array_equal(ids, live) and (index.ntotal or index.d == await self._dimension()):
                    return ScopeIndex(index, set(ids.tolist()))
                log.warning("index of %s disagrees with the store; rebuilding", scope)
            except RuntimeError:
                log.warning("index of %s is unreadable; rebuilding", scope, exc_info=True)
        return await self._rebuild(scope, stale)

    async def _dimension(self) -> int:
        """The embedder's vector length (loads its model: avoided when stored vectors tell it)."""
        return await asyncio.to_thread(lambda: self._embedder.dimension)

    async def _rebuild(self, scope: str, stale: list[tuple[int, str]]) -> ScopeIndex:
        """Re-embed memories made by another model, then build the index from the store."""
        await self._reembed(scope, stale)
        ids, blobs, _ = await self._memories.live_vectors(scope)
        dimension = len(blobs[0]) // 4 if len(ids) else await self._dimension()

        def build() -> faiss.IndexIDMap2:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
            if len(ids):
                matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), dimension)
                index.add_with_ids(matrix, ids)
            return index

        index = await asyncio.to_thread(build)
        self.rebuilds += 1
        entry = ScopeIndex(index, set(ids.tolist()), dirty=True)
        await self._save(scope, entry)
        return entry

    async def _reembed(self, scope: str, stale: list[tuple[int, str]]) -> None:
        """Give memories embedded by another model this embedder's vectors, batch by batch, with progress.

        Each batch is committed on its own: an interrupted switch keeps every memory (rows are only
        updated, never removed) and the next load carries on with the memories still left.
        """
        step = self._reembed_batch
        for start in range(0, len(stale), step):
            batch = stale[start : start + step]
            vectors = await asyncio.to_thread(self._embedder.embed, [text for _, text in batch])
            await self._memories.set_embeddings([memory_id for memory_id, _ in batch], vectors, self._embedder.name)
            done = min(start + step, len(stale))
            log.info("re-embedding %s with %s: %d/%d memories", scope, self._embedder.name, done, len(stale))
            if self._on_reembed:
                self._on_reembed(scope, done, len(stale))

    async def _evict(self) -> None:
        """Drop the least recently used indexes beyond the limit (saving them first)."""
        while len(self._loaded) > self._max_loaded:
            scope, entry = next(iter(self._loaded.items()))
            async with entry.lock:
                await self._save(scope, entry)
            self._loaded.pop(scope, None)

    async def _save(self, scope: str, entry: ScopeIndex) -> None:
        """Write the index atomically if it changed."""
        if not entry.dirty:
            return
        path = self.path(scope)
        tmp = path.with_suffix(".tmp")

        def write() -> None:
            faiss.write_index(entry.index, str(tmp))
            os.replace(tmp, path)

        await asyncio.to_thread(write)
        entry.dirty = False

    async def prepare(self, scope: str) -> None:
        """Load the index of `scope` before a write, so the write is applied to it exactly once."""
        await self._get(scope)

    async def add(self, scope: str, ids: list[int], vectors: np.ndarray) -> None:
        """Add stored memories to the index of `scope` (ids already present are skipped)."""
        entry = await self._get(scope)
        async with entry.lock:
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
        entry = await self._get(scope)
        async with entry.lock:
            await asyncio.to_thread(entry.index.remove_ids, np.asarray(ids, dtype=np.int64))
            entry.ids.difference_update(ids)
            entry.dirty = True

    async def search(self, scope: str, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The `k` nearest live memories of `scope`: (id, cosine) best first."""
        entry = await self._get(scope)
        if entry.index.ntotal == 0:
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(1, -1)

        def one_query() -> tuple[np.ndarray, np.ndarray]:
            # One query gains nothing from OpenMP threads; on a small busy machine they made a
            # 100k-vector search 5-7x slower (7 ms on one thread, 33-52 ms on two). Per thread setting.
            faiss.omp_set_num_threads(1)
            return entry.index.search(query, min(k, entry.index.ntotal))

        async with entry.lock:
            scores, ids = await asyncio.to_thread(one_query)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]

    async def flush(self) -> None:
        """Save every changed index."""
        for scope, entry in list(self._loaded.items()):
            async with entry.lock:
                await self._save(scope, entry)

    def size_on_disk(self, scope: str) -> int:
        """Bytes of the saved index of `scope` (0 when not saved yet)."""
        path = self.path(scope)
        return path.stat().st_size if path.exists() else 0
