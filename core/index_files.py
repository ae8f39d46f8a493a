"""Saved index files: a safe name per scope, atomic writes, a full disk survived, leftovers removed."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import faiss

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Bytes a loaded vector costs beside its floats: FAISS's id map and reverse map, and the Python id set.
_PER_VECTOR_OVERHEAD = 120
_PER_INDEX_OVERHEAD = 4096


@dataclass
class ScopeIndex:
    """A loaded index and whether it differs from its file."""

    index: faiss.IndexIDMap2
    ids: set[int]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    dirty: bool = False
    users: int = 0  # operations in flight: an index in use is never evicted under them

    @property
    def nbytes(self) -> int:
        """An estimate of the memory this index holds."""
        return _PER_INDEX_OVERHEAD + self.index.ntotal * (self.index.d * 4 + _PER_VECTOR_OVERHEAD)


def index_filename(scope: str) -> str:
    """A file name for `scope` that is safe on every filesystem and cannot collide."""
    digest = hashlib.sha1(scope.encode()).hexdigest()[:10]
    return f"{_UNSAFE.sub('_', scope)[:80]}-{digest}.faiss"


class IndexFiles:
    """Where each scope's index is saved, and its saving: a cache that may fail to be written, never lost."""

    def __init__(self, directory: Path, *, save_retry_s: float = 60.0) -> None:
        self._directory = directory
        self.save_failing = False
        """True from a failed save of an index cache until one succeeds (the disk is full, say)."""
        self._save_retry_s = save_retry_s
        self._failed_at = 0.0
        directory.mkdir(parents=True, exist_ok=True)
        self.remove_stale_temporaries()

    def path(self, scope: str) -> Path:
        """Where the index of `scope` is saved."""
        return self._directory / index_filename(scope)

    def size_on_disk(self, scope: str) -> int:
        """Bytes of the saved index of `scope` (0 when not saved yet)."""
        path = self.path(scope)
        return path.stat().st_size if path.exists() else 0

    def remove_stale_temporaries(self, older_than_s: float = 600.0) -> None:
        """Delete half-written index files a crash left behind (they only take space; a save in progress is younger)."""
        now = time.time()
        for tmp in self._directory.glob("*.tmp"):
            try:
                if now - tmp.stat().st_mtime > older_than_s:
                    tmp.unlink()
                    log.info("removed a half-written index file left by an interrupted save: %s", tmp.name)
            except OSError as error:  # gone meanwhile, or not ours to remove: the next start tries again
                log.debug("could not remove the half-written index file %s: %s", tmp.name, error)

    async def save(self, scope: str, entry: ScopeIndex, *, retry_now: bool = False) -> None:
        """Write the index atomically if it changed.

        The index is a cache: when it cannot be written (disk full, read-only), it stays in memory,
        changed, and is written at a later save (`save_retry_s` after a failure, or at the next
        flush); the failure is logged once until a save succeeds again, and no partial file is left
        behind. Reads and answers never fail because of it.
        """
        if not entry.dirty:
            return
        if self.save_failing and not retry_now and time.monotonic() - self._failed_at < self._save_retry_s:
            return
        path = self.path(scope)
        tmp = path.with_suffix(".tmp")

        def write() -> None:
            try:
                faiss.write_index(entry.index, str(tmp))
                os.replace(tmp, path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise

        try:
            await asyncio.to_thread(write)
        except (RuntimeError, OSError) as error:  # FAISS reports a failed write as a RuntimeError
            if not self.save_failing:
                log.warning("the index cache of %s could not be saved (kept in memory, retried later): %s", scope, error)
            self.save_failing, self._failed_at = True, time.monotonic()
            return
        if self.save_failing:
            log.info("index caches are saved again")
        self.save_failing = False
        entry.dirty = False
