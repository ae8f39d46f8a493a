"""Shared fixtures: a stand-in Ollama server and a factory for fully wired apps on temp data."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.app import App, build_app
from bot.settings import Settings
from core.embeddings.fake import HashingEmbedder
from tests.fakes.ollama_server import FakeOllama


class _UnknownKeys(logging.Handler):
    """Collects the message keys the translator did not know."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.keys: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "unknown message key %r":
            self.keys.append(str(record.args[0]))


@pytest.fixture(autouse=True)
def unknown_message_keys():
    """Any test during which a message key was unknown fails (users would have read an apology);
    a test that asks for an unknown key on purpose clears `.keys`."""
    handler = _UnknownKeys()
    logging.getLogger("core.i18n").addHandler(handler)
    yield handler
    logging.getLogger("core.i18n").removeHandler(handler)
    assert handler.keys == [], f"unknown message keys: {handler.keys}"


@pytest.fixture(scope="session")
def minilm_embedder():
    """The real packaged MiniLM embedder, loaded once per test session."""
    from core.embeddings.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def use_embedder():
    """The real multilingual Universal Sentence Encoder (numpy), loaded once per test session."""
    from core.embeddings.multilingual_use import MultilingualUSEEmbedder

    return MultilingualUSEEmbedder()


@pytest.fixture
async def fake_ollama() -> AsyncIterator[FakeOllama]:
    """A running stand-in Ollama server."""
    async with FakeOllama() as server:
        yield server


@pytest.fixture
async def make_app(request, tmp_path, fake_ollama) -> AsyncIterator[Callable[..., Awaitable[App]]]:
    """`await make_app(embedder="hash"|"minilm"|"use", ollama_host=..., **settings)`: a wired app on temp data."""
    apps: list[App] = []

    async def factory(embedder: str = "hash", ollama_host: str | None = None, **overrides) -> App:
        overrides.setdefault("data_dir", tmp_path / "data")
        overrides.setdefault("language", "en")
        settings = Settings(_env_file=None, **overrides)
        settings.ollama.host = ollama_host or fake_ollama.url
        real = {"minilm": "minilm_embedder", "use": "use_embedder"}
        if not isinstance(embedder, str):  # an embedder given as is (a test double)
            chosen = embedder
        else:
            chosen = request.getfixturevalue(real[embedder]) if embedder in real else HashingEmbedder()
        app = await build_app(settings, embedder=chosen)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        await app.close()
