"""A deterministic test double for the embedder: hashed bag of words, no model to load."""

from __future__ import annotations

import hashlib
import re
import threading

import numpy as np

from core.embeddings.base import normalise

_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Vectors from hashed lower-cased words (and their 4-letter prefixes): similar words, similar vectors."""

    name = "hashing-test-double"
    setting = "hashing"  # SOUVENIR_EMBEDDINGS__MODEL value that selects it

    def __init__(self, dimension: int = 256) -> None:
        self._dimension = dimension
        self.calls: list[int] = []
        self.threads: set[int] = set()

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        return self._dimension

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts` (blocking, cheap)."""
        self.calls.append(len(texts))
        self.threads.add(threading.get_ident())
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                for token in {word, word[:4]}:
                    digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                    out[row, int.from_bytes(digest, "little") % self._dimension] += 1.0
        return normalise(out)
