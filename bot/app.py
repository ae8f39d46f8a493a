"""Wiring: build every collaborator from the settings, once, and hand them over through constructors."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.console import CONSOLE_USER
from bot.media_engines import build_media
from bot.memory_app import MemoryApp, build_memory_app
from bot.model_servers import build_pool
from bot.settings import Settings
from core.access import AccessControl, AccessRules
from core.assistant import Assistant, Exporter
from core.conversation import Conversation, TalkSettings
from core.disk import DiskWatch, FullDiskAlert
from core.embeddings import Embedder
from core.export import exporter_for
from core.i18n import Translator
from core.llm import ChatModel
from core.llm.pool import ModelPool
from core.membership import Membership
from core.notifier import Notifier


@dataclass
class App(MemoryApp):
    """The assembled application: the memory side, the LLM and the assistant every platform talks to."""

    llm: ModelPool
    assistant: Assistant

    async def close(self) -> None:
        """Save the indexes, close the database and the model servers' connections."""
        await super().close()
        await self.llm.close()


async def build_app(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    chat_model: ChatModel | None = None,
    exporter: Exporter | None = None,
) -> App:
    """Open the store under the data directory and assemble the services."""
    llm = build_pool(settings, chat_model)
    parts = await build_memory_app(settings, embedder=embedder)
    memory = parts.memory
    translate = Translator(default=settings.language)
    conversation = Conversation(
        parts.store,
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
    store = parts.store
    access = AccessControl(
        store.roles,
        allowed=[*settings.allowed_users, CONSOLE_USER],
        admins=[*settings.admins, CONSOLE_USER],
        invitations=store.invitations,
        requests=store.requests,
        rules=AccessRules(
            pairing_ttl=settings.access.pairing_minutes * 60,
            invitation_ttl=settings.access.invitation_hours * 3600,
            request_cooldown=settings.access.request_cooldown_hours * 3600,
        ),
    )
    # Adapters attach their direct-message channel to the notifier when they start.
    notifier = Notifier()
    membership = Membership(access, notifier, translate, store.interactions)
    disk = DiskWatch(settings.data_dir, settings.limits.low_disk_mb * 1024 * 1024)
    store.database.on_full = FullDiskAlert(membership.tell_managers, settings.data_dir.resolve()).writes_refused
    store.database.has_room = disk.has_room
    if exporter is None:
        exporter = exporter_for(memory)
    assistant = Assistant(
        memory,
        conversation,
        access,
        llm,
        translate,
        exporter=exporter,
        media=build_media(settings),
        notifier=notifier,
        membership=membership,
        disk=disk,
    )
    return App(settings, parts.store, parts.indexes, parts.embedder, memory, llm, assistant)
