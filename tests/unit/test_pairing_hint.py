"""The start-up line tells each platform's users how to pair in that platform's own syntax."""

from types import SimpleNamespace

from adapters.discord_bot import DiscordAdapter
from adapters.matrix_bot import MatrixAdapter
from adapters.telegram_bot import TelegramAdapter
from bot.runner import pairing_hint


def running(*adapters: type) -> list[SimpleNamespace]:
    """Stand-ins carrying each adapter class's own name and command prefix."""
    return [SimpleNamespace(name=a.name, prefix=a.prefix) for a in adapters]


def test_matrix_users_are_told_to_send_bang_start():
    hint = pairing_hint(running(MatrixAdapter), "123456", 10)
    assert "'!start 123456' on matrix" in hint and "/start" not in hint


def test_each_platform_gets_its_own_syntax():
    hint = pairing_hint(running(TelegramAdapter, DiscordAdapter, MatrixAdapter), "42", 10)
    assert "'/start 42' on telegram or discord" in hint and "'!start 42' on matrix" in hint
