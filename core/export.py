"""Export a scope's memory as a file: json (round-trip backup), jsonl (chat training records), text."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from core.errors import BadInput
from core.models import Kind, OutgoingFile
from core.training.records import (
    Pair,
    chat_records,
    split_conversation,
    structured_json,
    to_jsonl,
    to_text,
    training_pairs,
)

if TYPE_CHECKING:
    from core.memory.service import MemoryService

FORMATS = ("json", "jsonl", "text")
_EXTENSIONS = {"json": "json", "jsonl": "jsonl", "text": "txt"}


async def export_scope(memory: MemoryService, scope: str, fmt: str) -> OutgoingFile:
    """Serialise one scope's memory in `fmt` (off the event loop)."""
    if fmt not in FORMATS:
        raise BadInput(key="error.export_format")
    live = await memory.store.memories.all_memories(scope)
    interactions = await memory.store.interactions.all_interactions(scope) if fmt != "json" else []

    def render() -> str:
        if fmt == "json":
            return json.dumps(structured_json(live), ensure_ascii=False, indent=1)
        pairs = training_pairs(live, interactions)
        if fmt == "jsonl":
            return to_jsonl(chat_records(pairs))
        # Documents and what was said in conversation (statements are no question/answer pair).
        said = [m for m in live if m.kind is Kind.CONVERSATION and split_conversation(m.text) is None]
        return to_text(pairs, [m for m in live if m.kind is Kind.DOCUMENT] + said)

    data = (await asyncio.to_thread(render)).encode()
    safe = scope.replace(":", "_").replace("!", "").replace("/", "_")
    name = f"souvenir-{safe}-{time.strftime('%Y%m%d')}.{_EXTENSIONS[fmt]}"
    caption = f"{name} ({len(live)} memories, {len(data)} bytes)"
    return OutgoingFile(name=name, data=data, caption=caption, memories=len(live))


def exporter_for(memory: MemoryService) -> Callable[[str, str], Awaitable[OutgoingFile]]:
    """The export function the assistant's /export calls."""

    async def export(scope: str, fmt: str) -> OutgoingFile:
        return await export_scope(memory, scope, fmt)

    return export


async def training_material(memory: MemoryService, scope: str) -> list[Pair]:
    """The question/answer pairs a custom model is taught: what people stated, never logged answers."""
    return training_pairs(await memory.store.memories.all_memories(scope))
