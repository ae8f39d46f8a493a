"""One embedding worker shared by every upload and teaching, so memory stays bounded under concurrency."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from core.embeddings.base import Embedder


class EmbeddingPipeline:
    """Embeds batches on one worker thread, in arrival order.

    Three uploads at once used to embed three batches at once, each in its own thread with its own
    activations and malloc arena (650 MB → 1.6 GB peak). Here they take turns, a batch each: the
    peak is one batch's whatever the number of uploads, and a teaching waits at most one batch.
    """

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="souvenir-embed")

    async def embed(self, texts: list[str]) -> np.ndarray:
        """The vectors of `texts`, computed on the shared worker."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, self._embedder.embed, texts)

    def close(self) -> None:
        """Let the worker finish its batch and stop."""
        self._worker.shutdown(wait=False)
