"""Telegram settings (SOUVENIR_TELEGRAM__*), owned by the Telegram adapter; no SDK import here."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr


class TelegramSettings(BaseModel):
    """Telegram bot (python-telegram-bot)."""

    token: SecretStr | None = None
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: SecretStr | None = None
    edit_interval: float = 1.0
