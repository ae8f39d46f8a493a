"""Souvenir's own queue in front of the model servers: round-robin across chats, with positions."""

from __future__ import annotations

import asyncio
import itertools
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from core.errors import UserError

S = TypeVar("S")


class QueueCancelled(UserError):
    """A queued question withdrawn before a server took it (`reason` names the message)."""

    key = "queue.cancelled"


@dataclass(eq=False)
class Ticket(Generic[S]):
    """One request waiting for a server slot; `ahead` is how many queued requests go before it."""

    chat: str
    owner: str
    model: str
    number: int
    granted: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    tried: set = field(default_factory=set)  # servers that failed this request already
    ahead: int = 0
    waiting_since: float = 0.0

    async def granted_within(self, seconds: float) -> bool:
        """Wait up to `seconds` for a slot (or a cancellation); whether it came."""
        if not self.granted.done():
            await asyncio.wait({self.granted}, timeout=seconds)
        return self.granted.done()


@dataclass(frozen=True)
class QueueView:
    """What the queue holds right now (for admins' status)."""

    waiting: int
    chats: int
    longest_chat: int
    oldest_wait: float


class FairQueue(Generic[S]):
    """Requests wait here until `place` finds them a server slot, served round-robin across chats.

    Within a chat requests keep their order; between chats each chat with a waiting request gets one
    slot per round, so a chat with many questions delays another chat's first question by at most one
    slot. `place(ticket)` returns the server that takes the ticket (and reserves its slot) or None;
    call `dispatch()` whenever a slot frees or a server comes back.
    """

    def __init__(self, place: Callable[[Ticket[S]], S | None], clock: Callable[[], float]) -> None:
        self._place = place
        self._clock = clock
        self._chats: OrderedDict[str, deque[Ticket[S]]] = OrderedDict()
        self._numbers = itertools.count(1)

    def enter(self, chat: str, owner: str, model: str, tried: set | None = None) -> Ticket[S]:
        """Queue a request; it is granted at once when a slot is free and nobody waits before it.

        A request that a failed server gave back (`tried` not empty) goes first: it has waited already.
        """
        ticket: Ticket[S] = Ticket(chat, owner, model, next(self._numbers), waiting_since=self._clock())
        tickets = self._chats.setdefault(chat, deque())
        if tried:
            ticket.tried = tried
            tickets.appendleft(ticket)
            self._chats.move_to_end(chat, last=False)
        else:
            tickets.append(ticket)
        self.dispatch()
        return ticket

    def dispatch(self) -> None:
        """Grant free slots to waiting requests, one chat after another, then renumber the rest."""
        progress = True
        while progress:
            progress = False
            for chat, tickets in self._chats.items():
                server = self._place(tickets[0])
                if server is None:
                    continue
                ticket = tickets.popleft()
                if tickets:
                    self._chats.move_to_end(chat)
                else:
                    del self._chats[chat]
                ticket.granted.set_result(server)
                progress = True
                break  # the order changed: start again from the chat now first
        self._renumber()

    def leave(self, ticket: Ticket[S]) -> None:
        """Take a ticket out of the queue (its asker went away)."""
        tickets = self._chats.get(ticket.chat)
        if tickets and ticket in tickets:
            tickets.remove(ticket)
            if not tickets:
                del self._chats[ticket.chat]
            self._renumber()

    def cancel(self, chat: str, reason: str, owner: str | None = None) -> int:
        """Withdraw the queued requests of `chat` (of `owner` only, when given); returns how many."""
        tickets = self._chats.get(chat)
        if not tickets:
            return 0
        gone = [t for t in tickets if owner is None or t.owner == owner]
        for ticket in gone:
            tickets.remove(ticket)
            ticket.granted.set_exception(QueueCancelled(f"queue.cancelled.{reason}"))
        if not tickets:
            del self._chats[chat]
        self._renumber()
        return len(gone)

    def _renumber(self) -> None:
        """Each waiting request's `ahead`: the requests round-robin will serve before it."""
        queues = list(self._chats.values())
        ahead = 0
        for depth in itertools.count():
            row = [tickets[depth] for tickets in queues if len(tickets) > depth]
            if not row:
                break
            for ticket in row:
                ticket.ahead = ahead
                ahead += 1

    def view(self) -> QueueView:
        """Counts for status."""
        waiting = [t for tickets in self._chats.values() for t in tickets]
        oldest = min((t.waiting_since for t in waiting), default=self._clock())
        return QueueView(
            waiting=len(waiting),
            chats=len(self._chats),
            longest_chat=max((len(t) for t in self._chats.values()), default=0),
            oldest_wait=self._clock() - oldest,
        )
