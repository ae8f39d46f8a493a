"""Telegram e2e helpers: adapter settings that point python-telegram-bot at the local Bot API stand-in."""

from __future__ import annotations

from adapters.telegram_settings import TelegramSettings
from tests.fakes.telegram_server import FakeTelegram

TOKEN = "123456:TEST-token"


def stand_in_settings(telegram: FakeTelegram, **extra) -> TelegramSettings:
    """Settings for an adapter talking to `telegram` (streaming edits unthrottled unless `extra` says)."""
    extra.setdefault("edit_interval", 0.0)
    return TelegramSettings(
        token=TOKEN,
        base_url=f"{telegram.url}/bot",
        base_file_url=f"{telegram.url}/file/bot",
        **extra,
    )
