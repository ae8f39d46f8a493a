"""The embedder interface: texts in, L2-normalised float32 vectors out (called in a worker thread)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

import numpy as np

T = TypeVar("T")


class Embedder(Protocol):
    """Turns texts into unit vectors; `name` identifies the model so stored vectors stay comparable."""

    name: str

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        ...

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts` (blocking; call it off the event loop) as an (n, dimension) float32 array."""
        ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Scale rows to unit length (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class LoadOnce(Generic[T]):
    """A model built on first use, once, by whichever worker thread asks first (the others wait)."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        """The built value (building it now when nobody has yet)."""
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value
