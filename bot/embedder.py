"""The embedder the settings ask for, built without loading it (the CLI and the benchmarks share this)."""

from __future__ import annotations

from bot.settings import Settings
from core.embeddings import Embedder
from core.embeddings.fake import HashingEmbedder


def build_embedder(settings: Settings) -> Embedder:
    """The configured embedder; its model (and torch, if it needs it) loads on first use, not here.

    `hashing` selects the word-hash test double: no model, instant start, poor recall (tests and trials).
    """
    if settings.embeddings.model == HashingEmbedder.setting:
        return HashingEmbedder()
    from core.embeddings.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(
        settings.embeddings.model,
        batch_size=settings.embeddings.batch_size,
        device=settings.embeddings.device,
    )
