"""A database written by the previous release opens in this one with every row kept; migrations go by name."""

import json
import sqlite3

import aiosqlite
import numpy as np
import pytest

from core.store import Store
from core.store.migrations.registry import MIGRATIONS
from core.store.migrations.runner import migrate
from core.store.migrations.steps import Migration, run_script
from core.wording.marks import keyword_match
from tests.integration.release_schema import create_release_database, release_migrate

RELEASE_TABLES = ["scopes", "documents", "memories", "corrections", "interactions", "access", "chat_settings"]
VECTOR = np.arange(4, dtype=np.float32).tobytes()


def fill_like_the_release(db: sqlite3.Connection) -> None:
    """Rows in every table, written the way the release's Store wrote them."""
    db.execute("BEGIN")
    db.executemany("INSERT INTO scopes (id, created_at) VALUES (?, ?)", [("telegram:user:1", 1.0), ("s", 2.0)])
    db.execute(
        "INSERT INTO documents (id, scope, name, sha256, size, chunks, created_at)"
        " VALUES (1, 's', 'lease.pdf', 'ab12', 900, 2, 3.0)"
    )
    memories = [
        (1, "s", "document", "Clause 9: the rent is due on the first day.", '{"title": "Apartment lease"}', 1, None),
        (2, "s", "document", "Clause 10: pets are allowed.", '{"title": "Apartment lease"}', 1, None),
        (3, "s", "teaching", "The cat likes fish.", "{}", None, None),
        (4, "s", "teaching", "The cat likes beef.", "{}", None, 5),
        (5, "s", "correction", "The cat likes chicken.", '{"wrong": "beef"}', None, None),
        (6, "telegram:user:1", "teaching", "Alice's code is 2580.", "{}", None, None),
    ]
    for memory_id, scope, kind, text, metadata, document_id, superseded_by in memories:
        db.execute(
            "INSERT INTO memories (id, scope, kind, text, importance, tags, source, author, created_at,"
            " superseded_by, document_id, metadata, embedding, embedder)"
            " VALUES (?, ?, ?, ?, 0.8, '[\"t\"]', 'src', 'alice', 4.0, ?, ?, ?, ?, 'hash')",
            (memory_id, scope, kind, text, superseded_by, document_id, metadata, VECTOR),
        )
        if superseded_by is None:
            db.execute(
                "INSERT INTO memories_fts (rowid, text, context, scope_key, scope) VALUES (?, ?, ?, hex(?), ?)",
                (memory_id, text, json.loads(metadata).get("title", ""), scope, scope),
            )
    db.execute("INSERT INTO corrections (memory_id, correction_id) VALUES (2, 5)")
    db.execute(
        "INSERT INTO interactions (scope, chat_key, author, input, output, memory_ids, model, latency_ms, created_at)"
        " VALUES ('s', 'console:chat:local', 'local', 'When is the rent due?', 'On the first.', '[1]', 'm', 12.5, 5.0)"
    )
    db.execute("INSERT INTO access (user, role, created_at) VALUES ('telegram:1', 'owner', 6.0)")
    db.execute("INSERT INTO chat_settings (chat_key, model, reset_at) VALUES ('console:chat:local', 'qwen', 7.0)")
    db.execute("COMMIT")


def columns(path) -> dict[str, list[str]]:
    """The columns of every release table (but the embedder), and which rows the keyword index holds (its text is rewritten)."""
    db = sqlite3.connect(path)
    try:
        found = {table: [row[1] for row in db.execute(f"PRAGMA table_info({table})")] for table in RELEASE_TABLES}
        # A live correction's embedder is reset on purpose (it is embedded again with its WRONG words).
        found["memories"].remove("embedder")
        return found | {"memories_fts": ["rowid", "scope"]}
    finally:
        db.close()


def snapshot(path, tables: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of `tables`, those columns only."""
    db = sqlite3.connect(path)
    try:
        return {
            table: db.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY rowid").fetchall()
            for table, names in tables.items()
        }
    finally:
        db.close()


@pytest.mark.parametrize("version", [2, 3])
async def test_release_database_upgrades_keeping_every_row(tmp_path, version):
    path = tmp_path / "souvenir.db"
    db = create_release_database(path, version=2)
    fill_like_the_release(db)
    release_migrate(db, version)
    db.close()
    release_columns = columns(path)
    before = snapshot(path, release_columns)
    assert all(before[table] for table in before)

    store = await Store.open(path)
    try:
        assert snapshot(path, release_columns) == before
        memories = await store.memories.get_memories("s", [1, 2, 3, 4, 5])
        assert [(m.id, m.number, m.text, m.tags, m.superseded_by, m.document_id) for m in memories] == [
            (1, 1, "Clause 9: the rent is due on the first day.", ["t"], None, 1),
            (2, 2, "Clause 10: pets are allowed.", ["t"], None, 1),
            (3, 3, "The cat likes fish.", ["t"], None, None),
            (4, 4, "The cat likes beef.", ["t"], 5, None),
            (5, 5, "The cat likes chicken.", ["t"], None, None),
        ]
        assert (await store.memories.get_memory("telegram:user:1", 6)).number == 1
        assert {hit.id for hit in await store.keywords.search("s", keyword_match("s", "lease"), 10)} == {1, 2}
        assert await store.keywords.search("s", keyword_match("s", "Alice code"), 10) == []
        assert [c.id for c in (await store.links.corrections_for("s", [2]))[2]] == [5]
        assert await store.embeddings.texts_needing_embedding("s", "hash") == [(5, "The cat likes chicken.\nbeef")]
        assert (await store.documents.find_document("s", "ab12")).chunks == 2
        (turn,) = await store.interactions.recent_interactions("s", "console:chat:local", 5)
        assert (turn.input, turn.memory_ids, turn.latency_ms) == ("When is the rent due?", [1], 12.5)
        assert await store.roles.role_of("telegram:1") == "owner"
        assert (await store.chats.chat_settings("console:chat:local")).model == "qwen"
        stats = await store.stats("s")
        assert (stats.by_kind, stats.superseded, stats.documents, stats.interactions) == (
            {"document": 2, "teaching": 1, "correction": 1}, 1, 1, 1
        )
    finally:
        await store.close()
    recorded = sqlite3.connect(path).execute("SELECT name FROM schema_migrations").fetchall()
    assert sorted(name for (name,) in recorded) == sorted(m.name for m in MIGRATIONS)


async def test_release_version_1_database_gains_the_title_context(tmp_path):
    path = tmp_path / "souvenir.db"
    db = create_release_database(path, version=1)
    db.execute("INSERT INTO scopes (id, created_at) VALUES ('s', 0)")
    for memory_id, text, metadata in [
        (1, "Clause 9: the rent is due on the first day.", '{"title": "Apartment lease"}'),
        (2, "The cat likes fish.", "{}"),
        (3, "A superseded fact about the lease.", "{}"),
    ]:
        db.execute(
            "INSERT INTO memories (id, scope, kind, text, importance, created_at, metadata)"
            " VALUES (?, 's', 'document', ?, 0.5, 0, ?)",
            (memory_id, text, metadata),
        )
    db.executemany(
        "INSERT INTO memories_fts (rowid, text, scope) VALUES (?, ?, 's')",
        [(1, "Clause 9: the rent is due on the first day."), (2, "The cat likes fish.")],
    )
    db.close()

    store = await Store.open(path)
    try:
        assert [hit.id for hit in await store.keywords.search("s", keyword_match("s", "lease"), 10)] == [1]
        assert [hit.id for hit in await store.keywords.search("s", keyword_match("s", "cat"), 10)] == [2]
        assert [m.id for m in await store.memories.get_memories("s", [1, 2, 3])] == [1, 2, 3]
    finally:
        await store.close()


async def test_keyword_rows_of_the_release_are_rewritten_for_french_as_typed_on_a_phone(tmp_path):
    path = tmp_path / "souvenir.db"
    db = create_release_database(path, version=3)
    db.execute("INSERT INTO scopes (id, created_at) VALUES ('s', 0)")
    facts = [(1, "Je suis allergique aux arachides."), (2, "Le digicode de l'immeuble est 4B729.")]
    for memory_id, text in facts:
        db.execute(
            "INSERT INTO memories (id, scope, kind, text, importance, created_at, number)"
            " VALUES (?, 's', 'teaching', ?, 0.8, 0, ?)",
            (memory_id, text, memory_id),
        )
        db.execute(
            "INSERT INTO memories_fts (rowid, text, context, scope_key, scope) VALUES (?, ?, '', hex('s'), 's')",
            (memory_id, text),
        )
    db.close()
    old = await aiosqlite.connect(path)
    assert not await (await old.execute("SELECT rowid FROM memories_fts WHERE memories_fts MATCH 'alergique'")).fetchall()
    await old.close()

    store = await Store.open(path)
    try:
        assert [hit.id for hit in await store.keywords.search("s", keyword_match("s", "alergique arachide"), 10)] == [1]
        assert [hit.id for hit in await store.keywords.search("s", keyword_match("s", "immeuble"), 10)] == [2]
        assert [m.text for m in await store.memories.get_memories("s", [1, 2])] == [t for _, t in facts]
    finally:
        await store.close()


async def test_migrations_apply_once_each_by_name_even_when_one_is_added_between(tmp_path):
    def create(table: str):
        async def apply(db: aiosqlite.Connection) -> None:
            await run_script(db, f"CREATE TABLE {table} (x INTEGER)")

        return apply

    first, last, middle = (Migration(name, create(name)) for name in ("first", "last", "middle"))
    db = await aiosqlite.connect(tmp_path / "named.db", isolation_level=None)
    try:
        assert await migrate(db, [first, last]) == ["first", "last"]
        assert await migrate(db, [first, last]) == []
        # A migration slotted in before one already applied still runs, once; the others do not rerun
        # (they would fail: their tables exist).
        assert await migrate(db, [first, middle, last]) == ["middle"]
        assert await migrate(db, [first, middle, last]) == []
    finally:
        await db.close()


async def test_corrections_are_embedded_again_with_typed_words_but_not_with_a_targeted_memorys_text(tmp_path):
    path = tmp_path / "souvenir.db"
    db = await aiosqlite.connect(path)
    under_test = next(i for i, m in enumerate(MIGRATIONS) if m.name == "corrections_embed_wrong_words")
    await migrate(db, MIGRATIONS[:under_test])  # the schema before the migration under test
    await db.execute("INSERT INTO scopes (id, created_at) VALUES ('s', 0)")
    rows = [  # id, kind, text, metadata, superseded_by
        (1, "teaching", "Le toit a été refait en 2018.", "{}", 3),
        (2, "teaching", "La chaudière date de 2010.", "{}", 4),
        (3, "correction", "Le toit a été refait en 2019.", '{"wrong": "Le toit a été refait en 2018."}', None),
        (4, "correction", "La chaudière date de 2012.", '{"wrong": "chaudiere 2010"}', None),
    ]
    for memory_id, kind, text, metadata, superseded_by in rows:
        await db.execute(
            "INSERT INTO memories (id, scope, kind, text, importance, created_at, number, metadata, embedding,"
            " embedder, superseded_by) VALUES (?, 's', ?, ?, 0.9, 0, ?, ?, ?, 'hash', ?)",
            (memory_id, kind, text, memory_id, metadata, VECTOR, superseded_by),
        )
    await db.commit()
    assert await migrate(db, MIGRATIONS[: under_test + 1]) == ["corrections_embed_wrong_words"]
    await db.close()

    store = await Store.open(path)
    try:
        assert await store.embeddings.texts_needing_embedding("s", "hash") == [
            (3, "Le toit a été refait en 2019."),  # `correct #1 | ...`: WRONG was #1's text, not typed
            (4, "La chaudière date de 2012.\nchaudiere 2010"),
        ]
    finally:
        await store.close()


async def test_conversation_memory_keeps_rows_and_settings_and_links_go_with_their_memory(tmp_path):
    path = tmp_path / "souvenir.db"
    db = await aiosqlite.connect(path)
    under_test = next(i for i, m in enumerate(MIGRATIONS) if m.name == "conversation_memory")
    await migrate(db, MIGRATIONS[:under_test])
    await db.execute("INSERT INTO scopes (id, created_at) VALUES ('s', 0)")
    for memory_id, text in ((1, "Le dentiste est mercredi."), (2, "Finalement le dentiste est jeudi.")):
        await db.execute(
            "INSERT INTO memories (id, scope, kind, text, importance, created_at, number, embedding, embedder)"
            " VALUES (?, 's', 'conversation', ?, 0.55, ?, ?, ?, 'hash')",
            (memory_id, text, memory_id, memory_id, VECTOR),
        )
    await db.execute("INSERT INTO chat_settings (chat_key, model) VALUES ('c', 'llama')")
    await db.commit()
    assert "conversation_memory" in await migrate(db)
    await db.close()

    store = await Store.open(path)
    try:
        settings = await store.chats.chat_settings("c")
        assert (settings.model, settings.memory) == ("llama", None)
        await store.chats.set_chat_memory("c", "off")
        assert (await store.chats.chat_settings("c")).memory == "off"
        await store.links.link_updates([1], 2)
        assert [m.id for m in (await store.links.updates_for("s", [1]))[1]] == [2]
        await store.memories.delete_memory("s", 2)
        assert await store.links.updates_for("s", [1]) == {}
    finally:
        await store.close()


async def test_family_access_keeps_every_role_and_names_the_old_user_role_member(tmp_path):
    path = tmp_path / "souvenir.db"
    db = create_release_database(path, version=2)
    fill_like_the_release(db)
    db.execute("INSERT INTO access (user, role, created_at) VALUES ('discord:7', 'user', 8.0)")
    db.execute("INSERT INTO access (user, role, created_at) VALUES ('matrix:@a:hs', 'admin', 9.0)")
    db.close()
    store = await Store.open(path)
    try:
        members = [(m.user, m.role) for m in await store.roles.members()]
        assert members == [("telegram:1", "owner"), ("matrix:@a:hs", "admin"), ("discord:7", "member")]
        assert await store.invitations.pending(0.0) == [] and await store.requests.pending() == []
        assert not await store.roles.is_open("telegram:chat:-1")
    finally:
        await store.close()
