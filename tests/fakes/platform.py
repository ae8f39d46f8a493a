"""A stand-in for bot.platforms.Platform that prints its lifecycle, and can refuse to start."""

from __future__ import annotations


class RecordingPlatform:
    """Prints `start NAME` / `stop NAME`; a failing one raises with a secret in its error, as SDKs do."""

    def __init__(self, name: str, *, fail_with: str | None = None) -> None:
        self.name = name
        self._fail_with = fail_with

    async def start(self) -> None:
        if self._fail_with:
            raise ConnectionError(self._fail_with)
        print(f"start {self.name}", flush=True)

    async def stop(self) -> None:
        print(f"stop {self.name}", flush=True)
