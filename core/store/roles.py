"""Roles granted at run time (the owner who paired, admins)."""

from __future__ import annotations

import time

from core.store.database import Database


class RoleStore:
    """One role per user (`platform:user_id`)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def role_of(self, user: str) -> str | None:
        """The stored role of `user` ("owner", "admin", "user"), or None."""
        row = await self._db.fetchone("SELECT role FROM access WHERE user = ?", (user,))
        return row["role"] if row else None

    async def set_role(self, user: str, role: str) -> None:
        """Grant `role` to `user`."""
        async with self._db.transaction() as db:
            await db.execute(
                "INSERT INTO access (user, role, created_at) VALUES (?,?,?) "
                "ON CONFLICT(user) DO UPDATE SET role = excluded.role",
                (user, role, time.time()),
            )
