"""Which embedder a setting names: `auto` routes by the bot's language (measured in bench/french.py)."""

from __future__ import annotations

from core.embeddings.base import Embedder

AUTO = "auto"
USE_ALIASES = frozenset({"use", "usem3", "use-multilingual", "use-multilingual-v3"})


def resolve_model(model: str, language: str) -> str:
    """The concrete model behind a setting: `auto` is the multilingual USE for French, MiniLM otherwise."""
    if model.strip().lower() == AUTO:
        return "use-multilingual-v3" if language == "fr" else "packaged"
    return model


def make_embedder(model: str, language: str, *, batch_size: int = 64, device: str | None = None) -> Embedder:
    """The embedder for `model` (`auto`, `usem3`, `packaged`, or any sentence-transformers name or path)."""
    resolved = resolve_model(model, language)
    if resolved.strip().lower() in USE_ALIASES:
        from core.embeddings.multilingual_use import MultilingualUSEEmbedder

        return MultilingualUSEEmbedder()
    from core.embeddings.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(resolved, batch_size=batch_size, device=device)
