"""The chat-model interface the core talks to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from core.errors import UserError


@dataclass
class ChatMessage:
    """One message of a chat prompt."""

    role: str
    content: str


class ChatModel(Protocol):
    """Streams answers; raises core.errors.LLMUnavailable (or a subclass) or ModelMissing on failure."""

    host: str

    async def context_window(self, model: str) -> int:
        """The context, in tokens, that `stream` asks `model` for (raises like `stream`)."""
        ...

    def stream(self, model: str, messages: list[ChatMessage]) -> AsyncIterator[str]:
        """Text deltas of the answer to `messages` from `model`."""
        ...

    async def list_models(self) -> list[str]:
        """Names of the installed models (raises LLMUnavailable)."""
        ...

    async def is_reachable(self) -> bool:
        """Whether the server answers at all."""
        ...


async def answers(model: ChatModel) -> bool:
    """Whether `model`'s server answers its model list: what every `is_reachable` checks."""
    try:
        await model.list_models()
    except UserError:
        return False
    return True
