"""How Souvenir reaches the Bot API: the application builder, with a small, bounded connection pool for sends."""

from __future__ import annotations

import asyncio

from telegram.error import TimedOut
from telegram.ext import ApplicationBuilder
from telegram.request import HTTPXRequest

from adapters.telegram_settings import TelegramSettings

SEND_CONNECTIONS = 32
"""Connections for sends, edits and typing: ~100 requests/s at Telegram's usual 0.3 s, over its 30 messages/s."""
WAIT_FOR_CONNECTION_S = 30.0


class BoundedRequest(HTTPXRequest):
    """python-telegram-bot's httpx request, with at most `connections` requests inside httpx at once.

    The others wait in a FIFO semaphore, not in httpcore's pool: httpcore re-checks every waiting
    request against every connection whenever a request starts or ends (and every idle connection
    against all the others), which made CPU per answer grow with the number of chats answered at once.
    Long polling keeps its own request object and connection (python-telegram-bot's default).
    """

    def __init__(self, connections: int = SEND_CONNECTIONS, wait: float = WAIT_FOR_CONNECTION_S) -> None:
        super().__init__(connection_pool_size=connections, pool_timeout=wait)
        self._free = asyncio.Semaphore(connections)
        self._wait = wait

    async def do_request(self, *args, **kwargs) -> tuple[int, bytes]:
        """Wait for a free connection (at most `wait` seconds, then TimedOut as for a full pool), then send."""
        try:
            async with asyncio.timeout(self._wait):
                await self._free.acquire()
        except TimeoutError:
            raise TimedOut(f"no connection to the Bot API free within {self._wait:g} s") from None
        try:
            return await super().do_request(*args, **kwargs)
        finally:
            self._free.release()


def application_builder(settings: TelegramSettings) -> ApplicationBuilder:
    """python-telegram-bot's builder for the configured Bot API server: updates handled concurrently,
    sends through a BoundedRequest."""
    return (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .concurrent_updates(True)
        .request(BoundedRequest())
    )
