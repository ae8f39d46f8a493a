"""The Store: every read and write of memories, documents, interactions, access and chat settings."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiosqlite
import numpy as np

from core.models import Document, Interaction, Kind, Memory, NewMemory
from core.store.migrations import migrate

_MEMORY_COLUMNS = (
    "id, scope, kind, text, importance, tags, source, author, created_at, superseded_by, document_id, metadata, number"
)
_DOCUMENT_COLUMNS = "id, scope, name, sha256, size, chunks, created_at, number"
_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "but", "by", "do", "does", "did", "for", "from", "had", "has", "have", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "so", "that", "the", "their", "them", "there", "these", "they", "this", "to", "was", "we", "were", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your", "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "elle", "en", "est", "et", "eu", "il", "ils", "je", "la", "le", "les", "leur", "lui", "ma", "mais", "me", "mes", "moi", "mon", "ne", "nos", "notre", "nous", "on", "ou", "où", "par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "quel", "quelle", "quels", "quelles", "quand", "comment", "est-ce"]
)


@dataclass
class ScopeStats:
    """Counts that /status shows for one scope."""

    by_kind: dict[str, int]
    superseded: int
    documents: int
    interactions: int

    @property
    def live(self) -> int:
        """Memories that retrieval can use."""
        return sum(self.by_kind.values())


def _memory_rows(
    scope: str,
    items: list[NewMemory],
    vectors: np.ndarray,
    embedder: str,
    now: float,
    document_id: int | None,
    first_number: int,
) -> list[tuple]:
    """The `memories` rows of a batch, in _write's column order; numbers count up from `first_number`."""
    return [
        (
            scope, item.kind.value, item.text, float(item.importance), json.dumps(item.tags),
            item.source, item.author, now, document_id, json.dumps(item.metadata),
            vector.tobytes(), embedder, first_number + i,
        )
        for i, (item, vector) in enumerate(zip(items, vectors, strict=True))
    ]


def _row_to_memory(row: aiosqlite.Row | tuple) -> Memory:
    """Build a Memory from a row selected with _MEMORY_COLUMNS."""
    return Memory(
        id=row[0],
        scope=row[1],
        kind=Kind(row[2]),
        text=row[3],
        importance=row[4],
        tags=json.loads(row[5]),
        source=row[6],
        author=row[7],
        created_at=row[8],
        superseded_by=row[9],
        document_id=row[10],
        metadata=json.loads(row[11]),
        number=row[12],
    )


def query_terms(text: str) -> list[str]:
    """The distinct lower-cased words of `text` that carry meaning (French and English stopwords dropped)."""
    words = dict.fromkeys(word.lower() for word in _FTS_TOKEN.findall(text))
    meaningful = [w for w in words if w not in STOPWORDS and len(w) > 1]
    return meaningful or [w for w in words if len(w) > 1] or list(words)


def scope_key(scope: str) -> str:
    """The one-word token that marks a scope's rows in the keyword index (as SQLite's hex() writes it)."""
    return scope.encode("utf-8").hex().upper()


def fts_query(text: str) -> str:
    """An FTS5 query matching any meaningful word of `text` (each quoted, so no syntax leaks in)."""
    return " OR ".join(f'"{word}"' for word in query_terms(text))


class Store:
    """SQLite through aiosqlite, WAL mode; writes are serialised and each is one transaction."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Store:
        """Open (creating and migrating) the database at `path`."""
        path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(path, isolation_level=None)
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA foreign_keys=ON")
        await db.execute("PRAGMA synchronous=NORMAL")
        await migrate(db)
        return cls(db)

    async def close(self) -> None:
        """Close the connection."""
        await self._db.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction at a time; rolled back on any error."""
        async with self._write_lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.rollback()
                raise
            await self._db.commit()

    async def _fetchall(self, sql: str, params: Iterable = ()) -> list[tuple]:
        async with self._db.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def _fetchone(self, sql: str, params: Iterable = ()) -> tuple | None:
        async with self._db.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    # memories -------------------------------------------------------------------------------

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
        async with self.transaction() as db:
            await db.execute("INSERT OR IGNORE INTO scopes (id, created_at) VALUES (?, ?)", (scope, now))
            async with db.execute(
                "SELECT next_memory, next_document FROM scopes WHERE id = ?", (scope,)
            ) as cursor:
                first_number, document_number = await cursor.fetchone()
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
                " document_id, metadata, embedding, embedder, number) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            # One writer inside one transaction: AUTOINCREMENT gives the batch consecutive ids.
            async with db.execute("SELECT last_insert_rowid()") as cursor:
                (last,) = await cursor.fetchone()
            ids = list(range(last - len(items) + 1, last + 1))
            await db.executemany(
                "INSERT INTO memories_fts (rowid, text, context, scope_key, scope) VALUES (?,?,?,?,?)",
                (
                    (memory_id, item.text, str(item.metadata.get("title", "")), scope_key(scope), scope)
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
        rows = await self._fetchall(
            # `+scope`: look rows up by id; the planner would otherwise walk the whole scope's index
            # (10 ms instead of 0.1 ms for 100 ids in a 100k scope).
            f"SELECT {_MEMORY_COLUMNS} FROM memories WHERE +scope = ? AND id IN ({marks})", [scope, *ids]
        )
        by_id = {row[0]: _row_to_memory(row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    async def get_memory(self, scope: str, memory_id: int) -> Memory | None:
        """One memory of `scope`, or None."""
        found = await self.get_memories(scope, [memory_id])
        return found[0] if found else None

    async def id_of_number(self, scope: str, number: int) -> int | None:
        """The memory id behind the number `scope`'s users see (#3), or None."""
        row = await self._fetchone("SELECT id FROM memories WHERE scope = ? AND number = ?", (scope, number))
        return row[0] if row else None

    async def list_memories(
        self, scope: str, *, offset: int = 0, limit: int = 20, include_superseded: bool = False
    ) -> list[Memory]:
        """Memories of `scope`, newest first."""
        where = "" if include_superseded else " AND superseded_by IS NULL"
        rows = await self._fetchall(
            f"SELECT {_MEMORY_COLUMNS} FROM memories WHERE scope = ?{where} ORDER BY id DESC LIMIT ? OFFSET ?",
            (scope, limit, offset),
        )
        return [_row_to_memory(row) for row in rows]

    async def all_memories(self, scope: str, *, include_superseded: bool = False) -> list[Memory]:
        """Every memory of `scope`, oldest first (exports)."""
        where = "" if include_superseded else " AND superseded_by IS NULL"
        rows = await self._fetchall(
            f"SELECT {_MEMORY_COLUMNS} FROM memories WHERE scope = ?{where} ORDER BY id", (scope,)
        )
        return [_row_to_memory(row) for row in rows]

    async def count_live(self, scope: str) -> int:
        """Memories of `scope` that retrieval can use."""
        row = await self._fetchone(
            "SELECT COUNT(*) FROM memories WHERE scope = ? AND superseded_by IS NULL", (scope,)
        )
        return int(row[0])

    async def delete_memory(self, scope: str, memory_id: int) -> tuple[Memory, list[int]] | None:
        """Delete one memory of `scope` (row, keyword index, links).

        Memories it had superseded (it was a correction) become live again; returns the deleted
        memory and their ids, or None when `scope` has no such memory.
        """
        async with self.transaction() as db:
            async with db.execute(
                f"SELECT {_MEMORY_COLUMNS} FROM memories WHERE scope = ? AND id = ?", (scope, memory_id)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            async with db.execute(
                "SELECT id, text, COALESCE(json_extract(metadata, '$.title'), '') FROM memories"
                " WHERE scope = ? AND superseded_by = ?",
                (scope, memory_id),
            ) as cursor:
                replaced = list(await cursor.fetchall())
            for replaced_id, text, context in replaced:
                await db.execute("UPDATE memories SET superseded_by = NULL WHERE id = ?", (replaced_id,))
                await db.execute(
                    "INSERT INTO memories_fts (rowid, text, context, scope_key, scope) VALUES (?,?,?,?,?)",
                    (replaced_id, text, context, scope_key(scope), scope),
                )
            await db.execute("DELETE FROM memories_fts WHERE rowid = ?", (memory_id,))
            await db.execute("DELETE FROM memories WHERE id = ?", (memory_id,))
            if row[10] is not None:
                await db.execute("UPDATE documents SET chunks = chunks - 1 WHERE id = ?", (row[10],))
                await db.execute("DELETE FROM documents WHERE id = ? AND chunks <= 0", (row[10],))
        return _row_to_memory(row), [r[0] for r in replaced]

    async def supersede(self, scope: str, ids: list[int], by: int) -> None:
        """Mark `ids` as replaced by the correction `by`; they leave the keyword index."""
        async with self.transaction() as db:
            for memory_id in ids:
                await db.execute(
                    "UPDATE memories SET superseded_by = ? WHERE id = ? AND scope = ?", (by, memory_id, scope)
                )
                await db.execute("DELETE FROM memories_fts WHERE rowid = ?", (memory_id,))

    async def vectors_of(self, ids: list[int]) -> np.ndarray:
        """The stored embeddings of `ids`, in that order."""
        marks = ",".join("?" * len(ids))
        rows = dict(await self._fetchall(f"SELECT id, embedding FROM memories WHERE id IN ({marks})", ids))
        return np.stack([np.frombuffer(rows[i], dtype=np.float32) for i in ids])

    async def link_corrections(self, memory_ids: list[int], correction_id: int) -> None:
        """Attach a correction to memories it amends without replacing them (document chunks)."""
        async with self.transaction() as db:
            for memory_id in memory_ids:
                await db.execute(
                    "INSERT OR IGNORE INTO corrections (memory_id, correction_id) VALUES (?, ?)",
                    (memory_id, correction_id),
                )

    async def corrections_for(self, scope: str, memory_ids: list[int]) -> dict[int, list[Memory]]:
        """For each of `memory_ids`, the live corrections linked to it."""
        if not memory_ids:
            return {}
        marks = ",".join("?" * len(memory_ids))
        rows = await self._fetchall(
            f"SELECT c.memory_id, {', '.join('m.' + c for c in _MEMORY_COLUMNS.split(', '))} "
            # CROSS JOIN keeps corrections as the outer loop: 0.05 ms instead of a scan of the scope (87 ms at 100k).
            f"FROM corrections c CROSS JOIN memories m ON m.id = c.correction_id "
            f"WHERE m.scope = ? AND m.superseded_by IS NULL AND c.memory_id IN ({marks}) ORDER BY m.id DESC",
            [scope, *memory_ids],
        )
        found: dict[int, list[Memory]] = {}
        for row in rows:
            found.setdefault(row[0], []).append(_row_to_memory(row[1:]))
        return found

    async def keyword_search(self, scope: str, query: str, limit: int) -> list[tuple[int, float]]:
        """BM25 over live memories of `scope`: (id, score) best first, any word of `query` matching."""
        match = fts_query(query)
        if not match:
            return []
        rows = await self._fetchall(
            # The scope token inside MATCH: FTS5 only visits this scope's rows; weight 0 keeps it out of BM25.
            "SELECT rowid, bm25(memories_fts, 1.0, 1.0, 0.0) AS score, text FROM memories_fts "
            "WHERE memories_fts MATCH ? AND scope = ? ORDER BY score LIMIT ?",
            (f'scope_key : "{scope_key(scope)}" AND ({match})', scope, limit),
        )
        # BM25's IDF is degenerate in a small scope (every score near zero): break ties by how many
        # of the query's words each memory contains.
        terms = query_terms(query)
        ranked = sorted(rows, key=lambda row: (round(row[1], 6), -sum(t in row[2].lower() for t in terms)))
        return [(int(row[0]), -float(row[1])) for row in ranked]

    async def live_vectors(self, scope: str) -> tuple[np.ndarray, list[bytes], list[str]]:
        """Ids, raw embedding blobs and embedder names of the live memories of `scope` (index rebuilds)."""
        rows = await self._fetchall(
            "SELECT id, embedding, embedder FROM memories WHERE scope = ? AND superseded_by IS NULL ORDER BY id",
            (scope,),
        )
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        return ids, [row[1] for row in rows], [row[2] or "" for row in rows]

    async def live_ids(self, scope: str) -> np.ndarray:
        """Ids of the live memories of `scope`, ascending."""
        rows = await self._fetchall(
            "SELECT id FROM memories WHERE scope = ? AND superseded_by IS NULL ORDER BY id", (scope,)
        )
        return np.array([row[0] for row in rows], dtype=np.int64)

    async def texts_needing_embedding(self, scope: str, embedder: str) -> list[tuple[int, str]]:
        """Live memories of `scope` embedded by another model (or not at all)."""
        return [
            (row[0], row[1])
            for row in await self._fetchall(
                "SELECT id, text FROM memories WHERE scope = ? AND superseded_by IS NULL "
                "AND (embedder IS NOT ? OR embedding IS NULL)",
                (scope, embedder),
            )
        ]

    async def set_embeddings(self, ids: list[int], vectors: np.ndarray, embedder: str) -> None:
        """Store new vectors for `ids` (after the embedder changed)."""
        async with self.transaction() as db:
            for memory_id, vector in zip(ids, np.asarray(vectors, dtype=np.float32), strict=True):
                await db.execute(
                    "UPDATE memories SET embedding = ?, embedder = ? WHERE id = ?",
                    (vector.tobytes(), embedder, memory_id),
                )

    async def scopes(self) -> list[str]:
        """Every scope that has memories."""
        return [row[0] for row in await self._fetchall("SELECT id FROM scopes ORDER BY id")]

    async def stats(self, scope: str) -> ScopeStats:
        """Counts by kind, superseded, documents and interactions for `scope`."""
        kinds = await self._fetchall(
            "SELECT kind, COUNT(*) FROM memories WHERE scope = ? AND superseded_by IS NULL GROUP BY kind",
            (scope,),
        )
        superseded = await self._fetchone(
            "SELECT COUNT(*) FROM memories WHERE scope = ? AND superseded_by IS NOT NULL", (scope,)
        )
        documents = await self._fetchone("SELECT COUNT(*) FROM documents WHERE scope = ?", (scope,))
        interactions = await self._fetchone("SELECT COUNT(*) FROM interactions WHERE scope = ?", (scope,))
        return ScopeStats(dict(kinds), superseded[0], documents[0], interactions[0])

    # documents ------------------------------------------------------------------------------

    async def find_document(self, scope: str, sha256: str) -> Document | None:
        """The document of `scope` with this content hash, if already ingested."""
        row = await self._fetchone(
            f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE scope = ? AND sha256 = ?",
            (scope, sha256),
        )
        return Document(*row) if row else None

    async def list_documents(self, scope: str) -> list[Document]:
        """Documents of `scope`, oldest first."""
        rows = await self._fetchall(
            f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE scope = ? ORDER BY id",
            (scope,),
        )
        return [Document(*row) for row in rows]

    async def document_by_number(self, scope: str, number: int) -> Document | None:
        """The document of `scope` that its users call `doc N`, or None."""
        row = await self._fetchone(
            f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE scope = ? AND number = ?", (scope, number)
        )
        return Document(*row) if row else None

    async def delete_document(self, scope: str, document_id: int) -> list[int]:
        """Delete a document of `scope` with all its chunks; returns the deleted memory ids."""
        async with self.transaction() as db:
            async with db.execute(
                "SELECT id FROM memories WHERE scope = ? AND document_id = ?", (scope, document_id)
            ) as cursor:
                ids = [row[0] for row in await cursor.fetchall()]
            await db.executemany("DELETE FROM memories_fts WHERE rowid = ?", ((i,) for i in ids))
            await db.execute("DELETE FROM memories WHERE scope = ? AND document_id = ?", (scope, document_id))
            await db.execute("DELETE FROM documents WHERE scope = ? AND id = ?", (scope, document_id))
        return ids

    # interactions ---------------------------------------------------------------------------

    async def log_interaction(
        self,
        scope: str,
        chat_key: str,
        author: str,
        text: str,
        output: str,
        memory_ids: list[int],
        model: str,
        latency_ms: float,
    ) -> int:
        """Record one exchange; returns its id."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT OR IGNORE INTO scopes (id, created_at) VALUES (?, ?)", (scope, time.time())
            )
            cursor = await db.execute(
                "INSERT INTO interactions (scope, chat_key, author, input, output, memory_ids, model, latency_ms,"
                " created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    scope,
                    chat_key,
                    author,
                    text,
                    output,
                    json.dumps(memory_ids),
                    model,
                    latency_ms,
                    time.time(),
                ),
            )
            return cursor.lastrowid

    async def recent_interactions(
        self, chat_key: str, limit: int, *, since: float = 0.0
    ) -> list[Interaction]:
        """The last `limit` exchanges of a chat after `since`, oldest first."""
        rows = await self._fetchall(
            "SELECT id, scope, chat_key, author, input, output, memory_ids, model, latency_ms, created_at "
            "FROM interactions WHERE chat_key = ? AND created_at > ? ORDER BY id DESC LIMIT ?",
            (chat_key, since, limit),
        )
        return [_row_to_interaction(row) for row in reversed(rows)]

    async def all_interactions(self, scope: str) -> list[Interaction]:
        """Every exchange logged in `scope`, oldest first (exports)."""
        rows = await self._fetchall(
            "SELECT id, scope, chat_key, author, input, output, memory_ids, model, latency_ms, created_at "
            "FROM interactions WHERE scope = ? ORDER BY id",
            (scope,),
        )
        return [_row_to_interaction(row) for row in rows]

    # access and chat settings ---------------------------------------------------------------

    async def role_of(self, user: str) -> str | None:
        """The stored role of `user` ("owner", "admin", "user"), or None."""
        row = await self._fetchone("SELECT role FROM access WHERE user = ?", (user,))
        return row[0] if row else None

    async def set_role(self, user: str, role: str) -> None:
        """Grant `role` to `user`."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO access (user, role, created_at) VALUES (?,?,?) "
                "ON CONFLICT(user) DO UPDATE SET role = excluded.role",
                (user, role, time.time()),
            )

    async def chat_language(self, chat_key: str) -> str | None:
        """The language chosen for a chat with the language command, or None."""
        row = await self._fetchone("SELECT language FROM chat_settings WHERE chat_key = ?", (chat_key,))
        return row[0] if row else None

    async def set_chat_language(self, chat_key: str, language: str) -> None:
        """Answer in `language` in this chat from now on."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO chat_settings (chat_key, language) VALUES (?, ?) "
                "ON CONFLICT(chat_key) DO UPDATE SET language = excluded.language",
                (chat_key, language),
            )

    async def chat_settings(self, chat_key: str) -> tuple[str | None, float]:
        """(model override, reset time) of a chat."""
        row = await self._fetchone(
            "SELECT model, reset_at FROM chat_settings WHERE chat_key = ?", (chat_key,)
        )
        return (row[0], row[1]) if row else (None, 0.0)

    async def set_chat_model(self, chat_key: str, model: str) -> None:
        """Use `model` in this chat from now on."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO chat_settings (chat_key, model) VALUES (?, ?) "
                "ON CONFLICT(chat_key) DO UPDATE SET model = excluded.model",
                (chat_key, model),
            )

    async def reset_chat(self, chat_key: str) -> None:
        """Forget the chat's short-term turns (the log itself is kept)."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO chat_settings (chat_key, reset_at) VALUES (?, ?) "
                "ON CONFLICT(chat_key) DO UPDATE SET reset_at = excluded.reset_at",
                (chat_key, time.time()),
            )


def _row_to_interaction(row: tuple) -> Interaction:
    """Build an Interaction from a selected row."""
    return Interaction(
        id=row[0],
        scope=row[1],
        chat_key=row[2],
        author=row[3],
        input=row[4],
        output=row[5],
        memory_ids=json.loads(row[6]),
        model=row[7],
        latency_ms=row[8],
        created_at=row[9],
    )
