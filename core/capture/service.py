"""Memory from conversation: explicit phrasings carried out, statements stored, each chat's capture mode.

The router calls, for a plain message addressed to the bot (typed, or a voice note's transcript):
`answer_pending` first (a "oui"/"non" to a question asked here), then `explicit` (a phrasing such as
"retiens que…", answered instead of the model), and after the model answered, `after_answer` (an
ordinary statement becomes a conversation memory, linked to the logged exchange).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from core.capture.folding import fold
from core.capture.phrasings import Intent, Phrasing, parse_phrasing
from core.capture.statements import classify
from core.confirmation import Confirmations
from core.errors import DiskFull, UserError
from core.i18n import Translator
from core.memory.service import MemoryService
from core.models import Incoming, Kind, Memory, Reply
from core.store.chats import ChatSettingsStore
from core.text import shorten, states

log = logging.getLogger(__name__)
REACTION = "✍️"
"""The reaction put on a message that became a memory (Telegram offers it as ✍)."""
LISTED = 5
"""At most this many candidates are listed in a question."""


class MemoryMode(StrEnum):
    """What a chat remembers of conversation."""

    AUTO = "auto"
    """Statements and explicit phrasings (the default in direct chats)."""
    EXPLICIT = "explicit"
    """Only explicit phrasings ("retiens que…"; the default in groups)."""
    OFF = "off"
    """Nothing from conversation (commands still work)."""


def default_mode(is_group: bool) -> MemoryMode:
    """`explicit` in a group (what one member says is not the group's memory unasked), `auto` in a direct chat."""
    return MemoryMode.EXPLICIT if is_group else MemoryMode.AUTO


@dataclass
class Said:
    """What capture did with a message: the text to answer with (None: let the model answer)."""

    text: str


def substitute(old: str, wrong: str, right: str) -> str | None:
    """`old` with `wrong` replaced by `right` ("… mercredi à 14h" + mercredi→"jeudi à 14h" → "… jeudi à 14h").

    Words `right` repeats from what follows `wrong` in `old` are not doubled; None when `old` does not
    contain `wrong`.
    """
    folded_old, folded_wrong = fold(old), fold(wrong).strip()
    at = f" {folded_old} ".find(f" {folded_wrong} ")
    if not folded_wrong or at < 0:
        at = folded_old.find(folded_wrong) if folded_wrong else -1
        if at < 0:
            return None
    end = at + len(folded_wrong)
    after = fold(old[end:]).strip(" ,.;")
    words = right.split()
    for k in range(1, len(words)):
        tail = fold(" ".join(words[k:]))
        if after.startswith(tail):
            words = words[:k]
            break
    return old[:at] + " ".join(words) + old[end:]


class CaptureService:
    """Carries out explicit phrasings, stores statements, and keeps each chat's capture mode."""

    def __init__(self, memory: MemoryService, confirmations: Confirmations, translate: Translator) -> None:
        self._memory = memory
        self.confirmations = confirmations
        self._t = translate

    @property
    def _chats(self) -> ChatSettingsStore:
        """Where each chat's mode is kept (beside its model and language)."""
        return self._memory.store.chats

    def _say(self, incoming: Incoming, lang: str, key: str, **params: object) -> str:
        return self._t(lang, key, c=incoming.prefix, **params)

    async def mode(self, incoming: Incoming) -> MemoryMode:
        """The chat's chosen mode, else the default for a group or a direct chat."""
        chosen = (await self._chats.chat_settings(incoming.chat_key)).memory
        return MemoryMode(chosen) if chosen in set(MemoryMode) else default_mode(incoming.is_group)

    async def set_mode(self, chat_key: str, mode: MemoryMode) -> None:
        """Capture conversation in this chat as `mode` from now on."""
        await self._chats.set_chat_memory(chat_key, mode.value)

    async def answer_pending(self, incoming: Incoming, text: str, lang: str) -> Reply | None:
        """The reply to a yes/no/number answering a question asked in this chat (by any part of Souvenir), or None.

        The pending action's result is the reply: a Reply as it is, a Said or a str as its text; nothing
        (a "non" without `on_no`) says the question was cancelled.
        """
        answer = await self.confirmations.resolve(incoming.chat_key, incoming.user, text)
        if answer is None:
            return None
        result = answer.result
        if isinstance(result, Reply):
            return result
        if isinstance(result, Said):
            return Reply(text=result.text)
        return Reply(text=str(result) if result else self._say(incoming, lang, "capture.cancelled"))

    def phrasing(self, text: str) -> Phrasing | None:
        """The explicit phrasing `text` is (None for anything else)."""
        return parse_phrasing(text)

    async def explicit(self, incoming: Incoming, text: str, lang: str) -> Said | None:
        """Carry out an explicit phrasing (teach, correct, forget about), or None when `text` is none."""
        phrasing = parse_phrasing(text)
        if phrasing is None or await self.mode(incoming) is MemoryMode.OFF:
            return None
        if phrasing.intent is Intent.TEACH:
            return await self._teach(incoming, phrasing.text, lang)
        if phrasing.intent is Intent.FORGET:
            return await self._forget_about(incoming, phrasing.text, lang)
        if phrasing.in_place:
            return await self._not_but(incoming, phrasing, lang)
        if phrasing.wrong:
            return await self._arrow(incoming, phrasing, lang)
        return await self._update(incoming, phrasing.text, lang)

    async def after_answer(self, incoming: Incoming, text: str, interaction_id: int | None) -> Memory | None:
        """Store `text` as a conversation memory when this chat captures statements and it states one.

        A statement that cannot be stored because the disk is full raises DiskFull: the user is told.
        """
        try:
            if await self.mode(incoming) is not MemoryMode.AUTO or not classify(text).keep:
                return None
            metadata = {"interaction": interaction_id} if interaction_id is not None else {}
            if incoming.display_name:
                metadata["by"] = incoming.display_name
            memory, _ = await self._memory.teaching.remember_said(incoming.scope, text, author=incoming.user, metadata=metadata)
            return memory
        except DiskFull:
            raise
        except UserError as error:  # a full memory, a text too long: the answer stands, nothing stored
            log.info("a statement was not stored: %s", error.key)
            return None

    def noted_line(self, incoming: Incoming, lang: str, memory: Memory) -> str:
        """The short line that stands for the reaction where there are none (the console)."""
        return self._say(incoming, lang, "capture.noted", id=memory.number)

    # --- teach ------------------------------------------------------------------------------------

    async def _teach(self, incoming: Incoming, text: str, lang: str) -> Said:
        memory = await self._memory.teaching.teach(incoming.scope, text, author=incoming.user)
        older = await self._memory.teaching.link_newer(incoming.scope, memory)
        lines = [self._say(incoming, lang, "teach.done", id=memory.number)]
        if older:
            lines.append(self._say(incoming, lang, "capture.updates", ids=_numbers(older)))
        return Said("\n".join(lines))

    # --- correct ----------------------------------------------------------------------------------

    async def _replace(self, incoming: Incoming, old: Memory, right: str, lang: str) -> Said:
        result = await self._memory.corrections.correct(incoming.scope, old.text, right, author=incoming.user, target=old.number)
        return Said(
            self._say(
                incoming, lang, "capture.replaced", new=result.correction.number, old=old.number, text=shorten(old.text, 80)
            )
        )

    def _which(
        self, incoming: Incoming, lang: str, candidates: list[Memory], right_for: Callable[[Memory], str]
    ) -> Said:
        """Ask which memory a correction replaces; its number answers, "non" cancels."""
        shown = candidates[:LISTED]
        choices = tuple(m.number for m in shown)

        async def chosen(number: int | None) -> Said:
            if number is None:  # "oui" does not say which
                self.confirmations.ask(incoming.chat_key, incoming.user, chosen, choices=choices, on_no=cancelled)
                return Said(self._say(incoming, lang, "capture.which_number"))
            old = next(m for m in shown if m.number == number)
            return await self._replace(incoming, old, right_for(old), lang)

        async def cancelled() -> Said:
            return Said(self._say(incoming, lang, "capture.cancelled"))

        self.confirmations.ask(incoming.chat_key, incoming.user, chosen, choices=choices, on_no=cancelled)
        listed = "\n".join(f"  #{m.number} {shorten(m.text, 80)}" for m in shown)
        return Said(self._say(incoming, lang, "capture.which", list=listed))

    async def _update(self, incoming: Incoming, right: str, lang: str) -> Said:
        """"En fait / finalement RIGHT": replace the one memory clearly on its subject; otherwise keep RIGHT
        as a new fact ranked ahead of the memories it may update, and ask before replacing any of them."""
        scored = await self._memory.subjects.neighbours(incoming.scope, right)
        threshold = self._memory.subjects.threshold
        best, second = [*scored, (None, 0.0), (None, 0.0)][:2]
        log.debug("correction %r: best %.2f, second %.2f (threshold %.2f)", right, best[1], second[1], threshold)
        if best[0] is not None and best[1] >= threshold and best[1] - second[1] >= self._memory.subjects.policy.near_best:
            return await self._replace(incoming, best[0], right, lang)
        maybe = [m for m, s in scored if s >= threshold - self._memory.subjects.policy.unsure][:LISTED]
        memory = await self._memory.teaching.teach(incoming.scope, right, author=incoming.user)
        if not maybe:
            return Said(self._say(incoming, lang, "capture.new_fact", id=memory.number))
        await self._memory.store.links.link_updates([m.id for m in maybe], memory.id)
        choices = tuple(m.number for m in maybe)

        async def chosen(number: int | None) -> Said:
            if number is None and len(maybe) > 1:  # "oui" does not say which
                self.confirmations.ask(incoming.chat_key, incoming.user, chosen, choices=choices, on_no=kept)
                return Said(self._say(incoming, lang, "capture.which_number"))
            old = next(m for m in maybe if number is None or m.number == number)
            await self._memory.corrections.replace(incoming.scope, old, memory)
            return Said(self._say(incoming, lang, "capture.replaced", new=memory.number, old=old.number, text=shorten(old.text, 80)))

        async def kept() -> Said:
            return Said(self._say(incoming, lang, "capture.kept_both", id=memory.number))

        self.confirmations.ask(incoming.chat_key, incoming.user, chosen, choices=choices, on_no=kept)
        listed = "\n".join(f"  #{m.number} {shorten(m.text, 80)}" for m in maybe)
        return Said(self._say(incoming, lang, "capture.replace_ask", id=memory.number, count=len(maybe), list=listed))

    async def _not_but(self, incoming: Incoming, phrasing: Phrasing, lang: str) -> Said:
        """"Non, c'est RIGHT, pas WRONG": the memory saying WRONG, with RIGHT in its place."""
        wrong, right = phrasing.wrong, phrasing.text
        found, _ = await self._memory.reading.remember(incoming.scope, wrong, limit=20)
        stating = [m for m in found if m.kind is not Kind.DOCUMENT and states(m.text, wrong)]
        if not stating:
            return Said(self._say(incoming, lang, "capture.nothing_to_correct", wrong=wrong))
        if len(stating) > 1:
            return self._which(incoming, lang, stating, lambda old: substitute(old.text, wrong, right) or right)
        old = stating[0]
        return await self._replace(incoming, old, substitute(old.text, wrong, right) or right, lang)

    async def _arrow(self, incoming: Incoming, phrasing: Phrasing, lang: str) -> Said:
        """"Correction : WRONG → RIGHT": the same as `correct WRONG | RIGHT`."""
        result = await self._memory.corrections.correct(incoming.scope, phrasing.wrong, phrasing.text, author=incoming.user)
        lines = [self._say(incoming, lang, "correct.done", id=result.correction.number)]
        if result.superseded:
            lines.append(self._say(incoming, lang, "correct.superseded", ids=_listed(result.superseded)))
        if result.linked:
            lines.append(self._say(incoming, lang, "correct.linked", ids=_listed(result.linked)))
        if not result.superseded and not result.linked:
            lines.append(self._say(incoming, lang, "correct.nothing"))
            if result.candidates:
                lines.append(self._say(incoming, lang, "correct.candidates"))
                lines += [f"  #{m.number} {shorten(m.text)}" for m in result.candidates]
                lines.append(self._say(incoming, lang, "correct.by_id", id=result.candidates[0].number))
        return Said("\n".join(lines))

    # --- forget -----------------------------------------------------------------------------------

    async def _forget_about(self, incoming: Incoming, subject: str, lang: str) -> Said:
        """List what is remembered about `subject` and forget it only once the user says so."""
        found, _ = await self._memory.reading.remember(incoming.scope, subject, limit=20)
        candidates = [m for m in found if m.kind is not Kind.DOCUMENT][:LISTED]
        if not candidates:
            return Said(self._say(incoming, lang, "capture.forget_none", subject=subject))

        async def confirmed(number: int | None) -> Said:
            chosen = [m for m in candidates if number is None or m.number == number]
            gone = []
            for memory in chosen:
                try:
                    await self._memory.forgetting.forget_number(incoming.scope, memory.number)
                    gone.append(memory)
                except UserError:  # forgotten meanwhile
                    continue
            return Said(self._say(incoming, lang, "capture.forgot", count=len(gone), ids=_numbers(gone)))

        async def cancelled() -> Said:
            return Said(self._say(incoming, lang, "capture.cancelled"))

        self.confirmations.ask(
            incoming.chat_key, incoming.user, confirmed, choices=tuple(m.number for m in candidates), on_no=cancelled
        )
        listed = "\n".join(f"  #{m.number} {shorten(m.text, 80)}" for m in candidates)
        return Said(
            self._say(incoming, lang, "capture.forget_ask", count=len(candidates), subject=subject, list=listed)
        )


def _numbers(memories: list[Memory]) -> str:
    return ", ".join(f"#{m.number}" for m in memories)


def _listed(memories: list[Memory]) -> str:
    return "; ".join(f"#{m.number} ({shorten(m.text, 60)})" for m in memories)
