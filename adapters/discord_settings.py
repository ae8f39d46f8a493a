"""Discord settings (SOUVENIR_DISCORD__*), owned by the Discord adapter; no SDK import here."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr


class DiscordSettings(BaseModel):
    """Discord bot (discord.py)."""

    token: SecretStr | None = None
    sync_global: bool = False
    per_channel_scope: bool = False
    edit_interval: float = 1.0
