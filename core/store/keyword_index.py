"""The keyword index (FTS5) of live memories: rows added inside a write's transaction, BM25 search."""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from core.models import KeywordHit
from core.store.database import Database
from core.wording.marks import index_entry


async def index_keywords(db: aiosqlite.Connection, scope: str, rows: Iterable[tuple[int, str, str]]) -> None:
    """Add (id, text, context) rows of `scope` to the keyword index, inside the caller's transaction."""
    await db.executemany(
        "INSERT INTO memories_fts (rowid, text, context, scope) VALUES (?,?,?,?)",
        (
            (memory_id, index_entry(scope, text), index_entry(scope, title), scope)
            for memory_id, text, title in rows
        ),
    )


class KeywordIndex:
    """Keyword search over the live memories of one scope at a time."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def search(self, scope: str, match: str, limit: int) -> list[KeywordHit]:
        """The best `limit` memories of `scope` for a `keyword_match(scope, …)` expression, best first.

        Only live memories are in the keyword index, and its words carry their scope's mark, so the
        match reads this scope's rows only; callers read the rows back through get_memories(scope, ...),
        which drops any id of another scope. Ranking selects no stored column (FTS5 would read every
        match's row before sorting); the indexed text of the `limit` best is read afterwards.
        """
        if not match:
            return []
        rows = await self._db.fetchall(
            "WITH best AS (SELECT rowid AS id, bm25(memories_fts) AS rank FROM memories_fts"
            " WHERE memories_fts MATCH ? ORDER BY rank LIMIT ?)"
            " SELECT best.id, best.rank, f.text, f.context FROM best JOIN memories_fts AS f ON f.rowid = best.id"
            " ORDER BY best.rank",
            (match, limit),
        )
        return [KeywordHit(int(row["id"]), -float(row["rank"]), f"{row['text']} {row['context']}") for row in rows]
