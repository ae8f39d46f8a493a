"""A database written by an older Souvenir opens in the new one with nothing lost."""

import aiosqlite

from core.store import Store
from core.store.migrations import MIGRATIONS, migrate


async def test_version_1_database_keeps_its_memories_and_gains_title_context(tmp_path):
    path = tmp_path / "souvenir.db"
    db = await aiosqlite.connect(path, isolation_level=None)
    assert await migrate(db, MIGRATIONS[:1]) == 1
    await db.execute("INSERT INTO scopes (id, created_at) VALUES ('s', 0)")
    for memory_id, text, metadata in [
        (1, "Clause 9: the rent is due on the first day.", '{"title": "Apartment lease"}'),
        (2, "The cat likes fish.", "{}"),
        (3, "A superseded fact about the lease.", "{}"),
    ]:
        await db.execute(
            "INSERT INTO memories (id, scope, kind, text, importance, created_at, metadata)"
            " VALUES (?, 's', 'document', ?, 0.5, 0, ?)",
            (memory_id, text, metadata),
        )
    await db.executemany(
        "INSERT INTO memories_fts (rowid, text, scope) VALUES (?, ?, 's')",
        [(1, "Clause 9: the rent is due on the first day."), (2, "The cat likes fish.")],
    )
    await db.close()

    store = await Store.open(path)
    try:
        assert [i for i, _ in await store.keyword_search("s", "lease", 10)] == [1]
        assert [i for i, _ in await store.keyword_search("s", "cat", 10)] == [2]
        assert [m.id for m in await store.get_memories("s", [1, 2, 3])] == [1, 2, 3]
    finally:
        await store.close()
