"""Links between live memories: corrections that amend a memory, newer statements that update it."""

from __future__ import annotations

from core.models import Memory
from core.store.database import Database
from core.store.memories import MEMORY_COLUMNS, memory_from_row


class MemoryLinks:
    """Which correction amends which memory, and which memory restates another later."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def link_corrections(self, memory_ids: list[int], correction_id: int) -> None:
        """Attach a correction to memories it amends without replacing them (document chunks)."""
        async with self._db.transaction() as db:
            await db.executemany(
                "INSERT OR IGNORE INTO corrections (memory_id, correction_id) VALUES (?, ?)",
                [(memory_id, correction_id) for memory_id in memory_ids],
            )

    async def corrections_for(self, scope: str, memory_ids: list[int]) -> dict[int, list[Memory]]:
        """For each of `memory_ids`, the live corrections linked to it."""
        return await self._linked(scope, memory_ids, "corrections", "memory_id", "correction_id")

    async def link_updates(self, older_ids: list[int], newer_id: int) -> None:
        """Record that `newer_id` restates, later, the subject of each of `older_ids` (all stay live)."""
        async with self._db.transaction() as db:
            await db.executemany(
                "INSERT OR IGNORE INTO memory_updates (older_id, newer_id) VALUES (?, ?)",
                [(older, newer_id) for older in older_ids if older != newer_id],
            )

    async def updates_for(self, scope: str, memory_ids: list[int]) -> dict[int, list[Memory]]:
        """For each of `memory_ids`, the live newer memories that update it, newest first."""
        return await self._linked(scope, memory_ids, "memory_updates", "older_id", "newer_id")

    async def _linked(
        self, scope: str, memory_ids: list[int], table: str, key: str, link: str
    ) -> dict[int, list[Memory]]:
        """For each of `memory_ids` (`table`.`key`), the live memories `table`.`link` names, newest first."""
        if not memory_ids:
            return {}
        marks = ",".join("?" * len(memory_ids))
        rows = await self._db.fetchall(
            f"SELECT l.{key} AS linked_from, {', '.join('m.' + c for c in MEMORY_COLUMNS)} "
            # CROSS JOIN keeps the links as the outer loop: 0.05 ms instead of a scan of the scope (87 ms at 100k).
            f"FROM {table} l CROSS JOIN memories m ON m.id = l.{link} "
            f"WHERE m.scope = ? AND m.superseded_by IS NULL AND l.{key} IN ({marks}) ORDER BY m.id DESC",
            [scope, *memory_ids],
        )
        found: dict[int, list[Memory]] = {}
        for row in rows:
            found.setdefault(row["linked_from"], []).append(memory_from_row(row))
        return found
