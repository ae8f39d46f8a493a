"""The store under concurrency: readers never see uncommitted writes, processes migrate one at a time,
and a chat's short-term turns stay in the scope they were spoken in."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time

import pytest

import core.store.memories
from core.store.migrations.registry import MIGRATIONS
from core.wording.marks import index_entry, keyword_match
from tests.requests import request, say

SCOPE = "console:user:local"
LEASE = ". ".join(f"Clause {n} of the lease says the rent rises by {n} percent" for n in range(400)) + "."


async def test_a_read_during_an_ingestion_does_not_see_its_uncommitted_rows(make_app, monkeypatch):
    app = await make_app()
    written = asyncio.Event()
    release = asyncio.Event()
    index_keywords = core.store.memories.index_keywords

    async def paused(db, scope, rows):
        # Inside the ingestion's transaction, after its memory and document rows are written.
        written.set()
        await release.wait()
        await index_keywords(db, scope, rows)

    monkeypatch.setattr(core.store.memories, "index_keywords", paused)
    ingest = asyncio.create_task(app.memory.documents.ingest(SCOPE, "lease.txt", LEASE.encode()))
    await asyncio.wait_for(written.wait(), 30)

    assert await app.store.memories.count_live(SCOPE) == 0
    assert await app.store.documents.list_documents(SCOPE) == []
    assert (await app.memory.reading.remember(SCOPE))[1] == 0
    assert await app.memory.reading.search(SCOPE, "rent rises", mode="keyword") == []

    release.set()
    report = await ingest
    assert report.count > 10
    assert await app.store.memories.count_live(SCOPE) == report.count
    assert await app.memory.reading.search(SCOPE, "rent rises", mode="keyword")


async def test_a_failed_ingestion_was_never_visible_and_leaves_nothing(make_app, monkeypatch):
    app = await make_app()
    seen: list[int] = []

    async def failing(db, scope, rows):
        seen.append(await app.store.memories.count_live(scope))
        raise RuntimeError("disk full")

    monkeypatch.setattr(core.store.memories, "index_keywords", failing)
    with pytest.raises(RuntimeError):
        await app.memory.documents.ingest(SCOPE, "lease.txt", LEASE.encode())
    assert seen == [0]
    assert await app.store.memories.count_live(SCOPE) == 0
    assert await app.store.documents.list_documents(SCOPE) == []


OPEN_WHEN_TOLD = """
import asyncio, pathlib, sys, time
from core.store import Store
go = pathlib.Path(sys.argv[1])
(go.parent / f"ready-{sys.argv[3]}").touch()
while not go.exists():
    time.sleep(0.001)
async def main():
    store = await Store.open(pathlib.Path(sys.argv[2]))
    await store.close()
asyncio.run(main())
"""


def test_processes_started_together_on_a_fresh_database_all_migrate_cleanly(tmp_path):
    go = tmp_path / "go"
    path = tmp_path / "data" / "souvenir.db"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_WHEN_TOLD, str(go), str(path), str(number)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for number in range(18)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < 18 and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    results = [(process.wait(timeout=120), process.communicate()[1]) for process in processes]
    assert [(code, err[-300:]) for code, err in results if code != 0] == []
    names = sqlite3.connect(path).execute("SELECT name FROM schema_migrations").fetchall()
    assert sorted(name for (name,) in names) == sorted(m.name for m in MIGRATIONS)


async def test_turns_of_a_direct_chat_do_not_reach_the_group_it_becomes(make_app, fake_ollama):
    app = await make_app(allowed_users=["matrix:@alice:hs", "matrix:@bob:hs"])
    room = "matrix:room:!r:hs"
    alice = "matrix:user:@alice:hs"
    fake_ollama.reply = "Noted."
    await say(app, "My bank PIN is 4417, keep it secret.", scope=alice, chat=room, platform="matrix", user="@alice:hs")
    # A third member joins: the same room is now a group with its own scope.
    assert "4417" in str(fake_ollama.chat_requests[-1])
    fake_ollama.chat_requests.clear()
    group = request("What did we talk about?", scope=room, chat=room, platform="matrix", user="@bob:hs", is_group=True)
    group.mentions_bot = True
    await (await app.assistant.handle(group)).final_text()
    (prompt,) = fake_ollama.chat_requests
    assert "4417" not in str(prompt)
    # The direct chat still has its own turns.
    turns = await app.store.interactions.recent_interactions(alice, room, 5)
    assert [t.input for t in turns] == ["My bank PIN is 4417, keep it secret."]


async def test_keyword_search_never_returns_another_scopes_memory_even_from_a_stray_index_row(make_app):
    app = await make_app()
    mine, theirs = "telegram:user:1", "telegram:user:2"
    await app.memory.teaching.teach(mine, "The boat is moored in Brest.")
    secret = await app.memory.teaching.teach(theirs, "The safe combination is 7713.")
    # A keyword-index row of the other scope carrying this scope's mark (as a corrupt index could).
    async with app.store.database.transaction() as db:
        await db.execute(
            "UPDATE memories_fts SET text = ? WHERE rowid = ?", (index_entry(mine, secret.text), secret.id)
        )
    stray = await app.store.keywords.search(mine, keyword_match(mine, "safe combination"), 10)
    assert secret.id in [hit.id for hit in stray]  # the index itself now answers with the stray row
    for mode in ("keyword", "hybrid"):
        hits = await app.memory.reading.search(mine, "safe combination", mode=mode)
        assert secret.id not in [h.memory.id for h in hits]


async def test_the_keyword_index_reads_one_scopes_rows_only(make_app):
    app = await make_app()
    mine, theirs = "telegram:user:1", "telegram:group:-100"
    ours = await app.memory.teaching.teach(mine, "The boat is moored in Brest.")
    others = [await app.memory.teaching.teach(theirs, f"The boat number {n} is moored in Brest.") for n in range(5)]
    hits = await app.store.keywords.search(mine, keyword_match(mine, "boat Brest"), 10)
    assert [hit.id for hit in hits] == [ours.id]
    hits = await app.store.keywords.search(theirs, keyword_match(theirs, "boat Brest"), 10)
    assert sorted(hit.id for hit in hits) == sorted(m.id for m in others)
