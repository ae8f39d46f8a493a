"""The first schema, keyword context and scope numbers: the migrations counted in PRAGMA user_version."""

from __future__ import annotations

import aiosqlite

from core.store.migrations.steps import run_script


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
