"""Concurrent questions share embedding calls, off the event loop, and errors reach every asker."""

import asyncio
import threading

import numpy as np
import pytest

from core.embeddings.fake import HashingEmbedder
from core.embeddings.query_batcher import QueryBatcher


async def test_concurrent_queries_share_calls_and_get_their_own_vectors():
    embedder = HashingEmbedder()
    batcher = QueryBatcher(embedder)
    queries = [f"question number {i} about topic {i * 7}" for i in range(20)]
    vectors = await asyncio.gather(*(batcher.embed(q) for q in queries))
    assert len(embedder.calls) <= 3 and sum(embedder.calls) == 20
    for query, vector in zip(queries, vectors, strict=True):
        np.testing.assert_allclose(vector, HashingEmbedder().embed([query])[0], rtol=1e-6)
    assert threading.get_ident() not in embedder.threads


class FailingOnce(HashingEmbedder):
    """Raises on its first call only."""

    def embed(self, texts):
        if not self.calls:
            self.calls.append(len(texts))
            raise RuntimeError("model crashed")
        return super().embed(texts)


async def test_an_embedder_error_reaches_every_waiter_and_the_next_query_works():
    batcher = QueryBatcher(FailingOnce())
    results = await asyncio.gather(batcher.embed("a"), batcher.embed("b"), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert (await batcher.embed("c")).shape == (256,)


async def test_a_cancelled_asker_does_not_break_the_others():
    batcher = QueryBatcher(HashingEmbedder())
    first = asyncio.create_task(batcher.embed("first"))
    second = asyncio.create_task(batcher.embed("second"))
    await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert (await second).shape == (256,)
