"""What an Ollama failure means for the user: one mapping from client exceptions to user errors."""

from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import urlsplit, urlunsplit

import httpx
import ollama
import pydantic

from core.errors import (
    LLMBadReply,
    LLMCut,
    LLMFailed,
    LLMOutOfMemory,
    LLMTimeout,
    LLMUnavailable,
    ModelMissing,
    UserError,
)

log = logging.getLogger(__name__)

# Exceptions the ollama client lets through when the server misbehaves.
CLIENT_FAILURES = (
    ollama.ResponseError,
    ConnectionError,
    httpx.HTTPError,
    json.JSONDecodeError,
    pydantic.ValidationError,
    TimeoutError,
    asyncio.TimeoutError,
)
_MEMORY_HINTS = ("requires more system memory", "out of memory", "cudamalloc failed", "insufficient memory")


def safe_host(host: str) -> str:
    """The host URL without credentials, fit for a log line."""
    try:
        parts = urlsplit(host)
    except ValueError:
        return "(unparsable host)"
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def user_error(
    error: BaseException, *, model: str, host: str, timeout: float, level: int = logging.WARNING
) -> UserError:
    """The user-facing error for a client failure; the raw detail goes to the log, never to the user."""
    mapped = _map(error, model=model, timeout=timeout)
    detail = error.error if isinstance(error, ollama.ResponseError) else str(error)
    log.log(
        level,
        "Ollama at %s, model %s: %s (%s: %s)",
        safe_host(host),
        model or "-",
        type(mapped).__name__,
        type(error).__name__,
        detail[:500] or "-",
    )
    return mapped


def _map(error: BaseException, *, model: str, timeout: float) -> UserError:
    if isinstance(error, UserError):
        return error
    if isinstance(error, ollama.ResponseError):
        text = str(error.error).lower()
        if error.status_code == 404:
            return ModelMissing(model=model)
        if any(hint in text for hint in _MEMORY_HINTS):
            return LLMOutOfMemory(model=model)
        if text.lstrip().startswith("<"):  # an error page in HTML from something in front of Ollama
            return LLMBadReply()
        if error.status_code <= 0:  # an error line inside the stream
            return LLMFailed("error.llm_stopped")
        return LLMFailed(status=error.status_code)
    if isinstance(error, (TimeoutError, asyncio.TimeoutError, httpx.TimeoutException)):
        return LLMTimeout(seconds=f"{timeout:g}")
    if isinstance(error, (json.JSONDecodeError, pydantic.ValidationError, httpx.DecodingError)):
        return LLMBadReply()
    if isinstance(error, (httpx.RemoteProtocolError, httpx.ReadError)):
        return LLMCut()
    return LLMUnavailable()
