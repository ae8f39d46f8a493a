"""Discord's side of the render loop: a channel, a slash command's interaction, direct messages."""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from adapters.rendering import DeliveryRefused, PublicSink, draw
from core.models import OutgoingFile, Reply

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 2000
TYPING_EVERY = 8.0  # Discord clears "typing…" after 10 s


class ChannelSink(PublicSink):
    """The render loop's view of a channel (guild channel or DM)."""

    limit = caption_limit = MESSAGE_LIMIT
    typing_every = TYPING_EVERY

    def __init__(
        self, channel: discord.abc.Messageable, interval: float, message: discord.Message | None = None
    ) -> None:
        self._channel = channel
        self._message = message
        self.interval = interval

    async def send(self, text: str) -> discord.Message:
        """Post a message."""
        return await _refusing(lambda: self._channel.send(text), "send")

    async def edit(self, handle: discord.Message, text: str) -> None:
        """Edit one of our messages."""
        await _refusing(lambda: handle.edit(content=text), "edit")

    async def send_file(self, file: OutgoingFile) -> None:
        """Post a file."""
        data = discord.File(io.BytesIO(file.data), filename=file.name)
        await _refusing(lambda: self._channel.send(file.caption or None, file=data), "file")

    async def typing(self, on: bool) -> None:
        """Show "typing…" (Discord clears it by itself)."""
        if on:
            await self._channel.typing()

    async def react(self, emoji: str) -> bool:
        """Add a reaction to the user's message (False without the permission: a line instead)."""
        if self._message is None:
            return False
        try:
            await self._message.add_reaction(emoji)
        except discord.HTTPException as error:
            log.info("discord: no reaction (%s %s); a line instead", error.status, error.code)
            return False
        return True


class InteractionSink:
    """The render loop's view of a slash command: acknowledged at once, then the response and followups."""

    limit = caption_limit = MESSAGE_LIMIT
    typing_every = 3600.0
    preview = None

    def __init__(self, interaction: discord.Interaction, *, interval: float) -> None:
        self._interaction = interaction
        self._ephemeral = False
        self._answered = False
        self.interval = interval

    async def begin(self, private: bool) -> None:
        """Acknowledge within Discord's three seconds: "thinking…", seen by the sender only when private."""
        self._ephemeral = private
        await self._interaction.response.defer(ephemeral=private, thinking=True)

    async def send(self, text: str) -> Any:
        """The first message replaces "thinking…"; the next ones are followups."""
        if not self._answered:
            self._answered = True
            return await _refusing(lambda: self._interaction.edit_original_response(content=text), "respond")
        return await _refusing(
            lambda: self._interaction.followup.send(text, ephemeral=self._ephemeral, wait=True), "followup"
        )

    async def edit(self, handle: Any, text: str) -> None:
        """Edit a response or followup."""
        await _refusing(lambda: handle.edit(content=text), "edit")

    async def send_file(self, file: OutgoingFile) -> None:
        """Send a file as a followup."""
        data = discord.File(io.BytesIO(file.data), filename=file.name)
        await _refusing(
            lambda: self._interaction.followup.send(
                file.caption, file=data, ephemeral=self._ephemeral
            ),
            "file",
        )

    async def typing(self, on: bool) -> None:
        """The deferred response already shows "thinking…"."""

    async def react(self, emoji: str) -> bool:
        """A slash command leaves no message of the user's to react to."""
        return False


async def _refusing(call: Callable[[], Awaitable[Any]], what: str) -> Any:
    """One REST call; discord.py waits out 429s itself, a refusal becomes DeliveryRefused."""
    try:
        return await call()
    except discord.HTTPException as error:
        raise DeliveryRefused(f"{what}: {error.status} {error.code}") from None


class DiscordDirect:
    """The notifier's channel: a direct message to a Discord user (through their DM channel with the bot)."""

    prefix = "/"

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def send_direct(self, user_id: str, text: str) -> None:
        """Open (or reuse) the DM channel with `user_id` and draw `text` there."""
        channel = await self._client.create_dm(discord.Object(id=int(user_id)))
        await draw(Reply(text=text), ChannelSink(channel, 0.0))

    def invite_link(self, code: str) -> str | None:
        """Discord has no link that carries a code to a bot."""
        return None
