"""Telegram's side of the render loop: a chat as a sink, direct messages, Bot API calls retried."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot, Chat, Message
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from adapters.rendering import DeliveryRefused, PublicSink, draw
from core.models import OutgoingFile, Reply

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
MAX_RETRIES = 5
TYPING_EVERY = 4.5  # Telegram clears "typing…" after 5 s
T = TypeVar("T")


def as_seconds(read: Callable[[], object]) -> float:
    """A duration python-telegram-bot gives as int seconds or as a timedelta (its deprecation warning hushed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = read()
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


async def with_retry(call: Callable[[], Awaitable[T]]) -> T:
    """Run a Bot API call: a 429 is waited out (retry_after), a network error retried with backoff."""
    backoff = 0.5
    for _ in range(MAX_RETRIES):
        try:
            return await call()
        except RetryAfter as error:
            seconds = as_seconds(lambda error=error: error.retry_after)
            log.warning("telegram flood control: waiting %.1f s", seconds)
            await asyncio.sleep(seconds)
        except BadRequest:
            raise
        except NetworkError as error:
            log.warning("telegram network error (%s), retrying in %.1f s", type(error).__name__, backoff)
            await asyncio.sleep(backoff)
            backoff *= 2
    return await call()


class TelegramSink(PublicSink):
    """The render loop's view of one Telegram chat."""

    limit = MESSAGE_LIMIT
    caption_limit = CAPTION_LIMIT
    typing_every = TYPING_EVERY

    def __init__(self, chat: Chat, interval: float, message: Message | None = None) -> None:
        self._chat = chat
        self._message = message
        self.interval = interval

    async def send(self, text: str) -> Message:
        """Post a message (429 and network errors retried)."""
        try:
            return await with_retry(lambda: self._chat.send_message(text))
        except TelegramError as error:
            raise DeliveryRefused(f"sendMessage: {error}") from None

    async def edit(self, handle: Message, text: str) -> None:
        """Edit a message; "message is not modified" is not a failure."""
        try:
            await with_retry(lambda: handle.edit_text(text))
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise DeliveryRefused(f"editMessageText: {error}") from None
        except TelegramError as error:
            raise DeliveryRefused(f"editMessageText: {error}") from None

    async def send_file(self, file: OutgoingFile) -> None:
        """Send a document with its caption."""
        try:
            await with_retry(
                lambda: self._chat.send_document(
                    document=file.data, filename=file.name, caption=file.caption or None
                )
            )
        except TelegramError as error:
            raise DeliveryRefused(f"sendDocument: {error}") from None

    async def typing(self, on: bool) -> None:
        """Show "typing…" (Telegram clears it by itself)."""
        if on:
            await self._chat.send_action(ChatAction.TYPING)

    async def react(self, emoji: str) -> bool:
        """setMessageReaction on the user's message (Telegram lists its emoji without variation selectors)."""
        if self._message is None:
            return False
        try:
            await with_retry(lambda: self._message.set_reaction(emoji.replace("\ufe0f", "")))
        except TelegramError as error:
            log.info("telegram: no reaction in this chat (%s); a line instead", error)
            return False
        return True


class TelegramDirect:
    """The notifier's channel: a direct message to a Telegram user (who must have written to the bot once)."""

    prefix = "/"

    def __init__(self, bot: Bot, username: str) -> None:
        self._bot = bot
        self._username = username

    async def send_direct(self, user_id: str, text: str) -> None:
        """Draw `text` in the private chat with `user_id` (a private chat's id is the user's id)."""
        chat = Chat(id=int(user_id), type=ChatType.PRIVATE)
        chat.set_bot(self._bot)
        await draw(Reply(text=text), TelegramSink(chat, 0.0))

    def invite_link(self, code: str) -> str | None:
        """`https://t.me/<bot>?start=CODE`: opens the chat with the bot and sends `/start CODE`."""
        return f"https://t.me/{self._username}?start={code}" if self._username else None
