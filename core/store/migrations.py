"""Schema changes, each identified by its NAME and applied once; `schema_migrations` records the names.

Releases before named migrations counted them in PRAGMA user_version: the first N names of
LEGACY_ORDER are what such a database has (recorded on its first open by this version).
All pending migrations run in one BEGIN IMMEDIATE transaction, so processes started together on a
fresh data directory wait for each other instead of creating the same table twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiosqlite

from core.store import migration_text as frozen

Apply = Callable[[aiosqlite.Connection], Awaitable[None]]


@dataclass(frozen=True)
class Migration:
    """One schema change: a stable name (never reused, never renamed) and the function applying it."""

    name: str
    apply: Apply


async def initial(db: aiosqlite.Connection) -> None:
    """Scopes, memories, documents, interactions, access, chat settings and the keyword index."""
    await run_script(
        db,
        """
        CREATE TABLE scopes (
            id TEXT PRIMARY KEY,
            created_at REAL NOT NULL
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            scope TEXT NOT NULL REFERENCES scopes(id),
            name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            chunks INTEGER NOT NULL,
            created_at REAL NOT NULL,
            UNIQUE (scope, sha256)
        );
        CREATE TABLE memories (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            scope TEXT NOT NULL REFERENCES scopes(id),
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            importance REAL NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            source TEXT NOT NULL DEFAULT '',
            author TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL,
            superseded_by INTEGER REFERENCES memories(id) ON DELETE SET NULL,
            document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
            metadata TEXT NOT NULL DEFAULT '{}',
            embedding BLOB,
            embedder TEXT
        );
        CREATE INDEX memories_scope ON memories(scope, superseded_by);
        CREATE TABLE corrections (
            memory_id INTEGER NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
            correction_id INTEGER NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
            PRIMARY KEY (memory_id, correction_id)
        );
        CREATE INDEX corrections_by_correction ON corrections(correction_id);
        CREATE VIRTUAL TABLE memories_fts USING fts5(
            text, scope UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2'
        );
        CREATE TABLE interactions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            scope TEXT NOT NULL,
            chat_key TEXT NOT NULL,
            author TEXT NOT NULL DEFAULT '',
            input TEXT NOT NULL,
            output TEXT NOT NULL,
            memory_ids TEXT NOT NULL DEFAULT '[]',
            model TEXT NOT NULL DEFAULT '',
            latency_ms REAL NOT NULL DEFAULT 0,
            created_at REAL NOT NULL
        );
        CREATE INDEX interactions_chat ON interactions(chat_key, id);
        CREATE INDEX interactions_scope ON interactions(scope, id);
        CREATE TABLE access (
            user TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE TABLE chat_settings (
            chat_key TEXT PRIMARY KEY,
            model TEXT,
            reset_at REAL NOT NULL DEFAULT 0
        );
        """,
    )


async def add_keyword_context(db: aiosqlite.Connection) -> None:
    """Keyword index: a `context` column (the chunk's document title) and an indexed scope token.

    The token (the scope's UTF-8 bytes in hex, one word) lets a search match inside one scope, so a
    large scope no longer slows the keyword search of a small one.
    """
    await run_script(
        db,
        """
        CREATE VIRTUAL TABLE memories_fts_new USING fts5(
            text, context, scope_key, scope UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2'
        );
        INSERT INTO memories_fts_new (rowid, text, context, scope_key, scope)
            SELECT m.id, m.text, COALESCE(json_extract(m.metadata, '$.title'), ''), hex(m.scope), m.scope
            FROM memories AS m WHERE m.id IN (SELECT rowid FROM memories_fts);
        DROP TABLE memories_fts;
        ALTER TABLE memories_fts_new RENAME TO memories_fts
        """,
    )


async def scope_numbers(db: aiosqlite.Connection) -> None:
    """Numbers users see, counted within each scope (a group's first memory is #1), and a chat language.

    Existing rows are numbered in id order; each scope keeps its next numbers, so a forgotten
    number is never given to another memory or document.
    """
    await run_script(
        db,
        """
        ALTER TABLE scopes ADD COLUMN next_memory INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE scopes ADD COLUMN next_document INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE memories ADD COLUMN number INTEGER;
        ALTER TABLE documents ADD COLUMN number INTEGER;
        UPDATE memories SET number = ranked.n FROM (
            SELECT id, ROW_NUMBER() OVER (PARTITION BY scope ORDER BY id) AS n FROM memories
        ) AS ranked WHERE memories.id = ranked.id;
        UPDATE documents SET number = ranked.n FROM (
            SELECT id, ROW_NUMBER() OVER (PARTITION BY scope ORDER BY id) AS n FROM documents
        ) AS ranked WHERE documents.id = ranked.id;
        UPDATE scopes SET
            next_memory = 1 + COALESCE((SELECT MAX(number) FROM memories WHERE scope = scopes.id), 0),
            next_document = 1 + COALESCE((SELECT MAX(number) FROM documents WHERE scope = scopes.id), 0);
        CREATE UNIQUE INDEX memories_number ON memories(scope, number);
        CREATE UNIQUE INDEX documents_number ON documents(scope, number);
        ALTER TABLE chat_settings ADD COLUMN language TEXT
        """,
    )


async def interactions_by_scope_and_chat(db: aiosqlite.Connection) -> None:
    """Short-term turns are read by scope AND chat: index them that way (the chat-only index goes)."""
    await run_script(
        db,
        """
        CREATE INDEX interactions_scope_chat ON interactions(scope, chat_key, id);
        DROP INDEX interactions_chat
        """,
    )


async def french_keyword_text(db: aiosqlite.Connection) -> None:
    """Keyword rows rewritten through the French forms of core.store.migration_text (French stems, accents and elisions folded).

    Only the keyword index changes: every memory row stays as it was, and the rows the index held
    (live memories) are the rows it holds after.
    """
    async with db.execute(
        "SELECT f.rowid, m.text, m.metadata FROM memories_fts AS f JOIN memories AS m ON m.id = f.rowid"
    ) as cursor:
        rows = list(await cursor.fetchall())
    await db.executemany(
        "UPDATE memories_fts SET text = ?, context = ? WHERE rowid = ?",
        [
            (frozen.index_text(text), frozen.index_text(frozen.keyword_context(json.loads(meta))), rowid)
            for rowid, text, meta in rows
        ],
    )


async def scope_marked_keywords(db: aiosqlite.Connection) -> None:
    """Keyword index words carry their scope's mark (core.store.migration_text); the scope token column goes.

    The rows already hold keyword text: each word is marked as it stands. Same rows (live memories) after.
    """
    async with db.execute("SELECT rowid, text, context, scope FROM memories_fts") as cursor:
        rows = list(await cursor.fetchall())
    await run_script(
        db,
        """
        DROP TABLE memories_fts;
        CREATE VIRTUAL TABLE memories_fts USING fts5(
            text, context, scope UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2'
        )
        """,
    )
    await db.executemany(
        "INSERT INTO memories_fts (rowid, text, context, scope) VALUES (?, ?, ?, ?)",
        [
            (rowid, frozen.marked(scope, text), frozen.marked(scope, title), scope)
            for rowid, text, title, scope in rows
        ],
    )


async def corrections_embed_wrong_words(db: aiosqlite.Connection) -> None:
    """Live corrections are embedded again at the next index load, now with their WRONG words.

    (core.wording.context.embedding_text.) A correction made with `correct #N` stored that
    memory's whole text as WRONG: it is marked `typed: false` (RIGHT alone is embedded). No model
    runs here: the rows are marked as embedded by no embedder, which the index's load re-embeds with
    progress, keeping every row.
    """
    await db.execute(
        "UPDATE memories SET metadata = json_set(metadata, '$.typed', json('false'))"
        " WHERE kind = 'correction' AND json_extract(metadata, '$.typed') IS NULL"
        " AND json_extract(metadata, '$.wrong') IN ("
        "  SELECT m.text FROM memories AS m WHERE m.superseded_by = memories.id"
        "  UNION SELECT m.text FROM corrections AS c JOIN memories AS m ON m.id = c.memory_id"
        "  WHERE c.correction_id = memories.id)"
    )
    await db.execute(
        "UPDATE memories SET embedder = '' WHERE kind = 'correction' AND superseded_by IS NULL"
        " AND COALESCE(json_extract(metadata, '$.wrong'), '') != ''"
    )


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


MIGRATIONS: list[Migration] = [
    Migration("initial", initial),
    Migration("keyword_context", add_keyword_context),
    Migration("scope_numbers", scope_numbers),
    Migration("interactions_by_scope_and_chat", interactions_by_scope_and_chat),
    Migration("french_keyword_text", french_keyword_text),
    Migration("scope_marked_keywords", scope_marked_keywords),
    Migration("corrections_embed_wrong_words", corrections_embed_wrong_words),
    Migration("conversation_memory", conversation_memory),
    Migration("family_access", family_access),
]
LEGACY_ORDER = ("initial", "keyword_context", "scope_numbers")


async def run_script(db: aiosqlite.Connection, script: str) -> None:
    """Run `;`-separated statements inside the caller's transaction (executescript would commit)."""
    for statement in script.split(";"):
        if statement.strip():
            await db.execute(statement)


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
