"""Logging that can never print a secret: every record is scrubbed of configured tokens and passwords."""

from __future__ import annotations

import base64
import json
import logging
import re
import sys
import threading
from urllib.parse import quote, quote_plus

from pydantic import SecretStr

from bot.settings import Settings

_URL_TOKEN = re.compile(r"(/bot|/file/bot)[0-9]+:[A-Za-z0-9_-]+")


class SecretRedactor(logging.Filter):
    """Replaces each secret value (and Telegram-style tokens in URLs) with `***`."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        variants = {v for s in secrets if len(s) >= 4 for v in encodings(s)}
        self._secrets = sorted(variants, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        """`text` with every secret masked."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _URL_TOKEN.sub(r"\1***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message now, scrubbed, so arguments cannot leak later."""
        record.msg = self.scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        return True


def encodings(secret: str) -> set[str]:
    """A secret as it can appear in a log: raw, URL-encoded, JSON-escaped, base64 (Basic auth)."""
    return {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        base64.b64encode(secret.encode()).decode().rstrip("="),
    }


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
