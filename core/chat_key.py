"""Chat keys: which conversation a message belongs to (short-term turns, /why, /model, /language, /reset)."""

from __future__ import annotations

from typing import NewType

ChatKey = NewType("ChatKey", str)
"""`platform:kind:id`, e.g. `telegram:chat:42`, `discord:channel:7`, `matrix:room:!abc:hs`."""


def chat_key(platform: str, kind: str, chat_id: str | int) -> ChatKey:
    """The key of one conversation: a Telegram chat, a Discord channel, a Matrix room, the console."""
    return ChatKey(f"{platform}:{kind}:{chat_id}")


CONSOLE_CHAT = chat_key("console", "chat", "local")
