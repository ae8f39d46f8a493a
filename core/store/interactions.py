"""The conversation log: every exchange, with the memories it used; short-term turns read from it."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time

from core.models import Interaction
from core.store.database import Database, ensure_scopes, fetchall_in
from core.store.rows import from_row

_SELECT = (
    "SELECT id, scope, chat_key, author, input, output, memory_ids, model, latency_ms, created_at FROM interactions"
)


def interaction_from_row(row: sqlite3.Row) -> Interaction:
    """Build an Interaction from a selected row."""
    return from_row(Interaction, row, memory_ids=json.loads)


_INSERT = (
    "INSERT INTO interactions (scope, chat_key, author, input, output, memory_ids, model, latency_ms, created_at)"
    " VALUES (?,?,?,?,?,?,?,?,?)"
)
_Row = tuple[str, str, str, str, str, str, str, float, float]


class InteractionLog:
    """Exchanges by scope and chat: a chat's turns never cross into another scope.

    Exchanges logged at the same moment share one transaction (a group commit): with hundreds of
    chats answering at once, one transaction each queued behind the single writer for seconds.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._pending: list[tuple[_Row, asyncio.Future[int]]] = []
        self._writing: asyncio.Task[None] | None = None

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
        """Record one exchange; returns its id once it is committed."""
        row = (scope, chat_key, author, text, output, json.dumps(memory_ids), model, latency_ms, time.time())
        logged: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append((row, logged))
        if self._writing is None:
            self._writing = asyncio.create_task(self._write_pending())
        return await logged

    async def flush(self) -> None:
        """Wait until every exchange logged so far is committed (or failed)."""
        while self._writing is not None:
            await asyncio.shield(self._writing)

    async def _write_pending(self) -> None:
        """Commit what is pending, batch after batch; each waiter gets its id or the batch's error."""
        batch: list[tuple[_Row, asyncio.Future[int]]] = []
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    ids = await self._insert([row for row, _ in batch])
                except Exception as error:  # DiskFull and the like: each caller handles it as before
                    for _, logged in batch:
                        if not logged.done():
                            logged.set_exception(error)
                    continue
                for (_, logged), interaction_id in zip(batch, ids, strict=True):
                    if not logged.done():  # a caller cancelled meanwhile: its exchange is logged anyway
                        logged.set_result(interaction_id)
        finally:
            self._writing = None
            for _, logged in [*batch, *self._pending]:  # cancelled (shutdown): nobody waits forever
                logged.cancel()

    async def _insert(self, rows: list[_Row]) -> list[int]:
        """Insert `rows` in one transaction; their ids, in order."""
        async with self._db.transaction() as db:
            await ensure_scopes(db, {row[0]: row[-1] for row in reversed(rows)})
            await db.executemany(_INSERT, rows)
            # The writer holds the write lock and ids only grow (AUTOINCREMENT): the newest are these.
            newest = await fetchall_in(
                db, "SELECT id FROM interactions ORDER BY id DESC LIMIT ?", (len(rows),)
            )
        return [row["id"] for row in reversed(newest)]

    async def recent_interactions(
        self, scope: str, chat_key: str, limit: int, *, since: float = 0.0
    ) -> list[Interaction]:
        """The last `limit` exchanges of a chat within `scope` after `since`, oldest first.

        A chat whose scope changed (a direct room that became a group) does not carry the turns of
        its former scope into the new one.
        """
        rows = await self._db.fetchall(
            f"{_SELECT} WHERE scope = ? AND chat_key = ? AND created_at > ? ORDER BY id DESC LIMIT ?",
            (scope, chat_key, since, limit),
        )
        return [interaction_from_row(row) for row in reversed(rows)]

    async def all_interactions(self, scope: str) -> list[Interaction]:
        """Every exchange logged in `scope`, oldest first (exports)."""
        rows = await self._db.fetchall(f"{_SELECT} WHERE scope = ? ORDER BY id", (scope,))
        return [interaction_from_row(row) for row in rows]

    async def count(self, scope: str) -> int:
        """How many exchanges `scope` has logged."""
        row = await self._db.fetchone("SELECT COUNT(*) AS n FROM interactions WHERE scope = ?", (scope,))
        return row["n"]
