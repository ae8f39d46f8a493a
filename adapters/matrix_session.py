"""The Matrix login kept in the data directory: device id, access token and sync token."""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class MatrixSession:
    """What lets a restart resume as the same device from where it stopped."""

    user_id: str
    device_id: str
    access_token: str
    next_batch: str | None = None


class SessionFile:
    """Reads and writes one `MatrixSession` as JSON, readable by the owner only (it holds a token)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self, user_id: str) -> MatrixSession | None:
        """The stored session of `user_id`, or None."""
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        if data.get("user_id") != user_id:
            return None
        return MatrixSession(
            **{k: data.get(k) for k in ("user_id", "device_id", "access_token", "next_batch")}
        )

    def save(self, session: MatrixSession) -> None:
        """Write atomically with mode 0600."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(asdict(session), handle)
        os.replace(tmp, self.path)


_TOKEN_FIELD = re.compile(r"""(['"](?:access_token|refresh_token|password)['"]\s*:\s*['"])[^'"]+""")
NIO_LOGGERS = ("nio.responses", "nio.client.async_client", "nio.client.base_client", "nio.api")


class TokenRedactor(logging.Filter):
    """Masks access tokens and passwords in matrix-nio's debug records (it logs whole login responses)."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = [s for s in secrets or [] if len(s) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message now, masked."""
        text = _TOKEN_FIELD.sub(r"\1***", record.getMessage())
        for secret in self.secrets:
            text = text.replace(secret, "***")
        record.msg, record.args = text, None
        return True

    def install(self) -> None:
        """Attach to the nio loggers that can print a token."""
        for name in NIO_LOGGERS:
            logging.getLogger(name).addFilter(self)

    def remove(self) -> None:
        """Detach again."""
        for name in NIO_LOGGERS:
            logging.getLogger(name).removeFilter(self)
