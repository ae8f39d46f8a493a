"""The production chat model: a local Ollama server through the official `ollama` client."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from core.errors import LLMCut, UserError
from core.llm.base import ChatMessage, answers

if TYPE_CHECKING:  # the client (ollama, httpx) loads on first use: commands that never ask the LLM skip it
    import ollama

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_CONTEXT = 4096


def context_length(model_info: dict[str, Any] | None) -> int | None:
    """The model's trained context length from `/api/show` → model_info (`<arch>.context_length`)."""
    if not model_info:
        return None
    arch = model_info.get("general.architecture")
    value = model_info.get(f"{arch}.context_length") if arch else None
    if value is None:  # no architecture key: take any *.context_length
        value = next((v for k, v in model_info.items() if k.endswith(".context_length")), None)
    return int(value) if isinstance(value, (int, float)) and value > 0 else None


class OllamaChatModel:
    """Streams chat answers from Ollama with an explicit context size, and maps every failure.

    `timeout` is the longest silence tolerated: before the first token (loading the model, reading
    the prompt) and between tokens. `max_context` bounds the `num_ctx` sent with each request;
    `answer_tokens` caps an answer (`num_predict`): Ollama's default lets a rambling model run on.
    """

    def __init__(
        self,
        host: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        options: dict | None = None,
        max_context: int = DEFAULT_MAX_CONTEXT,
        answer_tokens: int | None = None,
    ) -> None:
        self.host = host
        self.answer_tokens = answer_tokens
        self.timeout = timeout
        self.max_context = max_context
        self._client: ollama.AsyncClient | None = None
        self._options = options or {}
        self._windows: dict[str, int] = {}

    def _error(self, error: BaseException, model: str = "") -> UserError:
        from core.llm.ollama_errors import user_error

        return user_error(error, model=model, host=self.host, timeout=self.timeout)

    async def _call(self, model: str, request: Any) -> Any:
        """Await one non-streaming client call within the timeout, mapping its failures."""
        from core.llm.ollama_errors import CLIENT_FAILURES

        try:
            return await asyncio.wait_for(request, self.timeout)
        except CLIENT_FAILURES as error:
            raise self._error(error, model) from error

    async def context_window(self, model: str) -> int:
        """min(max_context, the model's own context length), read once per model from /api/show."""
        if model not in self._windows:
            shown = await self._call(model, self.client.show(model))
            trained = context_length(shown.modelinfo)
            self._windows[model] = min(self.max_context, trained) if trained else self.max_context
        return self._windows[model]

    async def stream(self, model: str, messages: list[ChatMessage]) -> AsyncIterator[str]:
        """Text deltas of the answer; a mapped user error when it fails, before or during the answer."""
        options = {**self._options, "num_ctx": await self.context_window(model)}
        if self.answer_tokens:
            options["num_predict"] = self.answer_tokens
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        producer = asyncio.create_task(self._produce(model, messages, options, queue))
        try:
            while True:
                try:
                    kind, value = await asyncio.wait_for(queue.get(), self.timeout)
                except TimeoutError as error:
                    raise self._error(error, model) from None
                if kind == "text":
                    yield value
                elif kind == "error":
                    raise value
                else:
                    return
        finally:
            producer.cancel()
            await self._reader_ended(producer)

    async def _reader_ended(self, producer: asyncio.Task) -> None:
        """Wait for the cancelled stream reader; a failure it could not queue is logged, not lost."""
        from core.llm.ollama_errors import safe_host

        await asyncio.wait({producer})
        if not producer.cancelled() and producer.exception() is not None:
            error = producer.exception()
            log.warning("reading the answer from %s failed (%s)", safe_host(self.host), type(error).__name__)

    async def _produce(
        self, model: str, messages: list[ChatMessage], options: dict, queue: asyncio.Queue
    ) -> None:
        """Read the stream in one task (the HTTP connection stays in it) and queue what arrives."""
        from core.llm.ollama_errors import CLIENT_FAILURES

        try:
            response = await self.client.chat(
                model=model,
                messages=[{"role": m.role, "content": m.content} for m in messages],
                stream=True,
                options=options,
            )
            async for part in response:
                content = part.message.content if part.message else None
                if content:
                    queue.put_nowait(("text", content))
                if part.done:
                    queue.put_nowait(("done", None))
                    return
            queue.put_nowait(("error", self._error(LLMCut(), model)))  # ended without `done`
        except CLIENT_FAILURES as error:
            queue.put_nowait(("error", self._error(error, model)))

    async def list_models(self) -> list[str]:
        """Names of the models Ollama has pulled."""
        listed = await self._call("", self.client.list())
        return [m.model for m in listed.models if m.model]

    async def is_reachable(self) -> bool:
        """Whether Ollama answers."""
        return await answers(self)

    @property
    def client(self) -> ollama.AsyncClient:
        """The underlying client (model creation uses it), created on first use."""
        if self._client is None:
            import ollama

            self._client = ollama.AsyncClient(host=self.host, timeout=self.timeout)
        return self._client
