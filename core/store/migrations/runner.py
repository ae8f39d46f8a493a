"""Applies the migrations a database lacks, each once, by NAME; `schema_migrations` records the names.

Releases before named migrations counted them in PRAGMA user_version: the first N names of
LEGACY_ORDER are what such a database has (recorded on its first open by this version).
All pending migrations run in one BEGIN IMMEDIATE transaction, so processes started together on a
fresh data directory wait for each other instead of creating the same table twice.
"""

from __future__ import annotations

import time

import aiosqlite

from core.store.migrations.registry import LEGACY_ORDER, MIGRATIONS
from core.store.migrations.steps import Migration


async def applied_migrations(db: aiosqlite.Connection) -> set[str] | None:
    """Names of the migrations this database has, or None before it records names."""
    async with db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ) as cursor:
        if await cursor.fetchone() is None:
            return None
    async with db.execute("SELECT name FROM schema_migrations") as cursor:
        return {row[0] for row in await cursor.fetchall()}


async def _start_recording_names(db: aiosqlite.Connection) -> set[str]:
    """Create `schema_migrations`, seeded with what PRAGMA user_version counted (older releases)."""
    await db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
    async with db.execute("PRAGMA user_version") as cursor:
        (version,) = await cursor.fetchone()
    legacy = LEGACY_ORDER[:version]
    await db.executemany(
        "INSERT INTO schema_migrations (name, applied_at) VALUES (?, 0)", [(name,) for name in legacy]
    )
    return set(legacy)


async def migrate(db: aiosqlite.Connection, migrations: list[Migration] = MIGRATIONS) -> list[str]:
    """Apply the migrations this database lacks, in order, in one transaction; returns their names."""
    done = await applied_migrations(db)
    if done is not None and all(m.name in done for m in migrations):
        return []
    # The write lock first, then look again: another process may have migrated meanwhile.
    await db.execute("BEGIN IMMEDIATE")
    try:
        done = await applied_migrations(db)
        if done is None:
            done = await _start_recording_names(db)
        applied = []
        for migration in migrations:
            if migration.name in done:
                continue
            await migration.apply(db)
            await db.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", (migration.name, time.time())
            )
            applied.append(migration.name)
        await db.commit()
    except BaseException:
        await db.rollback()
        raise
    return applied
