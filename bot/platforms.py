"""Which platform adapters `souvenir run` starts: those whose settings are filled in."""

from __future__ import annotations

from typing import Protocol

from bot.settings import Settings
from core.assistant import Assistant


class Platform(Protocol):
    """A running connection to one chat platform."""

    name: str
    prefix: str
    """How its users write a command (`/` or `!`)."""

    async def start(self) -> None:
        """Connect and begin handling messages (returns once running)."""
        ...

    async def stop(self) -> None:
        """Disconnect cleanly."""
        ...


def configured_platforms(settings: Settings, assistant: Assistant) -> list[Platform]:
    """One adapter per configured platform; the SDKs are imported only when needed."""
    platforms: list[Platform] = []
    if settings.telegram.token:
        from adapters.telegram_bot import TelegramAdapter

        platforms.append(TelegramAdapter(settings.telegram, assistant))
    if settings.discord.token:
        from adapters.discord_bot import DiscordAdapter

        platforms.append(DiscordAdapter(settings.discord, assistant))
    if settings.matrix.homeserver and settings.matrix.user_id:
        from adapters.matrix_bot import MatrixAdapter

        platforms.append(MatrixAdapter(settings.matrix, assistant, settings.data_dir))
    return platforms
