"""One-time invitations: a hash of each code, its role, who made it, when it expires, who used it."""

from __future__ import annotations

from dataclasses import dataclass

from core.store.database import Database, fetchone_in


@dataclass(frozen=True)
class Invitation:
    """A stored invitation (the code itself is never stored, only its hash)."""

    id: int
    role: str
    created_by: str
    created_at: float
    expires_at: float
    used_by: str | None
    used_at: float | None


_COLUMNS = "id, role, created_by, created_at, expires_at, used_by, used_at"


class InvitationStore:
    """Invitations by code hash; using one is a single conditional write, so a code works once."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, code_hash: str, role: str, created_by: str, now: float, expires_at: float) -> int:
        """Record a new invitation; returns its id."""
        async with self._db.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO invitations (code_hash, role, created_by, created_at, expires_at) VALUES (?,?,?,?,?)",
                (code_hash, role, created_by, now, expires_at),
            )
            return cursor.lastrowid

    async def use(self, code_hash: str, user: str, now: float) -> tuple[Invitation | None, bool]:
        """Use the invitation with this hash for `user`: (the invitation or None, whether it was valid now)."""
        async with self._db.transaction() as db:
            cursor = await db.execute(
                "UPDATE invitations SET used_by = ?, used_at = ? "
                "WHERE code_hash = ? AND used_by IS NULL AND expires_at > ?",
                (user, now, code_hash, now),
            )
            row = await fetchone_in(
                db, f"SELECT {_COLUMNS} FROM invitations WHERE code_hash = ?", (code_hash,)
            )
            return (Invitation(**dict(row)) if row else None), cursor.rowcount > 0

    async def pending(self, now: float) -> list[Invitation]:
        """Invitations neither used nor expired, oldest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM invitations WHERE used_by IS NULL AND expires_at > ? ORDER BY id", (now,)
        )
        return [Invitation(**dict(row)) for row in rows]
