"""A scripted test double for the chat model: records prompts, answers from a script."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from core.errors import LLMUnavailable, ModelMissing
from core.llm.base import ChatMessage


class ScriptedChatModel:
    """Answers with `reply(messages)` (or a fixed text) in word-sized chunks; can simulate outages."""

    def __init__(
        self,
        reply: str | Callable[[list[ChatMessage]], str] = "OK.",
        *,
        models: list[str] | None = None,
        reachable: bool = True,
        delay: float = 0.0,
        window: int = 4096,
    ) -> None:
        self.host = "scripted"
        self.reply = reply
        self.models = models if models is not None else ["llama3.2"]
        self.reachable = reachable
        self.delay = delay
        self.window = window
        self.prompts: list[list[ChatMessage]] = []

    async def context_window(self, model: str) -> int:
        """The scripted context size."""
        if not self.reachable:
            raise LLMUnavailable()
        return self.window

    async def stream(self, model: str, messages: list[ChatMessage]) -> AsyncIterator[str]:
        """Yield the scripted answer word by word."""
        if not self.reachable:
            raise LLMUnavailable()
        if model not in self.models:
            raise ModelMissing(model=model)
        self.prompts.append(messages)
        text = self.reply(messages) if callable(self.reply) else self.reply
        for i, word in enumerate(text.split(" ")):
            if self.delay:
                await asyncio.sleep(self.delay)
            yield word if i == 0 else " " + word

    async def list_models(self) -> list[str]:
        """The scripted model names."""
        if not self.reachable:
            raise LLMUnavailable()
        return list(self.models)

    async def is_reachable(self) -> bool:
        """Whether the double pretends to be up."""
        return self.reachable
