"""The conversation log: every exchange, with the memories it used; short-term turns read from it."""

from __future__ import annotations

import json
import sqlite3
import time

from core.models import Interaction
from core.store.database import Database, ensure_scope
from core.store.rows import from_row

_SELECT = (
    "SELECT id, scope, chat_key, author, input, output, memory_ids, model, latency_ms, created_at FROM interactions"
)


def interaction_from_row(row: sqlite3.Row) -> Interaction:
    """Build an Interaction from a selected row."""
    return from_row(Interaction, row, memory_ids=json.loads)


class InteractionLog:
    """Exchanges by scope and chat: a chat's turns never cross into another scope."""

    def __init__(self, db: Database) -> None:
        self._db = db

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
        now = time.time()
        async with self._db.transaction() as db:
            await ensure_scope(db, scope, now)
            cursor = await db.execute(
                "INSERT INTO interactions (scope, chat_key, author, input, output, memory_ids, model, latency_ms,"
                " created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (scope, chat_key, author, text, output, json.dumps(memory_ids), model, latency_ms, now),
            )
            return cursor.lastrowid

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
