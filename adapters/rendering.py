"""Platform-neutral rendering: split long text at a limit, stream snapshots by throttled edits."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

H = TypeVar("H")

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into pieces of at most `limit` characters, on paragraph, line, sentence or word boundaries."""
    text = text.strip()
    if not text:
        return []
    pieces: list[str] = []
    while len(text) > limit:
        cut = _best_cut(text, limit)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def _best_cut(text: str, limit: int) -> int:
    """The index where to cut `text` so the head fits in `limit`, preferring natural boundaries."""
    window = text[: limit + 1]
    floor = limit // 3
    for separator in ("\n\n", "\n"):
        at = window.rfind(separator, 0, limit)
        if at > floor:
            return at + len(separator)
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if floor < m.end() <= limit]
    if ends:
        return ends[-1]
    at = window.rfind(" ", 0, limit)
    if at > floor:
        return at + 1
    return limit


def up_to_last_paragraph(text: str) -> str:
    """The part of a growing text that ends at its last paragraph break (for calm mid-stream edits)."""
    at = text.rfind("\n\n")
    return text[:at] if at > 0 else ""


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
                shown = self._preview(snapshot) if self._preview else snapshot
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
