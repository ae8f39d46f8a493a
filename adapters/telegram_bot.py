"""The Telegram adapter (python-telegram-bot v22): updates become `Incoming`, replies become messages."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from telegram import (
    Audio,
    BotCommand,
    Chat,
    Document,
    Message,
    MessageEntity,
    PhotoSize,
    Update,
    Video,
    VideoNote,
    Voice,
)
from telegram.constants import ChatType
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from adapters.rendering import draw, respond
from adapters.telegram_request import application_builder
from adapters.telegram_settings import TelegramSettings
from adapters.telegram_sinks import TelegramDirect, TelegramSink, as_seconds, with_retry
from core.assistant import Assistant
from core.chat_key import chat_key
from core.commands import folded
from core.errors import FileTooLarge
from core.i18n import SUPPORTED
from core.models import Attachment, AttachmentKind, Incoming, Reply
from core.scope import group_scope, user_scope

log = logging.getLogger(__name__)

PUBLIC_API_DOWNLOAD_LIMIT = 20 * 1024 * 1024
_File = Document | PhotoSize | Voice | Audio | Video | VideoNote


def read_mention(text: str, bot_username: str) -> tuple[str | None, bool]:
    """The text as the core should read it, and whether it names the bot.

    `/teach@MyBot X` → ("/teach X", True); `@MyBot hello` → ("hello", True); a command for another
    bot (`/teach@OtherBot`) → (None, False): it is not ours to read.
    """
    me = f"@{bot_username}".lower() if bot_username else None
    if text.startswith("/"):
        head, space, rest = text.partition(" ")
        name, at, target = head.partition("@")
        if at and me and f"@{target}".lower() != me:
            return None, False
        return name + space + rest, bool(at)
    words = text.split()
    mentioned = bool(me) and any(word.lower().rstrip(",:") == me for word in words)
    if mentioned:
        text = " ".join(w for w in words if w.lower().rstrip(",:") != me)
    return text.strip(), mentioned


class TelegramAdapter:
    """Long-polls (or serves a webhook for) Telegram and answers through the assistant."""

    name = "telegram"
    prefix = "/"

    def __init__(self, settings: TelegramSettings, assistant: Assistant) -> None:
        self._settings = settings
        self._assistant = assistant
        self._app: Application | None = None
        self._username = ""
        self._direct: TelegramDirect | None = None

    @property
    def uses_webhook(self) -> bool:
        """True when the settings select webhook mode instead of long polling."""
        return bool(self._settings.webhook_url)

    def build_application(self) -> Application:
        """The python-telegram-bot application, pointed at the configured Bot API server."""
        if self._settings.token is None:
            raise ValueError("telegram token is not set")
        app = application_builder(self._settings).build()
        app.add_handler(
            MessageHandler(
                filters.UpdateType.MESSAGE
                & (
                    filters.TEXT
                    | filters.Document.ALL
                    | filters.PHOTO
                    | filters.VOICE
                    | filters.AUDIO
                    | filters.VIDEO_NOTE
                    | filters.VIDEO
                ),
                self._on_message,
            )
        )
        return app

    async def start(self) -> None:
        """Connect, register the commands, and return once updates are being received."""
        self._app = self.build_application()
        await self._app.initialize()
        self._username = self._app.bot.username or ""
        await self._register_commands()
        self._direct = TelegramDirect(self._app.bot, self._username)
        self._assistant.notifier.attach(self.name, self._direct)
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
        self._assistant.notifier.detach(self.name, self._direct)
        if self._app.updater and self._app.updater.running:
            await self._app.updater.stop()
        if self._app.running:
            await self._app.stop()
        await self._app.shutdown()
        self._app = None

    async def _register_commands(self) -> None:
        """Publish the declared commands as the menu, in English (the default) and in French with French
        names (`/apprends`) for users whose Telegram is in French (setMyCommands per language_code)."""
        for lang in (None, *SUPPORTED):
            menu = [
                BotCommand(folded(c.name_in(lang or "en")), c.describe(lang or "en")[:256])
                for c in self._assistant.commands()
            ]
            await with_retry(lambda m=menu, lang=lang: self._app.bot.set_my_commands(m, language_code=lang))

    def to_incoming(self, message: Message) -> Incoming | None:
        """Translate a Telegram message into neutral facts (no download happens here); None if not ours."""
        user = message.from_user
        chat = message.chat
        is_group = chat.type != ChatType.PRIVATE
        scope = group_scope("telegram", "chat", chat.id) if is_group else user_scope("telegram", user.id)
        text, mentioned = read_mention(message.text or message.caption or "", self._username)
        if text is None:
            return None
        mentioned = mentioned or any(
            entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == message.get_bot().id
            for entity in (message.entities or message.caption_entities or ())
        )
        replied = message.reply_to_message
        incoming = Incoming(
            platform="telegram",
            user_id=str(user.id),
            scope=scope,
            chat_key=chat_key("telegram", "chat", chat.id),
            text=text,
            is_group=is_group,
            language=user.language_code,
            display_name=user.full_name,
            mentions_bot=mentioned,
            replies_to_bot=bool(replied and replied.from_user and replied.from_user.id == message.get_bot().id),
        )
        incoming.attachments = self._attachments(message)
        return incoming

    def _attachments(self, message: Message) -> list[Attachment]:
        """A document, photo (largest size), voice note, audio file, round video note or video as a lazy attachment."""
        if message.document is not None:
            document = message.document
            return [self._lazy(message, document, document.file_name or "document", mime=document.mime_type)]
        if message.photo:
            return [self._lazy(message, message.photo[-1], "", kind=AttachmentKind.IMAGE)]
        sound = message.voice or message.audio
        if sound is not None:
            name = getattr(sound, "file_name", None) or ""
            return [
                self._lazy(
                    message,
                    sound,
                    name,
                    mime=sound.mime_type,
                    kind=AttachmentKind.AUDIO,
                    duration=as_seconds(lambda: sound.duration),
                )
            ]
        video = message.video_note or message.video
        if video is not None:
            return [
                self._lazy(
                    message,
                    video,
                    getattr(video, "file_name", None) or "",
                    mime=getattr(video, "mime_type", None),
                    kind=AttachmentKind.VIDEO,
                    duration=as_seconds(lambda: video.duration),
                )
            ]
        return []

    def _lazy(self, message: Message, file: _File, name: str, **facts: object) -> Attachment:
        """A lazy attachment: the file is fetched only after the core accepted its name and size."""
        bot = message.get_bot()
        public_api = "api.telegram.org" in self._settings.base_url

        async def fetch() -> bytes:
            if public_api and (file.file_size or 0) > PUBLIC_API_DOWNLOAD_LIMIT:
                raise FileTooLarge(name=name, size=file.file_size, limit=PUBLIC_API_DOWNLOAD_LIMIT)
            found = await with_retry(lambda: bot.get_file(file.file_id))
            return bytes(await found.download_as_bytearray())

        return Attachment(name=name, size=file.file_size, fetch=fetch, **facts)

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer one incoming message."""
        message = update.effective_message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return
        incoming = self.to_incoming(message)
        if incoming is not None:
            await respond(self._assistant, incoming, self.sink(message.chat, message))

    def sink(self, chat: Chat, message: Message | None = None) -> TelegramSink:
        """Where answers in `chat` are drawn (reactions go on `message`, the one being answered)."""
        return TelegramSink(chat, self._settings.edit_interval, message)

    async def edit_ignoring_unchanged(self, sent: Message, text: str) -> Message | None:
        """Edit a sent message; Telegram's "message is not modified" is not an error for us."""
        await self.sink(sent.chat).edit(sent, text)
        return None

    async def render(self, message: Message, reply: Reply) -> None:
        """Draw a reply in the chat of `message` through the shared render loop."""
        await draw(reply, self.sink(message.chat))
