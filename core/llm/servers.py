"""The model servers behind the pool: each one's slots and health, and which models each one has."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from core.errors import UserError
from core.llm.base import ChatModel
from core.llm.ollama_errors import safe_host

log = logging.getLogger(__name__)
RECHECK_SECONDS = 30.0
MODELS_TTL_SECONDS = 60.0


@dataclass(eq=False)
class ModelServer:
    """One model server, how many requests it serves at once, and what Souvenir knows of its health."""

    backend: ChatModel
    parallel: int = 1
    busy: int = 0
    down_until: float = 0.0
    models: set[str] | None = None
    models_at: float = float("-inf")
    served: int = 0
    failures: int = 0
    last_error: str = ""

    @property
    def name(self) -> str:
        """The server's address without credentials."""
        return safe_host(self.backend.host)

    def up(self, now: float) -> bool:
        """Whether requests may go to it (a failed server is tried again once its pause is over)."""
        return now >= self.down_until

    def has(self, model: str) -> bool:
        """Whether it has `model` installed (unknown before its list was read: assumed yes)."""
        if self.models is None:
            return True
        base = model.removesuffix(":latest")
        return model in self.models or base in self.models or f"{base}:latest" in self.models


@dataclass
class ServerView:
    """One server as admins' status shows it."""

    name: str
    busy: int
    parallel: int
    up: bool
    served: int


class ServerHealth:
    """Which servers may take requests: a failed one is paused for `recheck` seconds, and the model
    lists are read again every `models_ttl` seconds (`on_read` runs after each reading)."""

    def __init__(
        self,
        servers: list[ModelServer],
        *,
        recheck: float,
        models_ttl: float,
        clock: Callable[[], float],
        on_read: Callable[[], None],
    ) -> None:
        self.servers = servers
        self._recheck = recheck
        self._models_ttl = models_ttl
        self._clock = clock
        self._on_read = on_read
        self._refreshing: asyncio.Lock | None = None
        self._background: asyncio.Task | None = None

    def mark_down(self, server: ModelServer, error: BaseException) -> None:
        """Pause a failing server: requests go to the others until `recheck` seconds have passed."""
        server.failures += 1
        server.last_error = type(error).__name__
        server.down_until = self._clock() + self._recheck
        server.models_at = float("-inf")  # read its models again when it is back
        if len(self.servers) > 1:
            log.warning(
                "model server %s failed (%s); the others take its requests for %g s",
                server.name,
                server.last_error,
                self._recheck,
            )

    async def refresh(self, *, force: bool = False) -> None:
        """Read the model lists that are old, and probe paused servers whose pause is over.

        A list never read is awaited; one merely old is read in the background, so a server that
        hangs on it never holds questions back.
        """
        now = self._clock()
        due = [s for s in self.servers if force or (s.up(now) and now - s.models_at >= self._models_ttl)]
        if not due:
            return
        if force or any(s.models is None for s in due):
            await self._read_all(due, force)
        elif self._background is None or self._background.done():
            self._background = asyncio.create_task(self._read_all(due, force))

    async def _read_all(self, due: list[ModelServer], force: bool) -> None:
        """Read the due servers' lists together (one reading at a time), then tell the queue."""
        if self._refreshing is None:
            self._refreshing = asyncio.Lock()
        async with self._refreshing:
            now = self._clock()
            due = [s for s in due if force or now - s.models_at >= self._models_ttl]
            await asyncio.gather(*(self._read_models(s) for s in due))
        self._on_read()

    async def _read_models(self, server: ModelServer) -> None:
        """Read one server's models: a server that answers is up again, one that fails is paused."""
        try:
            names = await server.backend.list_models()
        except UserError as error:
            if server.up(self._clock()):
                self.mark_down(server, error)
            return
        server.models = set(names)
        server.models_at = self._clock()
        server.down_until = 0.0

    def stop(self) -> None:
        """Stop a reading in the background."""
        if self._background is not None:
            self._background.cancel()
