"""The data directory's disk: telling a full disk from other failures."""

from __future__ import annotations

import errno
import os
import sqlite3

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
