"""Query embedding in one lane: queries that arrive while a call runs share the next call."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

import numpy as np

from core.embeddings.base import Embedder


class QueryBatcher:
    """Embeds short queries off the loop, one worker call at a time, batching whatever is waiting.

    Twenty concurrent questions become two or three model calls instead of twenty threads fighting
    over the GIL and the CPU (which stalled the event loop for 100+ ms during a big ingestion).
    """

    def __init__(self, embedder: Embedder, *, recent: int = 256) -> None:
        self._embedder = embedder
        self._pending: list[tuple[str, asyncio.Future[np.ndarray]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._keep = recent

    async def embed(self, text: str) -> np.ndarray:
        """The vector of `text`, computed in a worker thread together with other waiting queries.

        The last `recent` vectors are kept: a message that is asked about, then stored as a memory
        from conversation, is embedded once (bench/conversation.py measures the cost per message).
        """
        if (known := self._recent.get(text)) is not None:
            self._recent.move_to_end(text)
            return known
        future: asyncio.Future[np.ndarray] = asyncio.get_running_loop().create_future()
        self._pending.append((text, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        """Embed the waiting queries batch after batch until none is left."""
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                vectors = await asyncio.to_thread(self._embedder.embed, [text for text, _ in batch])
            except Exception as error:  # each waiter sees the embedder's own error
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (text, future), vector in zip(batch, vectors, strict=True):
                vector.flags.writeable = False
                self._recent[text] = vector
                if not future.done():
                    future.set_result(vector)
            while len(self._recent) > self._keep:
                self._recent.popitem(last=False)
