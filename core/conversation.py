"""Talking: retrieve, build the prompt, stream the answer, log the exchange; and /why."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from core.answers_in_flight import AnswersInFlight
from core.errors import DiskFull, LLMEmptyAnswer, LLMUnavailable, ModelMissing, UserError
from core.i18n import Translator
from core.limits import CONTEXT_MEMORIES, HISTORY_TURNS
from core.llm.openai_chat import LLMContextExceeded
from core.llm.pool import ModelPool, Restart, Waiting
from core.memory.service import MemoryService
from core.models import Incoming, Kind, Memory, Notice
from core.prompt import PromptBudget, build_prompt
from core.store import Store
from core.text import shorten

log = logging.getLogger(__name__)
OFFLINE_MEMORIES = 5
WHY_WAITS_S = 10.0  # /why sent as an answer ends waits this long for that answer's log


@dataclass(frozen=True)
class TalkSettings:
    """How a conversation is built."""

    persona: str
    default_model: str
    context_memories: int = CONTEXT_MEMORIES
    history_turns: int = HISTORY_TURNS
    relevance_floor: float = 0.2
    answer_tokens: int = 1024


class Conversation:
    """Answers questions from a scope's memories with the chat model, and remembers what it used."""

    def __init__(
        self,
        store: Store,
        memory: MemoryService,
        llm: ModelPool,
        translate: Translator,
        settings: TalkSettings,
    ) -> None:
        self._store = store
        self._memory = memory
        self._llm = llm
        self._t = translate
        self.settings = settings
        self._budgets: OrderedDict[str, tuple[int, PromptBudget]] = OrderedDict()
        self._in_flight = AnswersInFlight()

    async def model_for(self, chat_key: str) -> str:
        """The model this chat uses."""
        return (await self._store.chats.chat_settings(chat_key)).model or self.settings.default_model

    async def answer(
        self,
        incoming: Incoming,
        question: str,
        lang: str,
        *,
        after: Callable[[int | None], Awaitable[None]] | None = None,
    ) -> AsyncIterator[str]:
        """Snapshots of the answer as it streams; the exchange is logged when it ends, then `after(its id)`
        (None when it could not be logged: the disk is full).

        While the question waits for a model server, the snapshot is a Notice with its place.
        """
        with self._in_flight.writing(incoming.chat_key):
            async for snapshot in self._answer(incoming, question, lang, after):
                yield snapshot

    async def _answer(
        self,
        incoming: Incoming,
        question: str,
        lang: str,
        after: Callable[[int | None], Awaitable[None]] | None,
    ) -> AsyncIterator[str]:
        """`answer`'s work: retrieve, ask the model (or answer from memory), log, then `after`."""
        started = time.monotonic()
        # A newer question from the same person replaces the one still waiting in this chat.
        self._llm.cancel(incoming.chat_key, "replaced", owner=incoming.user)
        hits = [
            hit
            for hit in await self._memory.reading.search(
                incoming.scope, question, limit=self.settings.context_memories
            )
            if hit.keyword_rank is not None or (hit.dense_score or 0.0) >= self.settings.relevance_floor
        ]
        chat = await self._store.chats.chat_settings(incoming.chat_key)
        model = chat.model or self.settings.default_model
        turns = await self._store.interactions.recent_interactions(
            incoming.scope, incoming.chat_key, self.settings.history_turns, since=chat.reset_at
        )
        text = ""
        used = [h.memory.id for h in hits]
        budget: PromptBudget | None = None
        try:
            for attempt in range(2):
                window = await self._llm.context_window(model)
                reserve = min(self.settings.answer_tokens, window // 3)
                messages, used, budget = build_prompt(
                    self.settings.persona, lang, hits, turns, question, window=window, reserve=reserve, now=time.time()
                )
                try:
                    async for event in self._llm.ask(
                        model, messages, chat=incoming.chat_key, owner=incoming.user
                    ):
                        if isinstance(event, Waiting):
                            yield Notice(self._waiting(lang, event.ahead))
                        elif isinstance(event, Restart):
                            text = ""
                        else:
                            text += event
                            yield text
                    break
                except LLMContextExceeded:
                    # The server's context is smaller than it said: it told how small; fit the prompt to it once.
                    if attempt or text:
                        raise
            if not text.strip():
                raise LLMEmptyAnswer()  # a model that stops at once: without this, the user would get silence
        except (LLMUnavailable, ModelMissing) as error:
            log.warning("model %s did not answer: %s %s", model, error.key, error.params)
            detail = self._t(lang, error.key, **error.params)
            if text:
                text += "\n\n" + self._t(lang, "talk.interrupted", detail=detail)
            else:
                text = self._offline_answer(lang, detail, [h.memory for h in hits])
                used = [h.memory.id for h in hits[:OFFLINE_MEMORIES]]
                model = "(offline)"
            yield text
        try:
            interaction = await self._store.interactions.log_interaction(
                incoming.scope,
                incoming.chat_key,
                incoming.user,
                question,
                text,
                used,
                model,
                (time.monotonic() - started) * 1000,
            )
        except DiskFull:  # the answer was given: only its log (for /why and the history) is lost
            log.warning("disk full: the exchange in %s was answered but not logged", incoming.chat_key)
            if after is not None:
                await after(None)
            return
        if budget is not None and budget.left_out:
            self._remember_budget(incoming.chat_key, interaction, budget)
        if after is not None:
            await after(interaction)

    def queue_lines(self, lang: str) -> list[str]:
        """The model queue and each server's load, for admins' status."""
        view = self._llm.view()
        queue = view.queue
        lines = [
            self._t(lang, "status.queue", count=queue.waiting, chats=queue.chats, seconds=round(queue.oldest_wait))
            if queue.waiting
            else self._t(lang, "status.queue_empty")
        ]
        for server in view.servers:
            down = "" if server.up else self._t(lang, "status.server_down")
            lines.append(
                self._t(
                    lang,
                    "status.server",
                    name=server.name,
                    busy=server.busy,
                    parallel=server.parallel,
                    answered=server.served,
                    down=down,
                )
            )
        return lines

    def _waiting(self, lang: str, ahead: int) -> str:
        """The placeholder of a queued question."""
        if ahead == 0:
            return self._t(lang, "queue.next")
        return self._t(lang, "queue.waiting", count=ahead)

    def _remember_budget(self, chat_key: str, interaction: int, budget: PromptBudget) -> None:
        """Keep what the last prompt of a chat left out, for /why (the most recent chats only)."""
        self._budgets[chat_key] = (interaction, budget)
        self._budgets.move_to_end(chat_key)
        while len(self._budgets) > 1024:
            self._budgets.popitem(last=False)

    def _left_out_lines(self, chat_key: str, interaction: int, lang: str) -> list[str]:
        """What /why says about memories and turns left out of the last prompt."""
        interaction_id, budget = self._budgets.get(chat_key, (None, None))
        if budget is None or interaction_id != interaction:
            return []
        lines = []
        if budget.memories_left_out:
            ids = ", ".join(f"#{i}" for i in budget.memories_left_out)
            lines.append(self._t(lang, "why.memories_left_out", ids=ids, window=budget.window))
        if budget.turns_left_out:
            lines.append(
                self._t(lang, "why.turns_left_out", count=budget.turns_left_out, window=budget.window)
            )
        if budget.question_cut:
            lines.append(self._t(lang, "why.question_cut", window=budget.window))
        return lines

    def _offline_answer(self, lang: str, detail: str, memories: list[Memory]) -> str:
        """What to say without a model: a plain notice and the most relevant memories."""
        if not memories:
            return self._t(lang, "talk.offline_empty", detail=detail)
        lines = [self._t(lang, "talk.offline", detail=detail)]
        lines += [
            self._t(lang, "talk.offline_line", id=m.number, text=shorten(m.text, 300))
            for m in memories[:OFFLINE_MEMORIES]
        ]
        return "\n".join(lines)

    async def why(self, incoming: Incoming, lang: str) -> str:
        """The memories behind the last answer in this chat (one whose last words just showed included)."""
        await self._in_flight.settled(incoming.chat_key, WHY_WAITS_S)
        last = await self._store.interactions.recent_interactions(incoming.scope, incoming.chat_key, 1)
        if not last:
            return self._t(lang, "why.none")
        ids = last[0].memory_ids
        left_out = self._left_out_lines(incoming.chat_key, last[0].id, lang)
        said = await self._store.memories.said_in(incoming.scope, last[0].id)
        left_out += [
            self._t(lang, "why.captured", id=m.number, text=shorten(m.text, 200), c=incoming.prefix) for m in said
        ]
        if not ids:
            return "\n".join([self._t(lang, "why.nothing"), *left_out])
        found = {m.id: m for m in await self._store.memories.get_memories(incoming.scope, ids)}
        lines = [self._t(lang, "why.header")]
        for memory_id in ids:
            memory = found.get(memory_id)
            if memory is None:
                lines.append("• " + self._t(lang, "why.gone"))
            else:
                lines.append(self._why_line(memory, lang))
        return "\n".join(lines + left_out)

    def _why_line(self, memory: Memory, lang: str) -> str:
        """`• #3 (correction) : …`; a document's passage also names its file."""
        kind = self._t(lang, f"kind.{memory.kind.value}")
        text = shorten(memory.text, 200)
        if memory.kind is Kind.DOCUMENT and memory.source:
            return self._t(lang, "why.line_source", id=memory.number, kind=kind, source=memory.source, text=text)
        return self._t(lang, "why.line", id=memory.number, kind=kind, text=text)

    async def set_model(self, chat_key: str, model: str) -> None:
        """Use `model` in this chat from now on."""
        await self._store.chats.set_chat_model(chat_key, model)

    async def language_of(self, chat_key: str) -> str | None:
        """The language chosen for this chat, or None."""
        return (await self._store.chats.chat_settings(chat_key)).language

    async def set_language(self, chat_key: str, language: str) -> None:
        """Answer in `language` in this chat from now on."""
        await self._store.chats.set_chat_language(chat_key, language)

    async def reset(self, chat_key: str) -> None:
        """Start this chat's short-term turns afresh (the log itself is kept); queued questions are dropped."""
        self._llm.cancel(chat_key, "reset")
        await self._store.chats.reset_chat(chat_key)


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
