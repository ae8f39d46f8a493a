"""Roles granted at run time (owner, admin, member) and the groups opened to all their members."""

from __future__ import annotations

import time
from dataclasses import dataclass

from core.store.database import Database

OWNER = "owner"
ADMIN = "admin"
MEMBER = "member"
ROLES = (OWNER, ADMIN, MEMBER)


@dataclass(frozen=True)
class Member:
    """A person let in from a chat: `user` is `platform:user_id`."""

    user: str
    role: str
    name: str = ""
    granted_by: str = ""
    language: str | None = None
    created_at: float = 0.0


class RoleStore:
    """One role per user (`platform:user_id`); one row per group opened to its members."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def role_of(self, user: str) -> str | None:
        """The stored role of `user` ("owner", "admin", "member"), or None."""
        row = await self._db.fetchone("SELECT role FROM access WHERE user = ?", (user,))
        return row["role"] if row else None

    async def member(self, user: str) -> Member | None:
        """The stored member `user`, or None."""
        row = await self._db.fetchone(
            "SELECT user, role, name, granted_by, language, created_at FROM access WHERE user = ?", (user,)
        )
        return Member(**dict(row)) if row else None

    async def members(self) -> list[Member]:
        """Everyone with a stored role, owners first, then admins, then members, oldest first."""
        rows = await self._db.fetchall(
            "SELECT user, role, name, granted_by, language, created_at FROM access ORDER BY "
            "CASE role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, created_at"
        )
        return [Member(**dict(row)) for row in rows]

    async def set_role(
        self, user: str, role: str, *, name: str = "", granted_by: str = "", language: str | None = None
    ) -> None:
        """Grant `role` to `user` (a known name or language is kept when none is given)."""
        async with self._db.transaction() as db:
            await db.execute(
                "INSERT INTO access (user, role, created_at, name, granted_by, language) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(user) DO UPDATE SET role = excluded.role, "
                "name = CASE WHEN excluded.name != '' THEN excluded.name ELSE access.name END, "
                "language = COALESCE(excluded.language, access.language)",
                (user, role, time.time(), name, granted_by, language),
            )

    async def remove(self, user: str) -> bool:
        """Take every run-time role from `user`; False when there was none."""
        async with self._db.transaction() as db:
            cursor = await db.execute("DELETE FROM access WHERE user = ?", (user,))
            return cursor.rowcount > 0

    async def is_open(self, scope: str) -> bool:
        """Whether every member of the group `scope` may use its shared memory."""
        return await self._db.fetchone("SELECT 1 FROM open_groups WHERE scope = ?", (scope,)) is not None

    async def set_open(self, scope: str, is_open: bool, by: str) -> bool:
        """Open or close the group `scope`; False when it already was so."""
        async with self._db.transaction() as db:
            if is_open:
                cursor = await db.execute(
                    "INSERT OR IGNORE INTO open_groups (scope, opened_by, opened_at) VALUES (?,?,?)",
                    (scope, by, time.time()),
                )
            else:
                cursor = await db.execute("DELETE FROM open_groups WHERE scope = ?", (scope,))
            return cursor.rowcount > 0

    async def open_groups(self) -> list[str]:
        """The scopes of the groups opened to their members."""
        return [
            row["scope"]
            for row in await self._db.fetchall("SELECT scope FROM open_groups ORDER BY opened_at")
        ]
