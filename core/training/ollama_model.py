"""A custom Ollama model from a scope's memory: the /api/create request and its Modelfile."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import ollama

from core.errors import UserError
from core.llm.ollama_chat import context_length
from core.llm.ollama_errors import CLIENT_FAILURES, user_error
from core.training.records import DEFAULT_SYSTEM, Pair

log = logging.getLogger(__name__)


class BaseModelMissing(UserError):
    """The base model is not on the Ollama server (Ollama would try to pull it)."""

    key = "finetune.base_missing"


class AdapterRefused(UserError):
    """Ollama would not attach the LoRA adapter."""

    key = "finetune.adapter_refused"


class CreateFailed(UserError):
    """Ollama refused to create the model for another reason."""

    key = "finetune.create_failed"


@dataclass
class CreateRequest:
    """What `ollama create` receives: base, persona, parameters, seed messages, adapter blobs."""

    name: str
    base: str
    system: str = DEFAULT_SYSTEM
    parameters: dict = field(default_factory=lambda: {"temperature": 0.7, "num_ctx": 4096})
    messages: list[dict] = field(default_factory=list)
    adapters: dict[str, str] = field(default_factory=dict)
    adapter_dir: str = ""

    def modelfile(self) -> str:
        """The equivalent Modelfile, for `ollama create NAME -f Modelfile`."""
        lines = [f"FROM {self.base}"]
        if self.adapter_dir:
            lines.append(f"ADAPTER {self.adapter_dir}")
        lines.append(f'SYSTEM """{self.system}"""')
        lines += [f"PARAMETER {key} {value}" for key, value in self.parameters.items()]
        lines += [
            f"MESSAGE {m['role']} {json.dumps(m['content'], ensure_ascii=False)}" for m in self.messages
        ]
        return "\n".join(lines) + "\n"


def seed_messages(pairs: list[Pair], limit: int = 20) -> list[dict]:
    """The best pairs (highest importance first) as alternating user/assistant messages."""
    best = sorted(pairs, key=lambda p: -p.importance)[:limit]
    messages: list[dict] = []
    for p in best:
        messages += [{"role": "user", "content": p.user}, {"role": "assistant", "content": p.assistant}]
    return messages


@dataclass
class OllamaTarget:
    """Where models are created: the client, its host (for logs) and how long to wait."""

    client: ollama.AsyncClient
    host: str
    timeout: float
    work_timeout: float = 600.0  # creating a model (converting an adapter) answers only at the end

    async def call(self, request, what: str, *, work: bool = False):
        """One client call within its timeout; failures become user errors (details go to the log)."""
        timeout = self.work_timeout if work else self.timeout
        try:
            return await asyncio.wait_for(request, timeout)
        except CLIENT_FAILURES as error:
            mapped = user_error(error, model=what, host=self.host, timeout=timeout, level=logging.INFO)
            raise mapped from error


@dataclass
class BaseInfo:
    """What the server says about the base model."""

    arch: str
    context_length: int | None


async def check_base(target: OllamaTarget, base: str) -> BaseInfo:
    """Make sure the base model is on the server, before anything else (Ollama would try to pull it)."""
    try:
        shown = await target.call(target.client.show(base), base)
    except UserError as error:
        if error.key == "error.model_missing":
            raise BaseModelMissing(base=base) from error
        raise
    info = shown.modelinfo or {}
    return BaseInfo(str(info.get("general.architecture") or ""), context_length(info))


def adapter_files(path: Path) -> list[Path]:
    """What to upload: a GGUF adapter file as is, or a PEFT directory's adapter weights and config."""
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.iterdir()
        if p.suffix in (".safetensors", ".json", ".gguf") and p.name.startswith("adapter")
    )


async def upload_adapter(target: OllamaTarget, path: Path) -> dict[str, str]:
    """Upload the adapter's files as blobs; file name -> digest."""
    return {
        f.name: await target.call(target.client.create_blob(f), f.name, work=True) for f in adapter_files(path)
    }


async def create_model(target: OllamaTarget, request: CreateRequest, arch: str = "") -> str:
    """Create the model; every refusal becomes one clear error naming what to do."""
    try:
        response = await target.call(
            target.client.create(
                model=request.name,
                from_=request.base,
                system=request.system,
                parameters=request.parameters,
                messages=request.messages or None,
                adapters=request.adapters or None,
                stream=False,
            ),
            request.base,
            work=True,
        )
    except UserError as error:
        cause = error.__cause__
        if not isinstance(cause, ollama.ResponseError):
            raise
        raise _create_error(cause, request, arch) from cause
    return str(response.status)


def _create_error(error: ollama.ResponseError, request: CreateRequest, arch: str) -> UserError:
    """What a refused create means."""
    text = str(error.error)
    if "pull model manifest" in text or error.status_code == 404:
        return BaseModelMissing(base=request.base)
    if request.adapters and ("GGUF format" in text or text == "unknown type"):
        return AdapterRefused("finetune.adapter_not_gguf", base=request.base)
    if request.adapters and "unsupported architecture" in text:
        return AdapterRefused("finetune.adapter_arch", base=request.base, arch=arch or "?")
    # The server's own words stay in the log: they may name hosts or paths, and they are not translated.
    log.warning("Ollama refused to create %s from %s: %s", request.name, request.base, text[:500])
    return CreateFailed(model=request.name)
