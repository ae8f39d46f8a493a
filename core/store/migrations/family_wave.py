"""Memory from conversation (update links, capture mode) and family access (members, invitations, requests)."""

from __future__ import annotations

import aiosqlite

from core.store.migrations.steps import run_script


async def conversation_memory(db: aiosqlite.Connection) -> None:
    """Memory from conversation: which memory a newer statement updates, and each chat's capture mode.

    `memory_updates` links an older memory to a newer one on the same subject (both stay live; the
    newer ranks first). `chat_settings.memory` is `auto`, `explicit` or `off` (NULL: the default,
    `auto` in direct chats and `explicit` in groups).
    """
    await run_script(
        db,
        """
        CREATE TABLE memory_updates (
            older_id INTEGER NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
            newer_id INTEGER NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
            PRIMARY KEY (older_id, newer_id)
        );
        CREATE INDEX memory_updates_by_newer ON memory_updates(newer_id);
        ALTER TABLE chat_settings ADD COLUMN memory TEXT
        """,
    )


async def family_access(db: aiosqlite.Connection) -> None:
    """Family access: members' names and who let them in, invitations, access requests, open groups.

    The old run-time role "user" becomes "member". Invitation codes are stored as SHA-256 hashes only.
    At most one pending request per person (a partial unique index).
    """
    await run_script(
        db,
        """
        ALTER TABLE access ADD COLUMN name TEXT NOT NULL DEFAULT '';
        ALTER TABLE access ADD COLUMN granted_by TEXT NOT NULL DEFAULT '';
        ALTER TABLE access ADD COLUMN language TEXT;
        UPDATE access SET role = 'member' WHERE role = 'user';
        CREATE TABLE invitations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            code_hash TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL,
            used_by TEXT,
            used_at REAL
        );
        CREATE TABLE access_requests (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            language TEXT,
            created_at REAL NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            decided_by TEXT,
            decided_at REAL
        );
        CREATE UNIQUE INDEX access_requests_pending ON access_requests(user) WHERE status = 'pending';
        CREATE INDEX access_requests_user ON access_requests(user, id);
        CREATE TABLE open_groups (
            scope TEXT PRIMARY KEY,
            opened_by TEXT NOT NULL,
            opened_at REAL NOT NULL
        )
        """,
    )
