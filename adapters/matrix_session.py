"""The Matrix login kept in the data directory: device id, access token and sync token."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from nio import AsyncClient, LoginResponse, WhoamiResponse

from adapters.matrix_settings import MatrixSettings

log = logging.getLogger(__name__)


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
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:  # the type only: the file holds a token
            log.warning(
                "the saved Matrix session %s is unreadable (%s): logging in again", self.path, type(error).__name__
            )
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


NIO_LOGGERS = ("nio.responses", "nio.client.async_client", "nio.client.base_client", "nio.api")


class MatrixError(RuntimeError):
    """The homeserver refused a request (the message never contains a secret)."""


async def login(client: AsyncClient, settings: MatrixSettings, sessions: SessionFile) -> MatrixSession:
    """Resume the stored session, else use the configured token, else log in with the password."""
    session = sessions.load(settings.user_id or "")
    if session is not None:
        client.restore_login(session.user_id, session.device_id, session.access_token)
        client.next_batch = session.next_batch
        return session
    if settings.access_token:
        client.access_token = settings.access_token.get_secret_value()
        who = await client.whoami()
        if not isinstance(who, WhoamiResponse) or not who.device_id:
            await client.close()
            raise MatrixError("the configured access token was refused (or has no device)")
        client.restore_login(who.user_id, who.device_id, client.access_token)
        session = MatrixSession(who.user_id, who.device_id, client.access_token)
    elif settings.password:
        response = await client.login(
            settings.password.get_secret_value(), device_name=settings.device_name
        )
        if not isinstance(response, LoginResponse):
            await client.close()
            raise MatrixError(f"login refused for {settings.user_id}")
        session = MatrixSession(response.user_id, response.device_id, response.access_token)
    else:
        await client.close()
        raise MatrixError("set SOUVENIR_MATRIX__PASSWORD (first login) or SOUVENIR_MATRIX__ACCESS_TOKEN")
    sessions.save(session)
    log.info("matrix: logged in as %s, device %s", session.user_id, session.device_id)
    return session


async def keep_syncing(client: AsyncClient) -> None:
    """nio's sync loop (it also uploads, queries and claims keys); restarts after network errors."""
    while True:
        try:
            await client.sync_forever(timeout=30_000)
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("matrix sync failed; retrying in 5 s", exc_info=True)
            await asyncio.sleep(5)


async def share_keys(client: AsyncClient) -> None:
    """Upload the device keys and learn the devices of room members."""
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
