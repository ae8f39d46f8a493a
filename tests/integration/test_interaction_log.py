"""The conversation log under load, on the real SQLite: exchanges logged at once share one commit,
each keeps its own id, and a failed commit reaches every caller."""

from __future__ import annotations

import asyncio

import pytest

from core.store import Store
from core.store.database import Database

pytestmark = pytest.mark.timeout(60)


def _exchange(n: int) -> tuple:
    return (f"telegram:user:{n}", f"telegram:chat:{n}", f"telegram:{n}", f"question {n}", f"answer {n}", [n], "m", 1.0)


async def test_exchanges_logged_at_once_share_a_commit_and_each_keeps_its_id(tmp_path, monkeypatch):
    store = await Store.open(tmp_path / "souvenir.db")
    transactions = 0
    begin = Database.transaction

    def counted(self):
        nonlocal transactions
        transactions += 1
        return begin(self)

    monkeypatch.setattr(Database, "transaction", counted)
    try:
        ids = await asyncio.gather(*(store.interactions.log_interaction(*_exchange(n)) for n in range(200)))
        assert len(set(ids)) == 200
        for n in (0, 57, 199):  # each caller's id is the row of its own exchange, in its own scope
            (turn,) = await store.interactions.recent_interactions(f"telegram:user:{n}", f"telegram:chat:{n}", 5)
            assert (turn.id, turn.input, turn.output, turn.memory_ids) == (ids[n], f"question {n}", f"answer {n}", [n])
        # Before: one transaction each, queued behind the one writer (seconds of waiting at 200 chats).
        assert transactions <= 3
        assert await store.interactions.log_interaction(*_exchange(200)) > max(ids)
    finally:
        await store.close()


async def test_a_failed_commit_reaches_every_caller_of_its_batch_and_the_next_batch_is_written(tmp_path, monkeypatch):
    store = await Store.open(tmp_path / "souvenir.db")
    insert = type(store.interactions)._insert
    failures = [RuntimeError("disk on fire")]

    async def first_fails(self, rows):
        if failures:
            raise failures.pop()
        return await insert(self, rows)

    monkeypatch.setattr(type(store.interactions), "_insert", first_fails)
    try:
        results = await asyncio.gather(
            *(store.interactions.log_interaction(*_exchange(n)) for n in range(5)), return_exceptions=True
        )
        assert all(isinstance(r, RuntimeError) for r in results)
        assert await store.interactions.count("telegram:user:1") == 0
        later = await store.interactions.log_interaction(*_exchange(1))
        assert [t.id for t in await store.interactions.all_interactions("telegram:user:1")] == [later]
    finally:
        await store.close()


async def test_closing_the_store_commits_the_exchanges_still_being_logged(tmp_path):
    store = await Store.open(tmp_path / "souvenir.db")
    pending = [asyncio.create_task(store.interactions.log_interaction(*_exchange(n))) for n in range(10)]
    await asyncio.sleep(0)  # they are queued, not yet committed
    await store.close()
    assert all(task.done() and not task.cancelled() for task in pending)
    again = await Store.open(tmp_path / "souvenir.db")
    try:
        assert sum([await again.interactions.count(f"telegram:user:{n}") for n in range(10)]) == 10
    finally:
        await again.close()
