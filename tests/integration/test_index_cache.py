"""The index cache under load: more active scopes than its memory budget holds, all at once."""

from __future__ import annotations

import asyncio

import pytest

from core.models import Kind, NewMemory

pytestmark = pytest.mark.timeout(300)

SCOPES = [f"telegram:user:{1000 + k}" for k in range(250)]


async def test_many_concurrent_scopes_over_the_budget_lose_no_answer_and_rebuild_nothing(make_app):
    # 1 MB holds about 160 of these small indexes: 250 scopes working at once must evict under load.
    app = await make_app(limits={"index_cache_mb": 1})
    first = await asyncio.gather(
        *(app.memory.teaching.teach(s, f"{s} keeps the blue key number {i}.") for i, s in enumerate(SCOPES))
    )
    rebuilt_before = app.indexes.loader.rebuilds

    async def work(i: int, scope: str) -> tuple[int, list[int]]:
        taught = await app.memory.teaching.teach(scope, f"{scope} parks in row {i} of the garage.")
        hits = await app.memory.reading.search(scope, f"blue key number {i} garage row {i}", mode="dense", limit=5)
        return taught.id, [h.memory.id for h in hits]

    results = await asyncio.gather(*(work(i, s) for i, s in enumerate(SCOPES)))

    for (taught, found), old in zip(results, first, strict=True):
        assert {taught, old.id} <= set(found)  # both memories of the scope, none lost to an eviction
    assert app.indexes.evictions > 0
    assert app.indexes.loader.rebuilds == rebuilt_before  # an evicted index is reloaded, never rebuilt
    assert app.indexes.cached_bytes() <= 1024 * 1024

    # Every scope still answers from its saved index after the storm, all of it.
    again = await asyncio.gather(*(app.memory.reading.search(s, "garage row", mode="dense", limit=5) for s in SCOPES))
    assert all(len(hits) == 2 for hits in again)
    assert app.indexes.loader.rebuilds == rebuilt_before


async def test_an_index_evicted_between_the_two_steps_of_a_write_is_caught_up_not_rebuilt(make_app):
    app = await make_app(limits={"index_cache_mb": 1})
    scope = "telegram:user:7"
    kept = await app.memory.teaching.teach(scope, "The spare key is under the blue pot.")
    await app.indexes.prepare(scope)
    vectors = await asyncio.to_thread(app.embedder.embed, ["The boat is called Marguerite."])
    ids, _ = await app.store.memories.add_memories(
        scope, [NewMemory("The boat is called Marguerite.", Kind.TEACHING, 0.7)], vectors, app.embedder.name
    )
    await app.indexes.flush()
    app.indexes._loaded.clear()  # evicted (saved) before the second step of the write
    rebuilt_before = app.indexes.loader.rebuilds
    await app.indexes.add(scope, ids, vectors)
    hits = await app.memory.reading.search(scope, "boat Marguerite", mode="dense")
    assert ids[0] in [h.memory.id for h in hits] and kept.id in [h.memory.id for h in hits]
    assert app.indexes.loader.rebuilds == rebuilt_before
    assert app.indexes.loader.catch_ups == 1
