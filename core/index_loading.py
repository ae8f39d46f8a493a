"""Loading a scope's index: its file brought level with the store, or rebuilt from the stored vectors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import faiss
import numpy as np

from core.embeddings import Embedder
from core.index_files import IndexFiles, ScopeIndex
from core.store.embeddings import EmbeddingStore

log = logging.getLogger(__name__)
ReembedProgress = Callable[[str, int, int], object]


class IndexLoader:
    """Makes a scope's index agree with the store: a saved one caught up, else one rebuilt (re-embedding first
    the memories another model embedded); counts what it did."""

    def __init__(
        self,
        embeddings: EmbeddingStore,
        embedder: Embedder,
        files: IndexFiles,
        *,
        reembed_batch: int = 256,
        on_reembed: ReembedProgress | None = None,
    ) -> None:
        self._embeddings = embeddings
        self._embedder = embedder
        self._files = files
        self.reembed_batch = reembed_batch
        self.on_reembed = on_reembed
        self.rebuilds = 0
        self.catch_ups = 0

    async def load(self, scope: str) -> ScopeIndex:
        """Read the saved index and bring it level with the store, or rebuild it from stored vectors.

        An index evicted while a write was between its two steps (store, then index) misses the rows
        stored meanwhile: they are added from their stored vectors rather than rebuilding it all.
        """
        path = self._files.path(scope)
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
        await self._files.save(scope, entry)
        return entry

    async def _reembed(self, scope: str, stale: list[tuple[int, str]]) -> None:
        """Give memories embedded by another model this embedder's vectors, batch by batch, with progress.

        Each batch is committed on its own: an interrupted switch keeps every memory (rows are only
        updated, never removed) and the next load carries on with the memories still left.
        """
        step = self.reembed_batch
        for start in range(0, len(stale), step):
            batch = stale[start : start + step]
            vectors = await asyncio.to_thread(self._embedder.embed, [text for _, text in batch])
            await self._embeddings.set_embeddings([memory_id for memory_id, _ in batch], vectors, self._embedder.name)
            done = min(start + step, len(stale))
            log.info("re-embedding %s with %s: %d/%d memories", scope, self._embedder.name, done, len(stale))
            if self.on_reembed:
                self.on_reembed(scope, done, len(stale))
