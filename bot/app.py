"""Wiring: build every collaborator from the settings, once, and hand them over through constructors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from adapters.console import CONSOLE_USER
from bot.embedder import build_embedder
from bot.media_engines import build_media
from bot.settings import Settings
from core.access import AccessControl
from core.assistant import Assistant, Exporter
from core.conversation import Conversation, TalkSettings
from core.embeddings import Embedder
from core.export import exporter_for
from core.i18n import Translator
from core.llm import ChatModel
from core.llm.ollama_chat import OllamaChatModel
from core.memory import MemoryLimits, MemoryService
from core.retrieval.hybrid import Retriever, config_for
from core.store import Store
from core.vector_index import VectorIndexes


@dataclass
class App:
    """The assembled application."""

    settings: Settings
    store: Store
    indexes: VectorIndexes
    embedder: Embedder
    llm: ChatModel
    memory: MemoryService
    assistant: Assistant

    async def close(self) -> None:
        """Save the indexes and close the database."""
        await self.indexes.flush()
        await self.store.close()


def database_path(data_dir: Path) -> Path:
    """Where the SQLite database lives."""
    return data_dir / "souvenir.db"


async def build_app(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    chat_model: ChatModel | None = None,
    exporter: Exporter | None = None,
) -> App:
    """Open the store under the data directory and assemble the services."""
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    embedder = embedder or build_embedder(settings)
    llm = chat_model or OllamaChatModel(
        settings.ollama.host,
        timeout=settings.ollama.timeout,
        options={"temperature": settings.ollama.temperature},
        max_context=settings.ollama.num_ctx,
    )
    store = await Store.open(database_path(data_dir))
    indexes = VectorIndexes(store.memories, embedder, data_dir / "indexes")
    retriever = Retriever(store.memories, indexes, embedder, config_for(embedder.name))
    limits = MemoryLimits(
        max_memories_per_scope=settings.limits.max_memories_per_scope,
        max_upload_bytes=settings.limits.max_upload_bytes,
        max_text_chars=settings.limits.max_text_chars,
        embed_batch=settings.embeddings.batch_size,
    )
    memory = MemoryService(store, indexes, embedder, retriever, limits=limits)
    translate = Translator(default=settings.language)
    conversation = Conversation(
        store,
        memory,
        llm,
        translate,
        TalkSettings(
            settings.persona,
            settings.ollama.model,
            settings.limits.context_memories,
            settings.limits.history_turns,
            answer_tokens=settings.ollama.answer_tokens,
        ),
    )
    # The person at the terminal owns the machine: the console user is always allowed and an admin.
    access = AccessControl(
        store.roles, allowed=[*settings.allowed_users, CONSOLE_USER], admins=[*settings.admins, CONSOLE_USER]
    )
    if exporter is None:
        exporter = exporter_for(memory)
    assistant = Assistant(
        memory, conversation, access, llm, translate, exporter=exporter, media=build_media(settings)
    )
    return App(settings, store, indexes, embedder, llm, memory, assistant)
