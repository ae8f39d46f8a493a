"""The embedder the settings ask for, built without loading it (the CLI and the benchmarks share this)."""

from __future__ import annotations

from bot.settings import Settings
from core.embeddings import Embedder
from core.embeddings.fake import HashingEmbedder


def build_embedder(settings: Settings) -> Embedder:
    """The configured embedder (`auto` routes by language); its model loads on first use, not here.

    `hashing` selects the word-hash test double: no model, instant start, poor recall (tests and trials).
    """
    if settings.embeddings.model == HashingEmbedder.setting:
        return HashingEmbedder()
    from core.embeddings.choice import make_embedder

    return make_embedder(
        settings.embeddings.model,
        settings.language,
        batch_size=settings.embeddings.batch_size,
        device=settings.embeddings.device,
    )
