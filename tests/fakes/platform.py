"""A stand-in for bot.platforms.Platform that prints its lifecycle, and can refuse or never finish to start."""

from __future__ import annotations

import asyncio


class RecordingPlatform:
    """Prints `start NAME` / `stop NAME`; a failing one raises with a secret in its error, as SDKs do."""

    def __init__(self, name: str, *, fail_with: str | None = None, hang: bool = False) -> None:
        self.name = name
        self._fail_with = fail_with
        self._hang = hang

    async def start(self) -> None:
        if self._fail_with:
            raise ConnectionError(self._fail_with)
        if self._hang:  # a login retried forever against an unreachable server
            await asyncio.Event().wait()
        print(f"start {self.name}", flush=True)

    async def stop(self) -> None:
        print(f"stop {self.name}", flush=True)
