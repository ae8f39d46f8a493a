"""The Discord adapter (discord.py 2.x): slash commands and messages become `Incoming`, replies messages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from adapters.discord_commands import DeclaredTranslator, declare, publish
from adapters.discord_settings import DiscordSettings
from adapters.discord_sinks import ChannelSink, DiscordDirect, InteractionSink
from adapters.rendering import respond
from core.assistant import Assistant
from core.chat_key import chat_key
from core.commands import Command
from core.models import Attachment, Incoming
from core.scope import group_scope, user_scope

log = logging.getLogger(__name__)

READY_TIMEOUT = 30.0


class DiscordAdapter:
    """Connects to the Discord gateway and answers through the assistant."""

    name = "discord"
    prefix = "/"

    def __init__(
        self, settings: DiscordSettings, assistant: Assistant, *, client_options: dict | None = None
    ) -> None:
        self._settings = settings
        self._assistant = assistant
        self._client_options = client_options or {}
        self._client: discord.Client | None = None
        self._tree: app_commands.CommandTree | None = None
        self._task: asyncio.Task | None = None
        self._handlers: set[asyncio.Task] = set()
        self._direct: DiscordDirect | None = None

    @property
    def client(self) -> discord.Client | None:
        """The running discord.py client (None before start)."""
        return self._client

    async def start(self) -> None:
        """Log in, connect to the gateway, publish the slash commands; returns once ready."""
        if self._settings.token is None:
            raise ValueError("discord token is not set")
        intents = discord.Intents.default()
        intents.message_content = True
        client = discord.Client(intents=intents, **self._client_options)
        tree = app_commands.CommandTree(client)
        self._client, self._tree = client, tree
        await tree.set_translator(DeclaredTranslator(declare(tree, self._assistant.commands(), self.on_command)))
        ready = asyncio.Event()
        client.event(self._make_on_ready(ready))
        client.event(self.on_message)
        self._task = asyncio.create_task(client.start(self._settings.token.get_secret_value()))
        waiter = asyncio.create_task(ready.wait())
        done, _ = await asyncio.wait(
            {self._task, waiter}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        if waiter not in done:
            waiter.cancel()
            failure = self._task.exception() if self._task in done else None
            await self.stop()
            if isinstance(failure, discord.LoginFailure):
                raise RuntimeError("discord login failed: the token was rejected") from None
            raise RuntimeError(
                f"discord did not become ready ({type(failure).__name__ if failure else 'timeout'})"
            )
        await publish(tree, client, everywhere=self._settings.sync_global)
        self._direct = DiscordDirect(client)
        self._assistant.notifier.attach(self.name, self._direct)
        log.info("discord bot %s is running", client.user)

    async def stop(self) -> None:
        """Cancel answers in progress, then close the gateway connection and the HTTP session."""
        self._assistant.notifier.detach(self.name, self._direct)
        for handler in list(self._handlers):
            handler.cancel()
        if self._client is not None and not self._client.is_closed():
            await self._client.close()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            except Exception as error:  # the gateway task ended badly: it is being closed anyway
                log.debug("the discord gateway task ended with %s", type(error).__name__, exc_info=True)
        self._client = self._tree = self._task = None

    def _make_on_ready(self, ready: asyncio.Event) -> Callable[[], Awaitable[None]]:
        async def on_ready() -> None:
            ready.set()

        return on_ready

    def scope_for(self, user_id: int, guild_id: int | None, channel_id: int) -> str:
        """DM → the sender's scope; guild → the guild's scope (or the channel's, per setting)."""
        if guild_id is None:
            return user_scope("discord", user_id)
        if self._settings.per_channel_scope:
            return group_scope("discord", "channel", channel_id)
        return group_scope("discord", "guild", guild_id)

    def _attachment(self, file: discord.Attachment) -> Attachment:
        """A lazy attachment: downloaded only after the core accepted its name and size."""
        return Attachment(
            name=file.filename, size=file.size, fetch=file.read, mime=file.content_type, duration=file.duration
        )

    async def on_command(self, interaction: discord.Interaction, command: Command, values: dict[str, Any]) -> None:
        """Answer through the render loop (its sink acknowledges at once, privately when the core says so)."""
        user = interaction.user
        files = [v for v in values.values() if isinstance(v, discord.Attachment)]
        incoming = Incoming(
            platform="discord",
            user_id=str(user.id),
            scope=self.scope_for(user.id, interaction.guild_id, interaction.channel_id or 0),
            chat_key=chat_key("discord", "channel", interaction.channel_id),
            command=command.name,
            args=command.text_of({k: str(v) for k, v in values.items() if v is not None}),
            is_group=interaction.guild_id is not None,
            language=interaction.locale.value,
            display_name=user.display_name,
            attachments=[self._attachment(f) for f in files],
            can_reply_privately=True,
        )
        incoming.text = f"/{command.name} {incoming.args}".strip()
        await respond(self._assistant, incoming, InteractionSink(interaction, interval=self._settings.edit_interval))

    def to_incoming(self, message: discord.Message) -> Incoming:
        """Translate a Discord message into neutral facts (no download happens here)."""
        me = self._client.user if self._client else None
        text = message.content
        mentioned = me is not None and me in message.mentions
        if me is not None:
            text = text.replace(f"<@{me.id}>", "").replace(f"<@!{me.id}>", "").strip()
        ref = message.reference.resolved if message.reference else None
        guild_id = message.guild.id if message.guild else None
        return Incoming(
            platform="discord",
            user_id=str(message.author.id),
            scope=self.scope_for(message.author.id, guild_id, message.channel.id),
            chat_key=chat_key("discord", "channel", message.channel.id),
            text=text,
            is_group=guild_id is not None,
            display_name=message.author.display_name,
            attachments=[self._attachment(a) for a in message.attachments],
            mentions_bot=mentioned,
            replies_to_bot=isinstance(ref, discord.Message) and me is not None and ref.author.id == me.id,
        )

    async def on_message(self, message: discord.Message) -> None:
        """Hand every message from a person to the core, which decides whether it is for the bot."""
        if message.author.bot:
            return
        current = asyncio.current_task()
        if current is not None:
            self._handlers.add(current)
            current.add_done_callback(self._handlers.discard)
        incoming = self.to_incoming(message)
        await respond(
            self._assistant, incoming, ChannelSink(message.channel, self._settings.edit_interval, message)
        )
