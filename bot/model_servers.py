"""The model servers named in the settings, assembled into the pool the conversation asks."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Settings
from core.llm import ChatModel
from core.llm.pool import ModelPool
from core.llm.servers import ModelServer

KINDS = ("ollama", "openai")


@dataclass(frozen=True)
class ServerSpec:
    """One entry of SOUVENIR_OLLAMA__SERVERS: `[ollama|openai] URL [PARALLEL]`."""

    kind: str
    url: str
    parallel: int


def parse_server(entry: str, default_parallel: int) -> ServerSpec:
    """`http://a:11434`, `http://a:11434 4` or `openai http://gpu:8000/v1 16`; ValueError when malformed."""
    fields = entry.split()
    kind = fields.pop(0).lower() if fields and fields[0].lower() in KINDS else "ollama"
    if not fields or not fields[0].startswith(("http://", "https://")):
        raise ValueError(f"model server {entry!r}: expected [ollama|openai] URL [PARALLEL]")
    url = fields.pop(0)
    parallel = default_parallel
    if fields:
        if len(fields) > 1 or not fields[0].isdigit() or int(fields[0]) < 1:
            raise ValueError(f"model server {entry!r}: PARALLEL must be a whole number of at least 1")
        parallel = int(fields[0])
    return ServerSpec(kind, url, parallel)


def server_specs(settings: Settings) -> list[ServerSpec]:
    """The configured servers: the SERVERS list, or the single HOST (the setting of earlier versions)."""
    ollama = settings.ollama
    if ollama.servers:
        return [parse_server(entry, ollama.parallel) for entry in ollama.servers]
    return [ServerSpec("ollama", ollama.host, ollama.parallel)]


def build_backend(spec: ServerSpec, settings: Settings) -> ChatModel:
    """The client for one server."""
    ollama = settings.ollama
    if spec.kind == "openai":
        from core.llm.openai_chat import OpenAIChatModel

        key = ollama.api_key.get_secret_value() if ollama.api_key else None
        return OpenAIChatModel(
            spec.url,
            api_key=key,
            timeout=ollama.timeout,
            options={"temperature": ollama.temperature},
            max_context=ollama.num_ctx,
            answer_tokens=ollama.answer_tokens,
        )
    from core.llm.ollama_chat import OllamaChatModel

    return OllamaChatModel(
        spec.url,
        timeout=ollama.timeout,
        options={"temperature": ollama.temperature},
        max_context=ollama.num_ctx,
        answer_tokens=ollama.answer_tokens,
    )


def build_pool(settings: Settings, chat_model: ChatModel | None = None) -> ModelPool:
    """The pool of configured servers (or of `chat_model` alone, for tests and benchmarks)."""
    if isinstance(chat_model, ModelPool):
        return chat_model
    if chat_model is not None:
        servers = [ModelServer(chat_model, settings.ollama.parallel)]
    else:
        servers = [ModelServer(build_backend(spec, settings), spec.parallel) for spec in server_specs(settings)]
    return ModelPool(servers, recheck=settings.ollama.recheck)
