"""Several model servers behind one fair queue: placement by free slots, health and installed models."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from core.errors import LLMFailed, LLMOutOfMemory, LLMUnavailable, ModelMissing, UserError
from core.llm.base import ChatMessage, answers
from core.llm.queue import FairQueue, QueueView, Ticket
from core.llm.servers import MODELS_TTL_SECONDS, RECHECK_SECONDS, ModelServer, ServerHealth, ServerView

log = logging.getLogger(__name__)
NOTICE_AFTER_SECONDS = 0.5  # a question granted sooner shows no place at all
NOTICE_EVERY_SECONDS = 2.0  # each update is a message edit: dearer than the wait it reports


@dataclass(frozen=True)
class Waiting:
    """The request waits in Souvenir's queue with `ahead` requests before it."""

    ahead: int


@dataclass(frozen=True)
class Restart:
    """A server failed mid-answer and another one starts the answer again: forget the text so far."""


@dataclass
class PoolView:
    """The queue and the servers, for admins."""

    queue: QueueView
    servers: list[ServerView] = field(default_factory=list)


class ModelPool:
    """The chat model the core talks to: requests queue fairly, then stream from a healthy server.

    Each server takes at most `parallel` requests at once (what it serves in parallel, e.g. Ollama's
    OLLAMA_NUM_PARALLEL); the others wait in Souvenir, where their askers see their place, and a
    server's timeout counts only once it has the request. A server that fails is paused for
    `recheck` seconds and the request goes to another one that has the model.
    """

    def __init__(
        self,
        servers: list[ModelServer],
        *,
        recheck: float = RECHECK_SECONDS,
        models_ttl: float = MODELS_TTL_SECONDS,
        notice_after: float = NOTICE_AFTER_SECONDS,
        notice_every: float = NOTICE_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not servers:
            raise ValueError("at least one model server is needed")
        self.servers = servers
        self._notice_after = notice_after
        self._notice_every = notice_every
        self._clock = clock
        self._queue: FairQueue[ModelServer] = FairQueue(self._place, clock)
        self._health = ServerHealth(
            servers, recheck=recheck, models_ttl=models_ttl, clock=clock, on_read=self._queue.dispatch
        )

    @property
    def host(self) -> str:
        """The servers' addresses, for messages and logs."""
        return ", ".join(s.name for s in self.servers)

    # --- placement -----------------------------------------------------------------------------

    def _place(self, ticket: Ticket[ModelServer]) -> ModelServer | None:
        """The least loaded server with a free slot that has the model and has not failed this request.

        Servers that are up come first; when every server that could take it is paused, the request
        goes to a paused one anyway (with a single server, a pause would only turn users away).
        """
        now = self._clock()
        usable = [s for s in self.servers if s.has(ticket.model) and s not in ticket.tried]
        if any(s.up(now) for s in usable):
            usable = [s for s in usable if s.up(now)]
        free = [s for s in usable if s.busy < s.parallel]
        if not free:
            return None
        server = min(free, key=lambda s: s.busy / s.parallel)
        server.busy += 1
        return server

    # --- the ChatModel interface ----------------------------------------------------------------

    async def context_window(self, model: str) -> int:
        """The smallest context among the servers that may take `model` (a request can go to any)."""
        await self._health.refresh()
        self._check_placeable(model, set())
        now = self._clock()
        candidates = [s for s in self.servers if s.has(model)]
        windows: list[int] = []
        error: UserError = LLMUnavailable()
        for server in [s for s in candidates if s.up(now)] or candidates:
            try:
                windows.append(await server.backend.context_window(model))
            except ModelMissing as missing:
                if server.models is not None:
                    server.models.discard(model)
                error = missing
            except LLMUnavailable as failure:
                self._health.mark_down(server, failure)
                error = failure
        if not windows:
            raise error
        return min(windows)

    async def stream(self, model: str, messages: list[ChatMessage]) -> AsyncIterator[str]:
        """Text deltas of the answer, queued like any other request (one queue for callers without a chat)."""
        text = ""
        async for event in self.ask(model, messages, chat="-", owner="-"):
            if isinstance(event, str):
                text += event
                yield event
            elif isinstance(event, Restart) and text:
                raise LLMUnavailable()  # a plain stream cannot take its words back

    async def list_models(self) -> list[str]:
        """The models installed on at least one server that answers."""
        await self._health.refresh(force=True)
        now = self._clock()
        live = [s for s in self.servers if s.up(now) and s.models is not None]
        if not live:
            raise LLMUnavailable()
        return sorted({name for s in live for name in s.models or ()})

    async def is_reachable(self) -> bool:
        """Whether at least one server answers."""
        return await answers(self)

    # --- the queue -----------------------------------------------------------------------------

    async def ask(
        self, model: str, messages: list[ChatMessage], *, chat: str, owner: str
    ) -> AsyncIterator[Waiting | Restart | str]:
        """Wait for a slot (yielding Waiting while queued), then stream the answer's deltas.

        A server that fails (unreachable, cut, 5xx, silent past its timeout) is paused and the
        request goes to another server that has the model, ahead of the queue (Restart if words
        were already sent). Raises QueueCancelled when cancelled while waiting.
        """
        await self._health.refresh()
        tried: set[ModelServer] = set()
        sent = False
        while True:
            self._check_placeable(model, tried)
            server = None
            ticket = self._queue.enter(chat, owner, model, tried=tried)
            try:
                # The place shows after a short wait (no flicker when a slot frees at once), then
                # follows the queue at most once per `notice_every` (each waiter looks, none is woken).
                loop = asyncio.get_running_loop()
                shown: int | None = None
                show_at = loop.time() + self._notice_after
                while not ticket.granted.done():
                    if loop.time() >= show_at and ticket.ahead != shown:
                        shown = ticket.ahead
                        yield Waiting(shown)
                        show_at = loop.time() + self._notice_every
                    await ticket.granted_within(max(show_at - loop.time(), 0.0) or self._notice_every)
                server = ticket.granted.result()
            finally:
                if server is None:
                    self._queue.leave(ticket)
                    if (
                        ticket.granted.done()
                        and not ticket.granted.cancelled()
                        and ticket.granted.exception() is None
                    ):
                        self._release(ticket.granted.result())
            tried.add(server)
            try:
                if sent:
                    yield Restart()
                async for delta in server.backend.stream(model, messages):
                    sent = True
                    yield delta
                server.served += 1
                return
            except ModelMissing as missing:
                if server.models is not None:
                    server.models.discard(model)
                failure: UserError = missing
            except LLMUnavailable as error:
                if not _server_fault(error):
                    raise
                if not isinstance(error, LLMOutOfMemory):
                    self._health.mark_down(server, error)
                failure = error
            finally:
                self._release(server)
            if not self._can_retry(model, tried):
                raise failure
            log.info("retrying a request for %s on another model server", model)

    def _release(self, server: ModelServer) -> None:
        server.busy -= 1
        self._queue.dispatch()

    def _can_retry(self, model: str, tried: set[ModelServer]) -> bool:
        """Whether another server that is up has the model."""
        now = self._clock()
        return any(s.up(now) and s.has(model) and s not in tried for s in self.servers)

    def _check_placeable(self, model: str, tried: set[ModelServer]) -> None:
        """Fail at once, rather than wait forever, when no server could take the request."""
        if any(s.has(model) and s not in tried for s in self.servers):
            return
        if any(s.models is not None and s.up(self._clock()) for s in self.servers):
            raise ModelMissing(model=model)
        raise LLMUnavailable()

    def cancel(self, chat: str, reason: str, owner: str | None = None) -> int:
        """Withdraw queued (not started) requests of a chat; returns how many."""
        return self._queue.cancel(chat, reason, owner)

    def view(self) -> PoolView:
        """The queue and each server's load, for admins."""
        now = self._clock()
        servers = [ServerView(s.name, s.busy, s.parallel, s.up(now), s.served) for s in self.servers]
        return PoolView(self._queue.view(), servers)

    async def close(self) -> None:
        """Close the servers' clients (one that fails to close is logged and the others are closed)."""
        self._health.stop()
        for server in self.servers:
            closing = getattr(server.backend, "close", None)
            if closing is None:
                continue
            try:
                await closing()
            except Exception as error:  # the process is stopping: say so, and close the next one
                log.warning("closing the client of model server %s failed (%s)", server.name, type(error).__name__)


def _server_fault(error: LLMUnavailable) -> bool:
    """Whether the failure is the server's (worth another server), not the request's (a 4xx)."""
    status = error.params.get("status") if isinstance(error, LLMFailed) else None
    return not (isinstance(status, int) and 400 <= status < 500)
