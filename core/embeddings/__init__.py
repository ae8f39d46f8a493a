"""Sentence embedders: the interface, the production model and a test double."""

from core.embeddings.base import Embedder

__all__ = ["Embedder"]
