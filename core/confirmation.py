"""Pending yes/no questions: one per chat and user, answered by "oui"/"yes"/"non"/"no" or a number, expiring.

How to use it (the conversation capture asks before forgetting; spoken destructive commands do too):

    confirmations = Confirmations(ttl=120)                      # one, shared, built in the wiring
    confirmations.ask(incoming.chat_key, incoming.user, do_it, choices=(3, 7))
    ...                                                          # say the question to the user
    # nothing else to do: the talk handler (core/commands/basics.py) resolves every plain message
    # against the pending question first (CaptureService.answer_pending), and a group member's
    # "oui" reaches it without a mention (Assistant.is_addressed); `do_it`'s result (a Reply, or a
    # text) is the answer shown. Build the question from `assistant.confirmations` (or, in a command
    # handler, `call.services.capture.confirmations`): there is one per assistant.

`do_it(choice)` runs on "oui"/"yes"/"ok" with `choice=None` (everything the question named), or on a
number with that number (only numbers listed in `choices` count). `on_no()` runs on "non"/"no"/
"annule"/"cancel" (without one, `resolve` returns an Answer whose `result` is None and `confirmed` is
False: say it was cancelled). Any other message drops the question and `resolve` returns None, so a
later, unrelated "oui" can never run a destructive action; so does the question's expiry (`ttl`).
Only the user who was asked, in the chat where they were asked, can answer.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

YES = frozenset({"oui", "ouais", "ouaip", "o", "yes", "y", "yep", "yeah", "ok", "okay", "d'accord", "dac",
                 "oui vas-y", "vas-y", "vas y", "confirme", "je confirme", "oui efface", "oui oublie",
                 "oui stp", "oui merci", "yes please", "confirm", "go", "sure", "oui, vas-y", "c'est ca"})
NO = frozenset({"non", "n", "no", "nope", "annule", "annuler", "cancel", "stop", "laisse", "laisse tomber",
                "non merci", "no thanks", "surtout pas", "pas du tout", "non stp", "never mind"})
_NUMBER = re.compile(r"^(?:(?:le|la|numero|n°|no|number|#)\s*)?#?(\d{1,9})$")
MAX_PENDING = 10_000


@dataclass(frozen=True)
class Answer:
    """What a reply to a pending question did: `confirmed` (yes or a number), the choice, and the result."""

    confirmed: bool
    choice: int | None
    result: Any


@dataclass
class _Pending:
    on_yes: Callable[[int | None], Awaitable[Any]]
    on_no: Callable[[], Awaitable[Any]] | None
    choices: tuple[int, ...]
    expires: float


def reply_word(text: str) -> str:
    """A short reply as compared with YES and NO: lower case, accents and end punctuation gone, ’ as '."""
    folded = "".join(
        c for c in unicodedata.normalize("NFD", text.replace("’", "'")) if not unicodedata.combining(c)
    )
    return re.sub(r"\s+", " ", folded.lower().strip().strip(".!,;:…?👍🙏 ")).strip()


class Confirmations:
    """At most one pending question per (chat, user); the oldest are dropped past MAX_PENDING."""

    def __init__(self, ttl: float = 120.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._pending: OrderedDict[tuple[str, str], _Pending] = OrderedDict()

    def ask(
        self,
        chat_key: str,
        user: str,
        on_yes: Callable[[int | None], Awaitable[Any]],
        *,
        choices: tuple[int, ...] = (),
        on_no: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        """Wait for `user`'s answer in `chat_key` (a new question replaces theirs)."""
        key = (chat_key, user)
        self._pending.pop(key, None)
        self._pending[key] = _Pending(on_yes, on_no, tuple(choices), self._clock() + self._ttl)
        while len(self._pending) > MAX_PENDING:
            self._pending.popitem(last=False)

    def waiting(self, chat_key: str, user: str) -> bool:
        """Whether `user` has an unexpired question in `chat_key`."""
        pending = self._pending.get((chat_key, user))
        return pending is not None and pending.expires > self._clock()

    def is_answer(self, chat_key: str, user: str, text: str) -> bool:
        """Whether `text` answers `user`'s pending question in `chat_key` (a group reads it unaddressed)."""
        pending = self._pending.get((chat_key, user))
        if pending is None or pending.expires <= self._clock():
            return False
        word = reply_word(text)
        number = _NUMBER.match(word)
        return word in YES or word in NO or bool(number and int(number.group(1)) in pending.choices)

    def cancel(self, chat_key: str, user: str) -> None:
        """Drop `user`'s question in `chat_key`, if any."""
        self._pending.pop((chat_key, user), None)

    async def resolve(self, chat_key: str, user: str, text: str) -> Answer | None:
        """Run the pending action `text` answers, or None (no question, expired, or not an answer: dropped)."""
        pending = self._pending.pop((chat_key, user), None)
        if pending is None or pending.expires <= self._clock():
            return None
        word = reply_word(text)
        if word in YES:
            return Answer(True, None, await pending.on_yes(None))
        if word in NO:
            return Answer(False, None, await pending.on_no() if pending.on_no else None)
        number = _NUMBER.match(word)
        if number and int(number.group(1)) in pending.choices:
            choice = int(number.group(1))
            return Answer(True, choice, await pending.on_yes(choice))
        return None
