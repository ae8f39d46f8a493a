"""The one render loop: a Reply drawn through a platform's small sink (send, edit, file, typing, limit)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any, Generic, Protocol, TypeVar

from adapters.message_split import split_text
from core.models import Incoming, Notice, OutgoingFile, Reply
from core.policy import Decision

H = TypeVar("H")
log = logging.getLogger(__name__)


class StreamRenderer(Generic[H]):
    """Render a stream of text snapshots as one or more messages, editing at most once per `interval`.

    `send(text)` posts a new message and returns a handle; `edit(handle, text)` replaces its text.
    Identical text is never re-sent; the final snapshot is always shown in full, split at `limit`.
    `preview` trims a snapshot before an intermediate edit (e.g. `up_to_last_paragraph`).
    """

    def __init__(
        self,
        send: Callable[[str], Awaitable[H]],
        edit: Callable[[H, str], Awaitable[object]],
        *,
        limit: int,
        interval: float = 1.0,
        preview: Callable[[str], str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._edit = edit
        self._limit = limit
        self._interval = interval
        self._preview = preview
        self._clock = clock
        self._shown: list[tuple[H, str]] = []
        self._last_flush = float("-inf")
        self.edits = 0

    @property
    def handles(self) -> list[H]:
        """Handles of the messages sent so far, in order."""
        return [handle for handle, _ in self._shown]

    async def render(self, snapshots: AsyncIterator[str]) -> list[H]:
        """Consume every snapshot and leave the final text on screen; returns the message handles."""
        final = ""
        async for snapshot in snapshots:
            final = snapshot
            if self._clock() - self._last_flush >= self._interval:
                trim = self._preview and not isinstance(snapshot, Notice)
                shown = self._preview(snapshot) if trim else snapshot
                if shown.strip():
                    await self.show(shown)
        await self.show(final)
        return self.handles

    async def show(self, text: str) -> None:
        """Make the messages on screen read `text`, sending or editing only what changed."""
        parts = split_text(text, self._limit)
        changed = False
        for i, part in enumerate(parts):
            if i < len(self._shown):
                handle, old = self._shown[i]
                if old != part:
                    await self._edit(handle, part)
                    self._shown[i] = (handle, part)
                    self.edits += 1
                    changed = True
            else:
                handle = await self._send(part)
                self._shown.append((handle, part))
                changed = True
        if changed:
            self._last_flush = self._clock()


class DeliveryRefused(Exception):
    """The chat platform refused to deliver a send or an edit (not an access refusal): the answer stops there."""


class Sink(Protocol):
    """What a platform offers the render loop for one conversation.

    `send` returns a handle that `edit` accepts; both raise DeliveryRefused when the platform says no.
    `typing` shows (or, with False, clears) the typing notice, which lasts `typing_every` seconds.
    `react` puts an emoji reaction on the user's message; False where there is no message to react
    to, no reactions, or the platform refused (the render loop then sends the short line instead).
    `begin` comes first, once the core has decided to answer: `private` says the reply is for the
    sender only (a sink that can show it so, a Discord interaction, acknowledges it that way).
    `caption_limit` is the longest caption a file may carry.
    """

    limit: int
    caption_limit: int
    interval: float
    typing_every: float
    preview: Callable[[str], str] | None

    async def begin(self, private: bool) -> None:
        """The core will answer: privately (the sender only) or not."""
        ...

    async def send(self, text: str) -> Any:
        """Post a new message."""
        ...

    async def edit(self, handle: Any, text: str) -> None:
        """Replace the text of a message sent by `send`."""
        ...

    async def send_file(self, file: OutgoingFile) -> None:
        """Post a file (with its caption)."""
        ...

    async def typing(self, on: bool) -> None:
        """Show or clear "typing…"."""
        ...

    async def react(self, emoji: str) -> bool:
        """React to the message being answered; whether the reaction is there."""
        ...


class PublicSink:
    """What most sinks share: no trimming of previews, and replies the whole chat sees."""

    preview: Callable[[str], str] | None = None

    async def begin(self, private: bool) -> None:
        """Nothing to acknowledge: the chat sees the reply (a platform without private replies)."""


class Answering(Protocol):
    """The assistant as the render loop sees it."""

    async def decide(self, incoming: Incoming) -> Decision | None:
        """None when the message is not for the bot, else what is decided before any work."""
        ...

    async def handle(self, incoming: Incoming, decision: Decision | None = None) -> Reply | None:
        """The reply, or None when the message deserves silence."""
        ...


async def draw(reply: Reply, sink: Sink) -> None:
    """Show a reply: streamed snapshots by throttled edits, text split at the limit, then any file."""
    renderer: StreamRenderer[Any] = StreamRenderer(
        sink.send, sink.edit, limit=sink.limit, interval=sink.interval, preview=sink.preview
    )
    if reply.updates is not None:
        await renderer.render(reply.updates)
    elif reply.text.strip():
        await renderer.show(reply.text)
    if reply.file is not None:
        await send_file(reply.file, sink)
    await acknowledge(reply, sink)


async def send_file(file: OutgoingFile, sink: Sink) -> None:
    """Send a file; a caption longer than the platform allows goes first as text, whole."""
    if len(file.caption) > sink.caption_limit:
        for part in split_text(file.caption, sink.limit):
            await sink.send(part)
        file = replace(file, caption="")
    await sink.send_file(file)


async def acknowledge(reply: Reply, sink: Sink) -> None:
    """The sign that the message became a memory: a reaction, else its short line (read after the stream)."""
    sign = reply.acknowledgement
    if sign.emoji and await sink.react(sign.emoji):
        return
    if sign.line:
        await sink.send(sign.line)


async def respond(assistant: Answering, incoming: Incoming, sink: Sink) -> None:
    """Ask the assistant, showing "typing…" meanwhile, and draw its reply; a refusal ends it quietly."""
    decision = await assistant.decide(incoming)
    if decision is None:
        return
    typing: asyncio.Task | None = None
    try:
        await sink.begin(decision.private)
        typing = asyncio.create_task(_keep_typing(sink))
        reply = await assistant.handle(incoming, decision)
        if reply is not None:
            await draw(reply, sink)
    except DeliveryRefused as refusal:
        log.warning("%s: the platform refused a message, the answer stops here (%s)", incoming.platform, refusal)
    finally:
        if typing is not None:
            typing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await typing
        try:
            await sink.typing(False)
        except Exception:  # the answer is out; a typing notice left on clears itself
            log.debug("clearing the typing notice failed", exc_info=True)


async def _keep_typing(sink: Sink) -> None:
    """Renew the typing notice until cancelled; a failed notice is not worth a word."""
    while True:
        try:
            await sink.typing(True)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.debug("typing notice failed", exc_info=True)
        await asyncio.sleep(sink.typing_every)
