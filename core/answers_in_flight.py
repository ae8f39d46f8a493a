"""The answers each chat is still writing or logging, so /why waits for the one just shown."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager


class AnswersInFlight:
    """Per chat, the answers begun and not yet logged (their log comes a moment after the last words show)."""

    def __init__(self) -> None:
        self._open: dict[str, set[asyncio.Future[None]]] = {}

    @contextmanager
    def writing(self, chat_key: str) -> Iterator[None]:
        """Mark an answer of `chat_key` in flight until the block ends, however it ends."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._open.setdefault(chat_key, set()).add(done)
        try:
            yield
        finally:
            done.set_result(None)
            chat = self._open.get(chat_key, set())
            chat.discard(done)
            if not chat:
                self._open.pop(chat_key, None)

    async def settled(self, chat_key: str, timeout: float) -> None:
        """Wait (at most `timeout` s) for the answers `chat_key` has in flight now."""
        pending = set(self._open.get(chat_key, ()))
        if pending:
            await asyncio.wait(pending, timeout=timeout)
