"""Concurrent uploads share one embedding worker: one batch in memory at a time, whatever the uploads."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from core.embeddings.fake import HashingEmbedder

pytestmark = pytest.mark.timeout(120)


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, recording how many batches run at once and on which threads."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.running = 0
        self.most_at_once = 0
        self.workers: set[int] = set()
        self.batches = 0

    def embed(self, texts):
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.workers.add(threading.get_ident())
            self.batches += 1
        try:
            time.sleep(0.005)  # long enough for other uploads to try to run beside it
            return super().embed(texts)
        finally:
            with self._lock:
                self.running -= 1


def _document(seed: int) -> bytes:
    return "\n\n".join(f"Paragraph {seed}-{i}: the shed key number {seed * 1000 + i} hangs by the door." for i in range(2000)).encode()


async def test_uploads_and_teachings_at_once_embed_one_batch_at_a_time_and_all_land(make_app):
    embedder = CountingEmbedder()
    app = await make_app(embedder=embedder)
    scopes = [f"telegram:user:{i}" for i in range(3)]
    reports, *_ = await asyncio.gather(
        asyncio.gather(*(app.memory.documents.ingest(s, f"notes{i}.txt", _document(i)) for i, s in enumerate(scopes))),
        *(app.memory.teaching.teach(s, f"The boat of {s} is blue.") for s in scopes),
    )
    assert embedder.batches > 6 and embedder.most_at_once == 1
    assert len(embedder.workers) == 1  # one worker thread: one malloc arena, one batch's activations
    for report, scope in zip(reports, scopes, strict=True):
        assert report.memory_ids and (await app.store.stats(scope)).live == report.count + 1
    hits = await app.memory.reading.search(scopes[1], "shed key number 1042", mode="keyword")
    assert "1042" in hits[0].memory.text and hits[0].memory.scope == scopes[1]
