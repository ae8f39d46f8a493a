"""The Discord adapter (discord.py 2.x): slash commands and messages become `Incoming`, replies messages."""

import asyncio
import contextlib
import io
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
import yarl
from discord import app_commands

from adapters.rendering import StreamRenderer, split_text
from bot.settings import DiscordSettings, LimitSettings
from core.assistant import Assistant
from core.commands import split_command
from core.models import Attachment, Incoming, Reply
from core.scope import group_scope, user_scope

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 2000
READY_TIMEOUT = 30.0
PRIVATE_COMMANDS = {"remember", "why", "export", "search", "status"}
SKIPPED_COMMANDS = {"talk"}
TEXT_COMMANDS = {"start"}


def language_of(locale: object) -> str | None:
    """`fr` for any French Discord locale, `en` otherwise, None when unknown."""
    value = str(getattr(locale, "value", locale or ""))
    return ("fr" if value.lower().startswith("fr") else "en") if value else None


class HelpTranslator(app_commands.Translator):
    """Gives French command descriptions from the core's command table."""

    def __init__(self, french: dict[str, str]) -> None:
        super().__init__()
        self._french = french

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext,
    ) -> str | None:
        """The French text for a description, None for other locales or strings."""
        if not locale.value.startswith("fr"):
            return None
        return self._french.get(string.extras.get("key", ""))


class DiscordAdapter:
    """Connects to the Discord gateway and answers through the assistant."""

    name = "discord"

    def __init__(self, settings: DiscordSettings, assistant: Assistant, limits: LimitSettings) -> None:
        self._settings = settings
        self._assistant = assistant
        self._limits = limits
        self._client: discord.Client | None = None
        self._tree: app_commands.CommandTree | None = None
        self._task: asyncio.Task | None = None
        self._handlers: set[asyncio.Task] = set()

    @property
    def client(self) -> discord.Client | None:
        """The running discord.py client (None before start)."""
        return self._client

    async def start(self) -> None:
        """Log in, connect to the gateway, sync the slash commands; returns once ready."""
        if self._settings.token is None:
            raise ValueError("discord token is not set")
        discord.http.Route.BASE = self._settings.api_base.rstrip("/")
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self._settings.gateway_url)
        intents = discord.Intents.default()
        intents.message_content = True
        client = discord.Client(intents=intents, guild_ready_timeout=0.05)
        tree = app_commands.CommandTree(client)
        self._client, self._tree = client, tree
        await tree.set_translator(HelpTranslator(self._register_commands(tree)))
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
        await self._sync(tree, client)
        log.info("discord bot %s is running", client.user)

    async def stop(self) -> None:
        """Cancel answers in progress, then close the gateway connection and the HTTP session."""
        for handler in list(self._handlers):
            handler.cancel()
        if self._client is not None and not self._client.is_closed():
            await self._client.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self._client = self._tree = self._task = None

    def _make_on_ready(self, ready: asyncio.Event) -> Callable[[], Awaitable[None]]:
        async def on_ready() -> None:
            ready.set()

        return on_ready

    async def _sync(self, tree: app_commands.CommandTree, client: discord.Client) -> None:
        """Publish the commands in every guild (immediate), and globally when configured."""
        for guild in client.guilds:
            tree.copy_global_to(guild=guild)
            try:
                await tree.sync(guild=guild)
            except discord.HTTPException as error:
                log.warning("could not sync commands in guild %s: %s", guild.id, error.status)
        if self._settings.sync_global:
            await tree.sync()

    def _register_commands(self, tree: app_commands.CommandTree) -> dict[str, str]:
        """One slash command per core command, with English and French descriptions."""
        french: dict[str, str] = {}
        for spec in self._assistant.commands():
            if spec.name in SKIPPED_COMMANDS:
                continue
            french[spec.name] = spec.help.get("fr", spec.help["en"])[:100]
            description = app_commands.locale_str(spec.help["en"][:100], key=spec.name)
            tree.add_command(
                app_commands.Command(name=spec.name, description=description, callback=self._callback(spec))
            )
        if "ingest" not in french:
            french["ingest"] = "Ajouter un fichier à la mémoire"
            description = app_commands.locale_str("Add a file to the memory", key="ingest")
            tree.add_command(
                app_commands.Command(name="ingest", description=description, callback=self._ingest)
            )
        return french

    def _callback(self, spec: Any) -> Callable[..., Awaitable[None]]:
        """The slash-command callback for one core command (its options follow the arguments)."""
        name = spec.name
        if name == "correct":
            return self._correct
        if name == "ingest":
            return self._ingest
        if not spec.args and name not in TEXT_COMMANDS:

            async def bare(interaction: discord.Interaction) -> None:
                await self.on_command(interaction, name, "")

            return bare

        async def with_text(interaction: discord.Interaction, text: str = "") -> None:
            await self.on_command(interaction, name, text)

        return with_text

    async def _correct(self, interaction: discord.Interaction, wrong: str, right: str) -> None:
        await self.on_command(interaction, "correct", f"{wrong} | {right}")

    async def _ingest(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        await self.on_command(interaction, "ingest", "", [self._attachment(file)])

    def scope_for(self, user_id: int, guild_id: int | None, channel_id: int) -> str:
        """DM → the sender's scope; guild → the guild's scope (or the channel's, per setting)."""
        if guild_id is None:
            return user_scope("discord", user_id)
        if self._settings.per_channel_scope:
            return group_scope("discord", "channel", channel_id)
        return group_scope("discord", "guild", guild_id)

    def _attachment(self, file: discord.Attachment) -> Attachment:
        """A lazy attachment: downloaded only after the core accepted its name and size."""
        return Attachment(name=file.filename, size=file.size, fetch=file.read, mime=file.content_type)

    async def on_command(
        self,
        interaction: discord.Interaction,
        name: str,
        args: str,
        attachments: list[Attachment] | None = None,
    ) -> None:
        """Acknowledge at once, ask the assistant, then edit the original response / send followups."""
        in_guild = interaction.guild_id is not None
        ephemeral = in_guild and name in PRIVATE_COMMANDS
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        user = interaction.user
        incoming = Incoming(
            platform="discord",
            user_id=str(user.id),
            scope=self.scope_for(user.id, interaction.guild_id, interaction.channel_id or 0),
            chat_key=f"discord:channel:{interaction.channel_id}",
            text=f"/{name} {args}".strip(),
            command=name,
            args=args,
            is_group=in_guild,
            language=language_of(interaction.locale),
            display_name=user.display_name,
            attachments=attachments or [],
        )
        reply = await self._assistant.handle(incoming)
        if reply.private and in_guild and not ephemeral:
            await self._call(interaction.delete_original_response)
            ephemeral = True
            first: list[bool] = [False]
        else:
            first = [True]

        async def send(text: str) -> Any:
            if first[0]:
                first[0] = False
                return await self._call(lambda: interaction.edit_original_response(content=text))
            return await self._call(lambda: interaction.followup.send(text, ephemeral=ephemeral, wait=True))

        async def edit(handle: Any, text: str) -> Any:
            return await self._call(lambda: handle.edit(content=text))

        await self.render(reply, send, edit)
        if reply.file is not None:
            data = discord.File(io.BytesIO(reply.file.data), filename=reply.file.name)
            await self._call(
                lambda: interaction.followup.send(reply.file.caption[:2000], file=data, ephemeral=ephemeral)
            )

    def is_addressed(self, message: discord.Message) -> bool:
        """In a guild, only mentions of the bot and replies to it are for us; every DM is."""
        me = self._client.user if self._client else None
        if message.guild is None:
            return True
        if me is None:
            return False
        if me in message.mentions:
            return True
        ref = message.reference.resolved if message.reference else None
        return isinstance(ref, discord.Message) and ref.author.id == me.id

    def to_incoming(self, message: discord.Message) -> Incoming:
        """Translate a Discord message into a platform-neutral request (no download happens here)."""
        me = self._client.user if self._client else None
        text = message.content
        if me is not None:
            text = text.replace(f"<@{me.id}>", "").replace(f"<@!{me.id}>", "").strip()
        guild_id = message.guild.id if message.guild else None
        command, args = split_command(text)
        return Incoming(
            platform="discord",
            user_id=str(message.author.id),
            scope=self.scope_for(message.author.id, guild_id, message.channel.id),
            chat_key=f"discord:channel:{message.channel.id}",
            text=text,
            command=command,
            args=args,
            is_group=guild_id is not None,
            display_name=message.author.display_name,
            attachments=[self._attachment(a) for a in message.attachments],
        )

    async def on_message(self, message: discord.Message) -> None:
        """Answer one addressed message (plain text or attachments)."""
        if message.author.bot or not self.is_addressed(message):
            return
        current = asyncio.current_task()
        if current is not None:
            self._handlers.add(current)
            current.add_done_callback(self._handlers.discard)
        incoming = self.to_incoming(message)
        if not incoming.text and not incoming.attachments:
            return
        if incoming.attachments:
            incoming.command = "ingest"
        channel = message.channel
        typing = asyncio.create_task(self._keep_typing(channel))
        try:
            reply = await self._assistant.handle(incoming)
        except Exception:
            typing.cancel()
            raise

        async def send(text: str) -> discord.Message:
            return await self._call(lambda: channel.send(text))

        async def edit(handle: discord.Message, text: str) -> Any:
            return await self._call(lambda: handle.edit(content=text))

        try:
            await self.render(reply, send, edit)
        finally:
            typing.cancel()
        if reply.file is not None:
            data = discord.File(io.BytesIO(reply.file.data), filename=reply.file.name)
            await self._call(lambda: channel.send(reply.file.caption[:2000] or None, file=data))

    async def _keep_typing(self, channel: discord.abc.Messageable) -> None:
        """Show "typing…" until the answer is complete (Discord clears it after 10 s)."""
        try:
            while True:
                try:
                    await channel.typing()
                except discord.HTTPException:
                    log.debug("typing failed", exc_info=True)
                await asyncio.sleep(8)
        except asyncio.CancelledError:
            pass

    async def render(
        self, reply: Reply, send: Callable[[str], Awaitable[Any]], edit: Callable[[Any, str], Awaitable[Any]]
    ) -> None:
        """Text split at 2000 characters, or snapshots streamed by throttled edits."""
        if reply.updates is not None:
            renderer = StreamRenderer(send, edit, limit=MESSAGE_LIMIT, interval=self._settings.edit_interval)
            await renderer.render(reply.updates)
        else:
            for part in split_text(reply.text, MESSAGE_LIMIT) or ["…"]:
                await send(part)

    async def _call(self, call: Callable[[], Awaitable[Any]]) -> Any:
        """One REST call; discord.py waits out 429s itself, any other failure is logged, not raised."""
        try:
            return await call()
        except discord.HTTPException as error:
            log.warning("discord request failed: %s %s", error.status, error.code)
            return None
