"""The stored embeddings of memories: what index rebuilds read and re-embedding rewrites."""

from __future__ import annotations

import json

import numpy as np

from core.store.database import Database
from core.wording.context import embedding_text


class EmbeddingStore:
    """The vectors kept beside each memory, and the embedder that made them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def vectors_of(self, ids: list[int]) -> np.ndarray:
        """The stored embeddings of `ids`, in that order."""
        marks = ",".join("?" * len(ids))
        rows = await self._db.fetchall(f"SELECT id, embedding FROM memories WHERE id IN ({marks})", ids)
        blobs = {row["id"]: row["embedding"] for row in rows}
        return np.stack([np.frombuffer(blobs[i], dtype=np.float32) for i in ids])

    async def live_vectors(self, scope: str) -> tuple[np.ndarray, list[bytes], list[str]]:
        """Ids, raw embedding blobs and embedder names of the live memories of `scope` (index rebuilds)."""
        rows = await self._db.fetchall(
            "SELECT id, embedding, embedder FROM memories WHERE scope = ? AND superseded_by IS NULL ORDER BY id",
            (scope,),
        )
        ids = np.array([row["id"] for row in rows], dtype=np.int64)
        return ids, [row["embedding"] for row in rows], [row["embedder"] or "" for row in rows]

    async def live_ids(self, scope: str) -> np.ndarray:
        """Ids of the live memories of `scope`, ascending."""
        rows = await self._db.fetchall(
            "SELECT id FROM memories WHERE scope = ? AND superseded_by IS NULL ORDER BY id", (scope,)
        )
        return np.array([row["id"] for row in rows], dtype=np.int64)

    async def texts_needing_embedding(self, scope: str, embedder: str) -> list[tuple[int, str]]:
        """Live memories of `scope` embedded by another model (or not at all): (id, text to embed)."""
        rows = await self._db.fetchall(
            "SELECT id, text, metadata FROM memories WHERE scope = ? AND superseded_by IS NULL "
            "AND (embedder IS NOT ? OR embedding IS NULL)",
            (scope, embedder),
        )
        return [(row["id"], embedding_text(row["text"], json.loads(row["metadata"]))) for row in rows]

    async def set_embeddings(self, ids: list[int], vectors: np.ndarray, embedder: str) -> None:
        """Store new vectors for `ids` (after the embedder changed)."""
        async with self._db.transaction() as db:
            await db.executemany(
                "UPDATE memories SET embedding = ?, embedder = ? WHERE id = ?",
                [
                    (vector.tobytes(), embedder, memory_id)
                    for memory_id, vector in zip(ids, np.asarray(vectors, dtype=np.float32), strict=True)
                ],
            )
