"""FAISS indexes as caches: one per scope, loaded lazily, evictable, rebuilt from the store."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from core.embeddings import Embedder
from core.store.embeddings import EmbeddingStore

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
ReembedProgress = Callable[[str, int, int], object]
DEFAULT_CACHE_BYTES = 512 * 1024 * 1024
# Bytes a loaded vector costs beside its floats: FAISS's id map and reverse map, and the Python id set.
_PER_VECTOR_OVERHEAD = 120
_PER_INDEX_OVERHEAD = 4096


@dataclass
class ScopeIndex:
    """A loaded index and whether it differs from its file."""

    index: faiss.IndexIDMap2
    ids: set[int]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    dirty: bool = False
    users: int = 0  # operations in flight: an index in use is never evicted under them

    @property
    def nbytes(self) -> int:
        """An estimate of the memory this index holds."""
        return _PER_INDEX_OVERHEAD + self.index.ntotal * (self.index.d * 4 + _PER_VECTOR_OVERHEAD)


def index_filename(scope: str) -> str:
    """A file name for `scope` that is safe on every filesystem and cannot collide."""
    digest = hashlib.sha1(scope.encode()).hexdigest()[:10]
    return f"{_UNSAFE.sub('_', scope)[:80]}-{digest}.faiss"


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
        self._embeddings = embeddings
        self._reembed_batch = reembed_batch
        self._on_reembed = on_reembed
        self._embedder = embedder
        self._directory = directory
        self._cache_bytes = cache_bytes
        self._loaded: OrderedDict[str, ScopeIndex] = OrderedDict()
        self._load_locks: dict[str, asyncio.Lock] = {}
        self._evicting = asyncio.Lock()
        self.rebuilds = 0
        self.catch_ups = 0
        self.evictions = 0
        self.save_failing = False
        """True from a failed save of an index cache until one succeeds (the disk is full, say)."""
        self._save_retry_s = save_retry_s
        self._failed_at = 0.0
        directory.mkdir(parents=True, exist_ok=True)
        self._remove_stale_temporaries()

    def path(self, scope: str) -> Path:
        """Where the index of `scope` is saved."""
        return self._directory / index_filename(scope)

    @asynccontextmanager
    async def _use(self, scope: str) -> AsyncIterator[ScopeIndex]:
        """The index of `scope`, held in memory for the length of one operation (loaded on first use)."""
        entry = self._loaded.get(scope)
        if entry is None:
            lock = self._load_locks.setdefault(scope, asyncio.Lock())
            async with lock:
                entry = self._loaded.get(scope)
                if entry is None:
                    entry = await self._load(scope)
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

    async def _load(self, scope: str) -> ScopeIndex:
        """Read the saved index and bring it level with the store, or rebuild it from stored vectors.

        An index evicted while a write was between its two steps (store, then index) misses the rows
        stored meanwhile: they are added from their stored vectors rather than rebuilding it all.
        """
        path = self.path(scope)
        live = await self._embeddings.live_ids(scope)
        stale = await self._embeddings.texts_needing_embedding(scope, self._embedder.name)
        if path.exists() and not stale:
            try:
                index = await asyncio.to_thread(faiss.read_index, str(path))
                ids = np.sort(faiss.vector_to_array(index.id_map)) if index.ntotal else np.array([], np.int64)
                # A non-empty index holding exactly the live ids was built from this embedder's vectors
                # (none is stale), so only an empty one needs the model's dimension to be checked.
                if np.array_equal(ids, live) and (index.ntotal or index.d == await self._dimension()):
                    return ScopeIndex(index, set(ids.tolist()))
                entry = await self._catch_up(scope, index, ids, live)
                if entry is not None:
                    return entry
                log.warning("index of %s disagrees with the store; rebuilding", scope)
            except RuntimeError:
                log.warning("index of %s is unreadable; rebuilding", scope, exc_info=True)
        return await self._rebuild(scope, stale)

    async def _catch_up(
        self, scope: str, index: faiss.IndexIDMap2, saved: np.ndarray, live: np.ndarray
    ) -> ScopeIndex | None:
        """Add the live memories a saved index lacks and drop those gone; None when it cannot be trusted."""
        missing = np.setdiff1d(live, saved, assume_unique=True)
        gone = np.setdiff1d(saved, live, assume_unique=True)
        vectors = await self._embeddings.vectors_of(missing.tolist()) if len(missing) else None
        if vectors is not None and vectors.shape[1] != index.d:
            return None

        def apply() -> None:
            if len(gone):
                index.remove_ids(gone)
            if vectors is not None:
                index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), missing)

        await asyncio.to_thread(apply)
        self.catch_ups += 1
        log.info("index of %s caught up with the store: %d added, %d removed", scope, len(missing), len(gone))
        return ScopeIndex(index, set(live.tolist()), dirty=True)

    async def _dimension(self) -> int:
        """The embedder's vector length (loads its model: avoided when stored vectors tell it)."""
        return await asyncio.to_thread(lambda: self._embedder.dimension)

    async def _rebuild(self, scope: str, stale: list[tuple[int, str]]) -> ScopeIndex:
        """Re-embed memories made by another model, then build the index from the store."""
        await self._reembed(scope, stale)
        ids, blobs, _ = await self._embeddings.live_vectors(scope)
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
            await self._embeddings.set_embeddings([memory_id for memory_id, _ in batch], vectors, self._embedder.name)
            done = min(start + step, len(stale))
            log.info("re-embedding %s with %s: %d/%d memories", scope, self._embedder.name, done, len(stale))
            if self._on_reembed:
                self._on_reembed(scope, done, len(stale))

    async def _evict(self) -> None:
        """Drop the least recently used indexes not in use until the cache fits its budget (saving them first)."""
        async with self._evicting:
            for scope, entry in list(self._loaded.items()):
                if self.cached_bytes() <= self._cache_bytes:
                    return
                if entry.users or self._loaded.get(scope) is not entry:
                    continue
                async with entry.lock:
                    await self._save(scope, entry)
                # Saving awaited: drop it only if nobody took it up or changed it meanwhile.
                if not entry.users and not entry.dirty and self._loaded.get(scope) is entry:
                    del self._loaded[scope]
                    self.evictions += 1

    def _remove_stale_temporaries(self, older_than_s: float = 600.0) -> None:
        """Delete half-written index files a crash left behind (they only take space; a save in progress is younger)."""
        now = time.time()
        for tmp in self._directory.glob("*.tmp"):
            try:
                if now - tmp.stat().st_mtime > older_than_s:
                    tmp.unlink()
                    log.info("removed a half-written index file left by an interrupted save: %s", tmp.name)
            except OSError:
                continue

    async def _save(self, scope: str, entry: ScopeIndex, *, retry_now: bool = False) -> None:
        """Write the index atomically if it changed.

        The index is a cache: when it cannot be written (disk full, read-only), it stays in memory,
        changed, and is written at a later save (`save_retry_s` after a failure, or at the next
        flush); the failure is logged once until a save succeeds again, and no partial file is left
        behind. Reads and answers never fail because of it.
        """
        if not entry.dirty:
            return
        if self.save_failing and not retry_now and time.monotonic() - self._failed_at < self._save_retry_s:
            return
        path = self.path(scope)
        tmp = path.with_suffix(".tmp")

        def write() -> None:
            try:
                faiss.write_index(entry.index, str(tmp))
                os.replace(tmp, path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise

        try:
            await asyncio.to_thread(write)
        except (RuntimeError, OSError) as error:  # FAISS reports a failed write as a RuntimeError
            if not self.save_failing:
                log.warning("the index cache of %s could not be saved (kept in memory, retried later): %s", scope, error)
            self.save_failing, self._failed_at = True, time.monotonic()
            return
        if self.save_failing:
            log.info("index caches are saved again")
        self.save_failing = False
        entry.dirty = False

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
        """Save every changed index (those that cannot be saved stay in memory: see `_save`)."""
        for scope, entry in list(self._loaded.items()):
            async with entry.lock:
                await self._save(scope, entry, retry_now=True)

    def size_on_disk(self, scope: str) -> int:
        """Bytes of the saved index of `scope` (0 when not saved yet)."""
        path = self.path(scope)
        return path.stat().st_size if path.exists() else 0
