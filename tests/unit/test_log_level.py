"""One-shot commands stay quiet, and a stricter level asked for is kept."""

import logging

from bot.logging_setup import log_level
from bot.settings import Settings


def test_a_quiet_command_shows_warnings_at_most_verbose():
    assert log_level("INFO", quiet=True) == logging.WARNING
    assert log_level("debug", quiet=True) == logging.WARNING


def test_a_stricter_level_is_kept_for_quiet_commands_too():
    assert log_level("ERROR", quiet=True) == logging.ERROR
    assert log_level("CRITICAL", quiet=True) == logging.CRITICAL


def test_the_running_bot_logs_at_the_configured_level():
    assert log_level("DEBUG", quiet=False) == logging.DEBUG
    assert log_level("ERROR", quiet=False) == logging.ERROR


def test_levels_are_read_in_any_case():
    assert Settings(_env_file=None, log_level="error").log_level == "ERROR"
