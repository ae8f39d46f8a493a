"""A chat model on an OpenAI-compatible server (vLLM, llama.cpp's server, a LiteLLM proxy) over httpx."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from core.errors import (
    LLMBadReply,
    LLMCut,
    LLMFailed,
    LLMKeyRefused,
    LLMTimeout,
    LLMUnavailable,
    ModelMissing,
    UserError,
)
from core.llm.base import ChatMessage, answers
from core.llm.ollama_errors import safe_host
from core.llm.tokens import message_tokens

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 60.0
# llama-cpp-python and vLLM: "maximum context length is 2048 tokens"; llama.cpp's own llama-server:
# "request (3010 tokens) exceeds the available context size (2048 tokens)", type exceed_context_size_error.
_CONTEXT_LIMIT = re.compile(r"maximum context length is (\d+)|context size \((\d+) tokens\)")
_CONTEXT_HINTS = ("context length", "context size", "context_length_exceeded", "exceed_context_size")
_MISSING_HINTS = ("does not exist", "not found", "invalid model", "no such model", "unknown model")


class LLMContextExceeded(LLMFailed):
    """The server refused a prompt longer than its context (it says how long that is)."""

    key = "error.llm_context"


def api_base(url: str) -> str:
    """The API root: `http://host:8000` and `http://host:8000/v1/` both give `http://host:8000/v1`."""
    url = url.rstrip("/")
    return url if url.endswith("/v1") else url + "/v1"


class OpenAIChatModel:
    """Streams chat answers (Server-Sent Events) from `/v1/chat/completions`; lists `/v1/models`.

    `timeout` is the longest silence tolerated, as for Ollama. The context is `max_context` unless the
    server's model list says less (vLLM's `max_model_len`) or a refusal names the real one (llama.cpp).
    An answer stops at `answer_tokens` (without a cap, llama.cpp lets a rambling model fill its context).
    """

    def __init__(
        self,
        url: str,
        *,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        options: dict | None = None,
        max_context: int = 4096,
        answer_tokens: int | None = None,
    ) -> None:
        self.host = api_base(url)
        self.timeout = timeout
        self.max_context = max_context
        self.answer_tokens = answer_tokens
        self._api_key = api_key
        self._options = options or {}
        self._windows: dict[str, int] = {}
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        """The HTTP client, created on first use (the key goes in a header, never in a log)."""
        if self._client is None:
            self._client = self._new_client()
        return self._client

    def _new_client(self) -> httpx.AsyncClient:
        import httpx

        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        return httpx.AsyncClient(
            base_url=self.host, headers=headers, timeout=httpx.Timeout(self.timeout), trust_env=False
        )

    async def close(self) -> None:
        """Close the connections."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _fail(self, error: UserError, detail: str, model: str = "") -> UserError:
        log.warning(
            "model server %s, model %s: %s (%s)",
            safe_host(self.host),
            model or "-",
            type(error).__name__,
            detail[:500],
        )
        return error

    def _mapped(self, error: BaseException, model: str) -> UserError:
        """The user error for a transport failure."""
        import httpx

        if isinstance(error, (httpx.TimeoutException, TimeoutError)):
            mapped: UserError = LLMTimeout(seconds=f"{self.timeout:g}")
        elif isinstance(error, (httpx.RemoteProtocolError, httpx.ReadError)):
            mapped = LLMCut()
        elif isinstance(error, (json.JSONDecodeError, httpx.DecodingError)):
            mapped = LLMBadReply()
        else:
            mapped = LLMUnavailable()
        return self._fail(mapped, f"{type(error).__name__}: {error}", model)

    def _refusal(self, status: int, body: bytes, model: str) -> UserError:
        """The user error for a non-2xx answer, from its status and error object."""
        text = body.decode("utf-8", "replace")
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        if status in (401, 403):  # {"detail":"Invalid API key"} (llama-cpp-python), {"error":"Unauthorized"} (vLLM)
            return self._fail(LLMKeyRefused(), text, model)
        if not isinstance(parsed, dict):
            return self._fail(
                LLMBadReply() if text.lstrip().startswith("<") else LLMFailed(status=status), text, model
            )
        error = parsed.get("error") if isinstance(parsed.get("error"), dict) else parsed
        message = str(error.get("message") or error.get("detail") or parsed.get("detail") or "")
        lowered = message.lower()
        if self._context_refusal(error, message, model):
            return self._fail(LLMContextExceeded(status=status), message, model)
        if "model" in lowered and (status == 404 or any(h in lowered for h in _MISSING_HINTS)):
            return self._fail(ModelMissing(model=model), message, model)
        return self._fail(LLMFailed(status=status), message or text, model)

    def _context_refusal(self, error: dict, message: str, model: str) -> bool:
        """Whether `error` refuses a prompt over the context; the real limit it names is kept for `model`."""
        said = f"{error.get('code')} {error.get('type')} {message}".lower()
        if not any(hint in said for hint in _CONTEXT_HINTS):
            return False
        found = _CONTEXT_LIMIT.search(message)
        limit = error.get("n_ctx") or (found and int(found.group(1) or found.group(2)))
        if isinstance(limit, int) and limit > 0 and model:
            self._windows[model] = min(limit, self.max_context)
        return True

    async def context_window(self, model: str) -> int:
        """min(max_context, what the server reports for `model`) once read; max_context otherwise."""
        if model not in self._windows:
            listed = await self._models()
            entry = next((m for m in listed if m.get("id") == model), {})
            reported = entry.get("max_model_len") or (entry.get("meta") or {}).get("n_ctx_train")
            size = int(reported) if isinstance(reported, (int, float)) and reported > 0 else self.max_context
            self._windows[model] = min(self.max_context, size)
        return self._windows[model]

    def _answer_cap(self, model: str, messages: list[ChatMessage]) -> dict[str, int]:
        """`max_tokens`: `answer_tokens`, or less where the prompt leaves less of the context (vLLM refuses more)."""
        if not self.answer_tokens:
            return {}
        room = self._windows.get(model, self.max_context) - sum(message_tokens(m.content) for m in messages)
        return {"max_tokens": max(1, min(self.answer_tokens, room))}

    async def stream(self, model: str, messages: list[ChatMessage]) -> AsyncIterator[str]:
        """Text deltas of the answer; a mapped user error when it fails, before or during the answer."""
        import httpx

        body: dict[str, Any] = {
            "model": model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": True,
            **self._answer_cap(model, messages),
            **self._options,
        }
        try:
            async with self.client.stream("POST", "/chat/completions", json=body) as response:
                if response.status_code != 200:
                    raise self._refusal(response.status_code, await response.aread(), model)
                finished = events = False
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue  # blank separators, `: keep-alive` comments, `event:` names
                    events = True
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        return
                    chunk = json.loads(payload)
                    if isinstance(chunk, dict) and chunk.get("error"):
                        raise self._fail(
                            LLMFailed("error.llm_stopped"), json.dumps(chunk["error"])[:500], model
                        )
                    for choice in chunk.get("choices") or []:
                        content = (choice.get("delta") or {}).get("content")
                        if content:
                            yield content
                        finished = finished or bool(choice.get("finish_reason"))
                if not events:
                    raise await self._unstreamed_refusal(body, model)
                if not finished:
                    raise self._fail(LLMCut(), "the stream ended without [DONE]", model)
        except UserError:
            raise
        except (httpx.HTTPError, json.JSONDecodeError, TimeoutError) as error:
            raise self._mapped(error, model) from error

    async def _unstreamed_refusal(self, body: dict[str, Any], model: str) -> UserError:
        """Why a stream was empty: llama-cpp-python refuses a streamed prompt over its context with an
        empty 200 stream, and says why only unstreamed; asked once more so, for one token at most, on a
        new connection (the server drops the one it failed on, perhaps not yet seen closed here)."""
        async with self._new_client() as client:
            response = await client.post("/chat/completions", json={**body, "stream": False, "max_tokens": 1})
        if response.status_code != 200:
            return self._refusal(response.status_code, response.content, model)
        return self._fail(LLMCut(), "an empty event stream (the same request unstreamed was answered)", model)

    async def _models(self) -> list[dict]:
        import httpx

        try:
            response = await self.client.get("/models")
        except (httpx.HTTPError, TimeoutError) as error:
            raise self._mapped(error, "") from error
        if response.status_code != 200:
            raise self._refusal(response.status_code, response.content, "")
        try:
            data = response.json().get("data")
        except (json.JSONDecodeError, AttributeError) as error:
            raise self._mapped(error, "") from error
        if not isinstance(data, list):
            raise self._fail(LLMBadReply(), "no model list in /v1/models")
        return [m for m in data if isinstance(m, dict)]

    async def list_models(self) -> list[str]:
        """Names of the models the server serves."""
        return [str(m["id"]) for m in await self._models() if m.get("id")]

    async def is_reachable(self) -> bool:
        """Whether the server answers its model list."""
        return await answers(self)
