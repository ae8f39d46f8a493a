"""A custom Ollama model from a scope's memory: the /api/create request and its Modelfile."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import ollama

from core.errors import LLMUnavailable, UserError
from core.training.records import DEFAULT_SYSTEM, Pair


class BaseModelMissing(UserError):
    """The base model is not pulled on the Ollama server."""

    key = "finetune.base_missing"


class CreateFailed(UserError):
    """Ollama refused to create the model."""

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


async def upload_adapter(client: ollama.AsyncClient, directory: Path, host: str) -> dict[str, str]:
    """Upload an adapter directory's safetensors and config as blobs; file name -> digest."""
    digests: dict[str, str] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix in (".safetensors", ".json") and path.name.startswith("adapter"):
            try:
                digests[path.name] = await client.create_blob(path)
            except ConnectionError as error:
                raise LLMUnavailable(host=host) from error
    return digests


async def create_model(client: ollama.AsyncClient, request: CreateRequest, host: str) -> str:
    """Create the model; clear errors when Ollama is down or the base model is not pulled."""
    try:
        response = await client.create(
            model=request.name,
            from_=request.base,
            system=request.system,
            parameters=request.parameters,
            messages=request.messages or None,
            adapters=request.adapters or None,
            stream=False,
        )
    except ConnectionError as error:
        raise LLMUnavailable(host=host) from error
    except ollama.ResponseError as error:
        if error.status_code == 404:
            raise BaseModelMissing(base=request.base) from error
        raise CreateFailed(detail=error.error) from error
    return str(response.status)
