"""Per-chat settings: the model and language a chat uses, and when its short-term turns were last reset."""

from __future__ import annotations

import time
from dataclasses import dataclass

from core.store.database import Database
from core.store.rows import from_row


@dataclass(frozen=True)
class ChatSettings:
    """A chat's model and language overrides (None: the defaults) and reset time."""

    model: str | None = None
    reset_at: float = 0.0
    language: str | None = None
    memory: str | None = None
    """What this chat remembers of conversation: `auto`, `explicit`, `off`; None: the default for its kind."""


_COLUMNS = frozenset({"model", "reset_at", "language", "memory"})
"""The columns `_set` may write (the column name is part of the SQL text, never a user's input)."""


class ChatSettingsStore:
    """Settings keyed by chat (not scope): they hold no memory, only how a chat is served."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def chat_settings(self, chat_key: str) -> ChatSettings:
        """The settings of a chat (defaults when never set)."""
        row = await self._db.fetchone(
            "SELECT model, reset_at, language, memory FROM chat_settings WHERE chat_key = ?", (chat_key,)
        )
        return from_row(ChatSettings, row) if row else ChatSettings()

    async def _set(self, chat_key: str, column: str, value: object) -> None:
        """Write one setting of a chat, creating its row on first use."""
        if column not in _COLUMNS:
            raise ValueError(f"not a chat setting: {column}")
        async with self._db.transaction() as db:
            await db.execute(
                f"INSERT INTO chat_settings (chat_key, {column}) VALUES (?, ?) "
                f"ON CONFLICT(chat_key) DO UPDATE SET {column} = excluded.{column}",
                (chat_key, value),
            )

    async def set_chat_model(self, chat_key: str, model: str) -> None:
        """Use `model` in this chat from now on."""
        await self._set(chat_key, "model", model)

    async def set_chat_language(self, chat_key: str, language: str) -> None:
        """Answer in `language` in this chat from now on."""
        await self._set(chat_key, "language", language)

    async def set_chat_memory(self, chat_key: str, mode: str) -> None:
        """Capture conversation in this chat as `mode` (`auto`, `explicit`, `off`) from now on."""
        await self._set(chat_key, "memory", mode)

    async def reset_chat(self, chat_key: str) -> None:
        """Forget the chat's short-term turns (the log itself is kept)."""
        await self._set(chat_key, "reset_at", time.time())
