"""Logging that can never print a secret: every record is scrubbed of configured tokens and passwords."""

from __future__ import annotations

import logging
import sys
import threading

from pydantic import SecretStr

from bot.settings import Settings
from core.redaction import SecretRedactor


def secret_values(settings: Settings) -> list[str]:
    """Every secret the settings hold."""
    found: list[str] = []
    for section in (settings.telegram, settings.discord, settings.matrix):
        for value in section.__dict__.values():
            if isinstance(value, SecretStr):
                found.append(value.get_secret_value())
    return found


def log_level(setting: str, *, quiet: bool) -> int:
    """The root level: the setting, raised to WARNING for quiet (one-shot) commands, never lowered.

    `SOUVENIR_LOG_LEVEL=ERROR souvenir chat` shows no warning; a quiet command never shows INFO.
    """
    level = logging.getLevelNamesMapping()[setting.upper()]
    return max(level, logging.WARNING) if quiet else level


def configure_logging(settings: Settings, *, quiet: bool = False) -> SecretRedactor:
    """Log to stderr at the configured level, through the redactor; chatty libraries kept at WARNING."""
    redactor = SecretRedactor(secret_values(settings))
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redactor)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(log_level(settings.log_level, quiet=quiet))
    for noisy in ("httpx", "httpcore", "sentence_transformers", "transformers", "faiss", "aiosqlite", "nio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("pypdf").setLevel(
        logging.ERROR
    )  # a damaged PDF gets one clear line, not parser chatter
    logging.captureWarnings(True)
    _route_uncaught_exceptions()
    return redactor


def _route_uncaught_exceptions() -> None:
    """Uncaught exceptions (main thread and workers) go through the logging handler, hence the redactor."""

    def main_hook(kind: type[BaseException], error: BaseException, trace: object) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)  # type: ignore[arg-type]
            return
        logging.getLogger("souvenir").critical("uncaught exception", exc_info=(kind, error, trace))  # type: ignore[arg-type]

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        logging.getLogger("souvenir").error(
            "uncaught exception in a thread",
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),  # type: ignore[arg-type]
        )

    sys.excepthook = main_hook
    threading.excepthook = thread_hook
