"""Access requests: who asked to be let in, and what the owner or an admin decided."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from core.store.database import Database, fetchone_in

PENDING = "pending"
APPROVED = "approved"
REFUSED = "refused"


@dataclass(frozen=True)
class AccessRequest:
    """One request; `number` is what owners type (`approve 3`)."""

    id: int
    user: str
    name: str
    note: str
    language: str | None
    created_at: float
    status: str
    decided_by: str | None
    decided_at: float | None

    @property
    def number(self) -> int:
        """The number owners see and type."""
        return self.id


_COLUMNS = "id, user, name, note, language, created_at, status, decided_by, decided_at"


class RequestStore:
    """At most one pending request per person (the database refuses a second)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def open(
        self, user: str, name: str, note: str, language: str | None, now: float
    ) -> tuple[AccessRequest, bool]:
        """The pending request of `user`, created now if there was none: (request, created)."""
        async with self._db.transaction() as db:
            try:
                await db.execute(
                    "INSERT INTO access_requests (user, name, note, language, created_at) VALUES (?,?,?,?,?)",
                    (user, name, note, language, now),
                )
                created = True
            except sqlite3.IntegrityError:
                created = False
            row = await fetchone_in(
                db, f"SELECT {_COLUMNS} FROM access_requests WHERE user = ? AND status = ?", (user, PENDING)
            )
            return AccessRequest(**dict(row)), created

    async def get(self, number: int) -> AccessRequest | None:
        """Request number `number`, or None."""
        row = await self._db.fetchone(f"SELECT {_COLUMNS} FROM access_requests WHERE id = ?", (number,))
        return AccessRequest(**dict(row)) if row else None

    async def latest(self, user: str) -> AccessRequest | None:
        """The latest request of `user`, or None."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM access_requests WHERE user = ? ORDER BY id DESC LIMIT 1", (user,)
        )
        return AccessRequest(**dict(row)) if row else None

    async def pending(self) -> list[AccessRequest]:
        """Every pending request, oldest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM access_requests WHERE status = ? ORDER BY id", (PENDING,)
        )
        return [AccessRequest(**dict(row)) for row in rows]

    async def decide(self, number: int, status: str, by: str, now: float) -> bool:
        """Approve or refuse a pending request; False when it was not pending (decided meanwhile)."""
        async with self._db.transaction() as db:
            cursor = await db.execute(
                "UPDATE access_requests SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = ?",
                (status, by, now, number, PENDING),
            )
            return cursor.rowcount > 0

    async def close_for(self, user: str, status: str, by: str, now: float) -> None:
        """Close a pending request of `user` (let in another way, or removed) with `status`."""
        async with self._db.transaction() as db:
            await db.execute(
                "UPDATE access_requests SET status = ?, decided_by = ?, decided_at = ? WHERE user = ? AND status = ?",
                (status, by, now, user, PENDING),
            )
