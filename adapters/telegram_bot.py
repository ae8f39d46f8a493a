"""The Telegram adapter (python-telegram-bot v22): updates become `Incoming`, replies become messages."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import urlparse

from telegram import BotCommand, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from adapters.rendering import StreamRenderer, split_text
from bot.settings import LimitSettings, TelegramSettings
from core.assistant import Assistant
from core.errors import FileTooLarge
from core.models import Attachment, Incoming, Reply
from core.scope import group_scope, user_scope

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
MAX_RETRIES = 5
PUBLIC_API_DOWNLOAD_LIMIT = 20 * 1024 * 1024
LANGUAGES = ("en", "fr")
T = TypeVar("T")


def parse_command(text: str, bot_username: str) -> tuple[str | None, str]:
    """`/teach@MyBot X` → ("teach", "X"); plain text → (None, text). Commands for another bot → (None, text)."""
    if not text.startswith("/"):
        return None, text
    head, _, rest = text[1:].partition(" ")
    name, _, target = head.partition("@")
    if target and target.lower() != bot_username.lower():
        return None, text
    return name.lower() or None, rest.strip()


def strip_mention(text: str, bot_username: str) -> str:
    """Remove `@bot` from a group message addressed to the bot."""
    return text.replace(f"@{bot_username}", "").strip()


async def with_retry(call: Callable[[], Awaitable[T]]) -> T:
    """Run a Bot API call: a 429 is waited out (retry_after), a network error retried with backoff."""
    backoff = 0.5
    for _ in range(MAX_RETRIES):
        try:
            return await call()
        except RetryAfter as error:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                delay = error.retry_after
            seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)
            log.warning("telegram flood control: waiting %.1f s", seconds)
            await asyncio.sleep(seconds)
        except BadRequest:
            raise
        except NetworkError as error:
            log.warning("telegram network error (%s), retrying in %.1f s", type(error).__name__, backoff)
            await asyncio.sleep(backoff)
            backoff *= 2
    return await call()


class TelegramAdapter:
    """Long-polls (or serves a webhook for) Telegram and answers through the assistant."""

    name = "telegram"

    def __init__(self, settings: TelegramSettings, assistant: Assistant, limits: LimitSettings) -> None:
        self._settings = settings
        self._assistant = assistant
        self._limits = limits
        self._app: Application | None = None
        self._username = ""

    @property
    def uses_webhook(self) -> bool:
        """True when the settings select webhook mode instead of long polling."""
        return bool(self._settings.webhook_url)

    def build_application(self) -> Application:
        """The python-telegram-bot application, pointed at the configured Bot API server."""
        if self._settings.token is None:
            raise ValueError("telegram token is not set")
        app = (
            ApplicationBuilder()
            .token(self._settings.token.get_secret_value())
            .base_url(self._settings.base_url)
            .base_file_url(self._settings.base_file_url)
            .concurrent_updates(True)
            .build()
        )
        app.add_handler(
            MessageHandler(
                filters.UpdateType.MESSAGE & (filters.TEXT | filters.Document.ALL), self._on_message
            )
        )
        return app

    async def start(self) -> None:
        """Connect, register the commands, and return once updates are being received."""
        self._app = self.build_application()
        await self._app.initialize()
        self._username = self._app.bot.username or ""
        await self._register_commands()
        await self._app.start()
        if self.uses_webhook:
            secret = self._settings.webhook_secret
            await self._app.updater.start_webhook(
                listen=self._settings.webhook_listen,
                port=self._settings.webhook_port,
                url_path=urlparse(self._settings.webhook_url).path.lstrip("/"),
                webhook_url=self._settings.webhook_url,
                secret_token=secret.get_secret_value() if secret else None,
            )
        else:
            await self._app.updater.start_polling()
        log.info(
            "telegram bot @%s is running (%s)", self._username, "webhook" if self.uses_webhook else "polling"
        )

    async def stop(self) -> None:
        """Stop receiving updates and close the connection."""
        if self._app is None:
            return
        if self._app.updater and self._app.updater.running:
            await self._app.updater.stop()
        if self._app.running:
            await self._app.stop()
        await self._app.shutdown()
        self._app = None

    async def _register_commands(self) -> None:
        """Publish the command menu in English (default) and French."""
        for lang in LANGUAGES:
            commands = [
                BotCommand(spec.name, spec.help.get(lang, spec.help["en"])[:256])
                for spec in self._assistant.commands()
            ]
            await with_retry(
                lambda c=commands, lang=lang: self._app.bot.set_my_commands(c, language_code=lang)
            )
        en = [BotCommand(s.name, s.help["en"][:256]) for s in self._assistant.commands()]
        await with_retry(lambda: self._app.bot.set_my_commands(en))

    def is_addressed(self, message: Message) -> bool:
        """In a group, only commands, @mentions and replies to the bot are for us."""
        if message.chat.type == ChatType.PRIVATE:
            return True
        text = message.text or message.caption or ""
        if text.startswith("/"):
            command, _ = parse_command(text, self._username)
            return command is not None
        if self._username and f"@{self._username}".lower() in text.lower():
            return True
        replied = message.reply_to_message
        return bool(replied and replied.from_user and replied.from_user.username == self._username)

    def to_incoming(self, message: Message) -> Incoming:
        """Translate a Telegram message into a platform-neutral request (no download happens here)."""
        user = message.from_user
        chat = message.chat
        is_group = chat.type != ChatType.PRIVATE
        scope = group_scope("telegram", "chat", chat.id) if is_group else user_scope("telegram", user.id)
        text = message.text or message.caption or ""
        command, args = parse_command(text, self._username)
        if command is None and is_group:
            text = strip_mention(text, self._username)
        incoming = Incoming(
            platform="telegram",
            user_id=str(user.id),
            scope=scope,
            chat_key=f"telegram:chat:{chat.id}",
            text=text,
            command=command,
            args=args,
            is_group=is_group,
            language=user.language_code,
            display_name=user.full_name,
        )
        if message.document is not None:
            incoming.attachments = [self._attachment(message)]
        return incoming

    def _attachment(self, message: Message) -> Attachment:
        """A lazy attachment: the file is fetched only after the core accepted its name and size."""
        document = message.document
        bot = message.get_bot()
        name = document.file_name or "document"
        public_api = "api.telegram.org" in self._settings.base_url

        async def fetch() -> bytes:
            if public_api and (document.file_size or 0) > PUBLIC_API_DOWNLOAD_LIMIT:
                raise FileTooLarge(name=name, size=document.file_size, limit=PUBLIC_API_DOWNLOAD_LIMIT)
            file = await with_retry(lambda: bot.get_file(document.file_id))
            return bytes(await file.download_as_bytearray())

        return Attachment(
            name=name,
            size=document.file_size,
            fetch=fetch,
            mime=document.mime_type,
        )

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer one incoming message."""
        message = update.effective_message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return
        if not self.is_addressed(message):
            return
        incoming = self.to_incoming(message)
        typing = asyncio.create_task(self._keep_typing(message))
        try:
            reply = await self._assistant.handle(incoming)
            await self.render(message, reply)
        finally:
            typing.cancel()

    async def _keep_typing(self, message: Message) -> None:
        """Show "typing…" until the answer is complete (Telegram clears it after 5 s)."""
        try:
            while True:
                try:
                    await message.chat.send_action(ChatAction.TYPING)
                except Exception:
                    log.debug("sendChatAction failed", exc_info=True)
                await asyncio.sleep(4.5)
        except asyncio.CancelledError:
            pass

    async def edit_ignoring_unchanged(self, sent: Message, text: str) -> Message | None:
        """Edit a sent message; Telegram's "message is not modified" is not an error for us."""
        try:
            return await with_retry(lambda: sent.edit_text(text))
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise
            return None

    async def render(self, message: Message, reply: Reply) -> None:
        """Send a reply as plain text: streamed by throttled edits, split at 4096, then any file."""
        chat = message.chat

        async def send(text: str) -> Message:
            return await with_retry(lambda: chat.send_message(text))

        if reply.updates is not None:
            renderer = StreamRenderer(
                send, self.edit_ignoring_unchanged, limit=MESSAGE_LIMIT, interval=self._settings.edit_interval
            )
            await renderer.render(reply.updates)
        else:
            for part in split_text(reply.text, MESSAGE_LIMIT):
                await send(part)
        if reply.file is not None:
            file = reply.file
            await with_retry(
                lambda: chat.send_document(
                    document=file.data, filename=file.name, caption=file.caption[:1024] or None
                )
            )
