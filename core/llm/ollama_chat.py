"""The production chat model: a local Ollama server through the official `ollama` client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import ollama

from core.errors import LLMUnavailable, ModelMissing
from core.llm.base import ChatMessage


class OllamaChatModel:
    """Streams chat answers from Ollama and maps its failures to user-facing errors."""

    def __init__(self, host: str, *, timeout: float = 120.0, options: dict | None = None) -> None:
        self.host = host
        self._client = ollama.AsyncClient(host=host, timeout=timeout)
        self._options = options or {}

    async def stream(self, model: str, messages: list[ChatMessage]) -> AsyncIterator[str]:
        """Text deltas of the answer; LLMUnavailable / ModelMissing if it cannot start."""
        try:
            response = await self._client.chat(
                model=model,
                messages=[{"role": m.role, "content": m.content} for m in messages],
                stream=True,
                options=self._options or None,
            )
            async for part in response:
                content = part.message.content if part.message else None
                if content:
                    yield content
        except ollama.ResponseError as error:
            if error.status_code == 404:
                raise ModelMissing(model=model) from error
            raise LLMUnavailable(host=self.host, detail=str(error.error)) from error
        except (ConnectionError, httpx.TransportError) as error:
            raise LLMUnavailable(host=self.host, detail=type(error).__name__) from error

    async def list_models(self) -> list[str]:
        """Names of the models Ollama has pulled."""
        try:
            listed = await self._client.list()
        except (ConnectionError, httpx.TransportError, ollama.ResponseError) as error:
            raise LLMUnavailable(host=self.host, detail=type(error).__name__) from error
        return [m.model for m in listed.models if m.model]

    async def is_reachable(self) -> bool:
        """Whether Ollama answers."""
        try:
            await self.list_models()
        except LLMUnavailable:
            return False
        return True

    @property
    def client(self) -> ollama.AsyncClient:
        """The underlying client (model creation uses it)."""
        return self._client
