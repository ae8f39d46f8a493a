"""The data directory's disk: telling a full disk from other failures, free space, telling owners once."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import shutil
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
ROOM_AGAIN = 1024 * 1024
"""Free bytes from which a full disk counts as having room again (a few KiB let small writes through)."""

_SQLITE_FULL = 13
_NO_SPACE = os.strerror(errno.ENOSPC)  # "No space left on device"


def is_disk_full(error: BaseException) -> bool:
    """Whether `error` says the disk is full (SQLite's SQLITE_FULL, or ENOSPC / EDQUOT from the system)."""
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    if isinstance(error, sqlite3.Error):
        return (getattr(error, "sqlite_errorcode", 0) & 0xFF) == _SQLITE_FULL or "disk is full" in str(error)
    # Libraries that write through C streams (FAISS, torch) raise a RuntimeError naming the system's reason.
    return isinstance(error, RuntimeError) and _NO_SPACE in str(error)


@dataclass
class DiskWatch:
    """Free space on the data directory's disk against the threshold under which /status warns admins."""

    path: Path
    warn_below: int
    free_space: Callable[[Path], int] = lambda path: shutil.disk_usage(path).free

    def free(self) -> int | None:
        """Bytes free on the disk of `path` (None when it cannot be read)."""
        try:
            return self.free_space(self.path)
        except OSError as error:
            log.debug("free space of %s cannot be read: %s", self.path, error)
            return None

    def has_room(self) -> bool:
        """Whether writes that failed for lack of space can be expected to work again (a MiB free)."""
        free = self.free()
        return free is None or free >= ROOM_AGAIN

    def is_low(self) -> bool:
        """Whether free space is under the warning threshold."""
        free = self.free()
        return free is not None and free < self.warn_below


class FullDiskAlert:
    """Tells the owners and admins, once per full-disk episode, that writes are being refused.

    The store calls `writes_refused` when its first write fails for lack of space (an episode ends at
    a write that succeeds once the disk has room again); `tell(key, **params)` sends message `key` to every manager (a
    direct message each, in their language) and says how many got it. It runs beside the request
    that met the full disk, never delaying or failing it.
    """

    def __init__(self, tell: Callable[..., Awaitable[int]], path: Path) -> None:
        self._tell = tell
        self._path = path
        self._pending: set[asyncio.Task] = set()

    def writes_refused(self) -> None:
        """A write was refused for lack of space, the first since writes last succeeded."""
        log.warning("the disk of %s is full: writes are refused, questions are still answered", self._path)
        task = asyncio.get_running_loop().create_task(self._tell_managers())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _tell_managers(self) -> None:
        try:
            told = await self._tell("disk.full_alert", path=str(self._path))
        except Exception as error:  # a notice must never break anything (the app may be closing)
            log.warning("could not tell the owners that the disk is full: %s", type(error).__name__)
            log.debug("telling the owners failed", exc_info=True)
            return
        if not told:
            log.warning("no owner or admin could be told directly that the disk is full (see /status)")
