"""Talking: retrieve, build the prompt, stream the answer, log the exchange; and /why."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from core.errors import LLMUnavailable, ModelMissing, UserError
from core.i18n import Translator
from core.llm import ChatModel
from core.memory import MemoryService
from core.models import Incoming, Memory
from core.prompt import build_prompt
from core.store import Store
from core.text import shorten

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TalkSettings:
    """How a conversation is built."""

    persona: str
    default_model: str
    context_memories: int = 6
    history_turns: int = 6
    relevance_floor: float = 0.2


class Conversation:
    """Answers questions from a scope's memories with the chat model, and remembers what it used."""

    def __init__(
        self,
        store: Store,
        memory: MemoryService,
        llm: ChatModel,
        translate: Translator,
        settings: TalkSettings,
    ) -> None:
        self._store = store
        self._memory = memory
        self._llm = llm
        self._t = translate
        self.settings = settings

    async def model_for(self, chat_key: str) -> str:
        """The model this chat uses."""
        model, _ = await self._store.chat_settings(chat_key)
        return model or self.settings.default_model

    async def answer(self, incoming: Incoming, question: str, lang: str) -> AsyncIterator[str]:
        """Snapshots of the answer as it streams; the exchange is logged when it ends."""
        started = time.monotonic()
        hits = [
            hit
            for hit in await self._memory.search(
                incoming.scope, question, limit=self.settings.context_memories
            )
            if hit.keyword_rank is not None or (hit.dense_score or 0.0) >= self.settings.relevance_floor
        ]
        model, reset_at = await self._store.chat_settings(incoming.chat_key)
        model = model or self.settings.default_model
        turns = await self._store.recent_interactions(
            incoming.chat_key, self.settings.history_turns, since=reset_at
        )
        messages, used = build_prompt(self.settings.persona, lang, hits, turns, question)
        text = ""
        try:
            async for delta in self._llm.stream(model, messages):
                text += delta
                yield text
        except ModelMissing as error:
            yield self._t(lang, error.key, **error.params)
            return
        except LLMUnavailable as error:
            detail = self._t(lang, error.key, **error.params)
            if text:
                text += "\n\n" + self._t(lang, "talk.interrupted", detail=detail)
            else:
                text = self._offline_answer(lang, detail, [h.memory for h in hits])
                model = "(offline)"
            yield text
        await self._store.log_interaction(
            incoming.scope,
            incoming.chat_key,
            incoming.user,
            question,
            text,
            used,
            model,
            (time.monotonic() - started) * 1000,
        )

    def _offline_answer(self, lang: str, detail: str, memories: list[Memory]) -> str:
        """What to say without a model: a plain notice and the most relevant memories."""
        if not memories:
            return self._t(lang, "talk.offline_empty", detail=detail)
        lines = [self._t(lang, "talk.offline", detail=detail)]
        lines += [f"• #{m.number}: {shorten(m.text, 300)}" for m in memories[:5]]
        return "\n".join(lines)

    async def why(self, incoming: Incoming, lang: str) -> str:
        """The memories behind the last answer in this chat."""
        last = await self._store.recent_interactions(incoming.chat_key, 1)
        if not last:
            return self._t(lang, "why.none")
        ids = last[0].memory_ids
        if not ids:
            return self._t(lang, "why.nothing")
        found = {m.id: m for m in await self._store.get_memories(incoming.scope, ids)}
        lines = [self._t(lang, "why.header")]
        for memory_id in ids:
            memory = found.get(memory_id)
            if memory is None:
                lines.append("• " + self._t(lang, "why.gone"))
            else:
                source = f" — {memory.source}" if memory.source else ""
                lines.append(f"• #{memory.number} ({memory.kind.value}{source}): {shorten(memory.text, 200)}")
        return "\n".join(lines)


async def guarded(updates: AsyncIterator[str], lang: str, translate: Translator) -> AsyncIterator[str]:
    """Pass snapshots through; a failure becomes a last, translated snapshot instead of a crash."""
    try:
        async for snapshot in updates:
            yield snapshot
    except UserError as error:
        yield translate(lang, error.key, **error.params)
    except Exception:
        log.exception("a streamed reply failed")
        yield translate(lang, "error.generic")
