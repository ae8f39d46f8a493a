"""Memory rows of every scope: written with their keyword index entries, read, counted, superseded, deleted."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Iterable

import numpy as np

from core.models import Kind, Memory, NewMemory
from core.store.database import Database, ensure_scope, fetchall_in, fetchone_in
from core.store.keyword_index import index_keywords
from core.store.rows import from_row
from core.wording.context import keyword_context

MEMORY_COLUMNS = (
    "id", "scope", "kind", "text", "importance", "tags", "source", "author", "created_at",
    "superseded_by", "document_id", "metadata", "number",
)
_SELECT = ", ".join(MEMORY_COLUMNS)


def memory_from_row(row: sqlite3.Row) -> Memory:
    """Build a Memory from a row holding MEMORY_COLUMNS."""
    return from_row(Memory, row, kind=Kind, tags=json.loads, metadata=json.loads)


def _memory_rows(
    scope: str,
    items: list[NewMemory],
    vectors: np.ndarray,
    embedder: str,
    now: float,
    document_id: int | None,
    first_number: int,
) -> list[dict]:
    """The `memories` rows of a batch, as named parameters; numbers count up from `first_number`."""
    return [
        {
            "scope": scope, "kind": item.kind.value, "text": item.text, "importance": float(item.importance),
            "tags": json.dumps(item.tags), "source": item.source, "author": item.author, "created_at": now,
            "document_id": document_id, "metadata": json.dumps(item.metadata),
            "embedding": vector.tobytes(), "embedder": embedder, "number": first_number + i,
        }
        for i, (item, vector) in enumerate(zip(items, vectors, strict=True))
    ]


class MemoryStore:
    """Every memory of every scope; each call names the scope it reads or writes."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_memories(
        self,
        scope: str,
        items: list[NewMemory],
        vectors: np.ndarray,
        embedder: str,
        *,
        document: tuple[str, str, int] | None = None,
    ) -> tuple[list[int], int | None]:
        """Write `items` (and their document) in one transaction; returns (memory ids, document id)."""
        now = time.time()
        vectors = np.asarray(vectors, dtype=np.float32)
        async with self._db.transaction() as db:
            await ensure_scope(db, scope, now)
            numbers = await fetchone_in(db, "SELECT next_memory, next_document FROM scopes WHERE id = ?", (scope,))
            first_number, document_number = numbers["next_memory"], numbers["next_document"]
            await db.execute(
                "UPDATE scopes SET next_memory = ?, next_document = ? WHERE id = ?",
                (first_number + len(items), document_number + (document is not None), scope),
            )
            document_id = None
            if document is not None:
                name, sha256, size = document
                cursor = await db.execute(
                    "INSERT INTO documents (scope, name, sha256, size, chunks, created_at, number)"
                    " VALUES (?,?,?,?,?,?,?)",
                    (scope, name, sha256, size, len(items), now, document_number),
                )
                document_id = cursor.lastrowid
            # Tens of thousands of rows for a big file: built in a worker, not on the event loop.
            rows = await asyncio.to_thread(
                _memory_rows, scope, items, vectors, embedder, now, document_id, first_number
            )
            await db.executemany(
                "INSERT INTO memories (scope, kind, text, importance, tags, source, author, created_at,"
                " document_id, metadata, embedding, embedder, number) VALUES (:scope, :kind, :text, :importance,"
                " :tags, :source, :author, :created_at, :document_id, :metadata, :embedding, :embedder, :number)",
                rows,
            )
            # One writer inside one transaction: AUTOINCREMENT gives the batch consecutive ids.
            (last,) = await fetchone_in(db, "SELECT last_insert_rowid()")
            ids = list(range(last - len(items) + 1, last + 1))
            await index_keywords(
                db,
                scope,
                (
                    (memory_id, item.text, keyword_context(item.metadata))
                    for memory_id, item in zip(ids, items, strict=True)
                ),
            )
        return ids, document_id

    async def get_memories(self, scope: str, ids: Iterable[int]) -> list[Memory]:
        """The memories of `scope` among `ids`, in the order of `ids` (unknown ids skipped)."""
        ids = list(ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = await self._db.fetchall(
            # `+scope`: look rows up by id; the planner would otherwise walk the whole scope's index
            # (10 ms instead of 0.1 ms for 100 ids in a 100k scope).
            f"SELECT {_SELECT} FROM memories WHERE +scope = ? AND id IN ({marks})", [scope, *ids]
        )
        by_id = {row["id"]: memory_from_row(row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    async def live_importance(self, scope: str, ids: Iterable[int]) -> dict[int, float]:
        """The importance of each live memory of `scope` among `ids` (what fusion weighs; no row built)."""
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = await self._db.fetchall(
            f"SELECT id, importance FROM memories WHERE +scope = ? AND superseded_by IS NULL AND id IN ({marks})",
            [scope, *ids],
        )
        return {row["id"]: row["importance"] for row in rows}

    async def get_memory(self, scope: str, memory_id: int) -> Memory | None:
        """One memory of `scope`, or None."""
        found = await self.get_memories(scope, [memory_id])
        return found[0] if found else None

    async def id_of_number(self, scope: str, number: int) -> int | None:
        """The memory id behind the number `scope`'s users see (#3), or None."""
        row = await self._db.fetchone("SELECT id FROM memories WHERE scope = ? AND number = ?", (scope, number))
        return row["id"] if row else None

    async def numbers_issued(self, scope: str) -> tuple[int, int]:
        """How many memory and document numbers `scope` has handed out (a lower missing one was forgotten)."""
        row = await self._db.fetchone("SELECT next_memory, next_document FROM scopes WHERE id = ?", (scope,))
        return (row["next_memory"] - 1, row["next_document"] - 1) if row else (0, 0)

    async def list_memories(
        self, scope: str, *, offset: int = 0, limit: int = 20, include_superseded: bool = False
    ) -> list[Memory]:
        """Memories of `scope`, newest first."""
        where = "" if include_superseded else " AND superseded_by IS NULL"
        rows = await self._db.fetchall(
            f"SELECT {_SELECT} FROM memories WHERE scope = ?{where} ORDER BY id DESC LIMIT ? OFFSET ?",
            (scope, limit, offset),
        )
        return [memory_from_row(row) for row in rows]

    async def all_memories(self, scope: str, *, include_superseded: bool = False) -> list[Memory]:
        """Every memory of `scope`, oldest first (exports)."""
        where = "" if include_superseded else " AND superseded_by IS NULL"
        rows = await self._db.fetchall(f"SELECT {_SELECT} FROM memories WHERE scope = ?{where} ORDER BY id", (scope,))
        return [memory_from_row(row) for row in rows]

    async def count_live(self, scope: str) -> int:
        """Memories of `scope` that retrieval can use."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM memories WHERE scope = ? AND superseded_by IS NULL", (scope,)
        )
        return int(row["n"])

    async def counts(self, scope: str) -> tuple[dict[str, int], int]:
        """Live memories of `scope` by kind, and how many are superseded."""
        kinds = await self._db.fetchall(
            "SELECT kind, COUNT(*) AS n FROM memories WHERE scope = ? AND superseded_by IS NULL GROUP BY kind",
            (scope,),
        )
        superseded = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM memories WHERE scope = ? AND superseded_by IS NOT NULL", (scope,)
        )
        return {row["kind"]: row["n"] for row in kinds}, superseded["n"]

    async def delete_memory(self, scope: str, memory_id: int) -> tuple[Memory, list[int]] | None:
        """Delete one memory of `scope` (row, keyword index, links).

        Memories it had superseded (it was a correction) become live again; returns the deleted
        memory and their ids, or None when `scope` has no such memory.
        """
        async with self._db.transaction() as db:
            row = await fetchone_in(db, f"SELECT {_SELECT} FROM memories WHERE scope = ? AND id = ?", (scope, memory_id))
            if row is None:
                return None
            replaced = await fetchall_in(
                db,
                "SELECT id, text, metadata FROM memories"
                " WHERE scope = ? AND superseded_by = ?",
                (scope, memory_id),
            )
            await db.executemany(
                "UPDATE memories SET superseded_by = NULL WHERE id = ?", [(r["id"],) for r in replaced]
            )
            await index_keywords(
                db, scope, ((r["id"], r["text"], keyword_context(json.loads(r["metadata"]))) for r in replaced)
            )
            await db.execute("DELETE FROM memories_fts WHERE rowid = ?", (memory_id,))
            await db.execute("DELETE FROM memories WHERE id = ?", (memory_id,))
            memory = memory_from_row(row)
            if memory.document_id is not None:
                await db.execute("UPDATE documents SET chunks = chunks - 1 WHERE id = ?", (memory.document_id,))
                await db.execute("DELETE FROM documents WHERE id = ? AND chunks <= 0", (memory.document_id,))
        return memory, [r["id"] for r in replaced]

    async def delete_document(self, scope: str, document_id: int) -> list[int] | None:
        """Delete a document of `scope` with all its chunks (rows, keyword index); returns the memory ids.

        None when the document is no longer there (deleted meanwhile by another request).
        """
        async with self._db.transaction() as db:
            if await fetchone_in(db, "SELECT id FROM documents WHERE scope = ? AND id = ?", (scope, document_id)) is None:
                return None
            rows = await fetchall_in(
                db, "SELECT id FROM memories WHERE scope = ? AND document_id = ?", (scope, document_id)
            )
            ids = [row["id"] for row in rows]
            await db.executemany("DELETE FROM memories_fts WHERE rowid = ?", ((i,) for i in ids))
            await db.execute("DELETE FROM memories WHERE scope = ? AND document_id = ?", (scope, document_id))
            await db.execute("DELETE FROM documents WHERE scope = ? AND id = ?", (scope, document_id))
        return ids

    async def supersede(self, scope: str, ids: list[int], by: int) -> None:
        """Mark `ids` as replaced by the correction `by`; they leave the keyword index."""
        async with self._db.transaction() as db:
            for memory_id in ids:
                cursor = await db.execute(
                    "UPDATE memories SET superseded_by = ? WHERE id = ? AND scope = ?", (by, memory_id, scope)
                )
                if cursor.rowcount:
                    await db.execute("DELETE FROM memories_fts WHERE rowid = ?", (memory_id,))

    async def said_in(self, scope: str, interaction_id: int) -> list[Memory]:
        """The memories captured from one logged exchange of `scope` (its statement, by /why)."""
        rows = await self._db.fetchall(
            f"SELECT {_SELECT} FROM memories WHERE scope = ? AND kind = 'conversation'"
            " AND json_extract(metadata, '$.interaction') = ? ORDER BY id",
            (scope, interaction_id),
        )
        return [memory_from_row(row) for row in rows]

    async def scopes(self) -> list[str]:
        """Every scope that has memories."""
        return [row["id"] for row in await self._db.fetchall("SELECT id FROM scopes ORDER BY id")]
