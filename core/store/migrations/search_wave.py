"""Turns by scope and chat, keyword rows in French forms marked by scope, corrections embedded with WRONG."""

from __future__ import annotations

import json

import aiosqlite

from core.store import migration_text as frozen
from core.store.migrations.steps import run_script


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
