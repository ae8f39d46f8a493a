"""Logs that can never print a secret: one redactor for the application's handler and for libraries' loggers."""

from __future__ import annotations

import base64
import json
import logging
import re
from urllib.parse import quote, quote_plus

_URL_TOKEN = re.compile(r"(/bot|/file/bot)[0-9]+:[A-Za-z0-9_-]+")
_TOKEN_FIELD = re.compile(r"""(['"](?:access_token|refresh_token|password)['"]\s*:\s*['"])[^'"]+""")


class SecretRedactor(logging.Filter):
    """Replaces each secret value (and tokens in URLs and in JSON token fields) with `***`."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Mask `secret` too from now on (a token learnt at run time, e.g. at login)."""
        variants = set(self._secrets) | (encodings(secret) if len(secret) >= 4 else set())
        self._secrets = sorted(variants, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        """`text` with every secret masked."""
        text = _TOKEN_FIELD.sub(r"\1***", text)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _URL_TOKEN.sub(r"\1***", text)

    def install(self, loggers: tuple[str, ...]) -> None:
        """Attach to the named loggers (libraries that can log a token themselves)."""
        for name in loggers:
            logging.getLogger(name).addFilter(self)

    def remove(self, loggers: tuple[str, ...]) -> None:
        """Detach again."""
        for name in loggers:
            logging.getLogger(name).removeFilter(self)

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
