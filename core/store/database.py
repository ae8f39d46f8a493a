"""The SQLite file: one writer connection for transactions, one reader that sees only committed data."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from core.disk import is_disk_full
from core.errors import DiskFull
from core.store.migrations.runner import migrate

BUSY_TIMEOUT_S = 60.0
log = logging.getLogger(__name__)
_SQLITE_IOERR = 10


def _no_room_to_open(error: BaseException) -> bool:
    """Whether opening failed for want of space for SQLite's side files (`-wal`, `-shm`)."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    return is_disk_full(error) or code == _SQLITE_IOERR


async def connect(path: Path, *, read_only: bool = False, alone: bool = False) -> aiosqlite.Connection:
    """A connection in WAL mode whose rows read by column name; `read_only` refuses every write.

    `alone` takes the database for this connection only, with its WAL index in memory: no `-shm`
    file to create, which is what opening needs on a disk with no space left.
    """
    db = await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    try:
        db.row_factory = sqlite3.Row
        if alone:
            await db.execute("PRAGMA locking_mode=EXCLUSIVE")
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA foreign_keys=ON")
        await db.execute("PRAGMA synchronous=NORMAL")
        if read_only:
            await db.execute("PRAGMA query_only=ON")
    except BaseException:
        await db.close()
        raise
    return db


class Database:
    """Writes go one transaction at a time through the writer; reads go through the reader.

    In WAL mode a reader sees the database as of the last commit: a read during a long ingestion
    never sees rows that are not committed yet (and would vanish if the ingestion failed).
    """

    def __init__(self, writer: aiosqlite.Connection, reader: aiosqlite.Connection, path: Path | None = None) -> None:
        self._writer = writer
        self._reader = reader
        self._path = path
        self._write_lock = asyncio.Lock()
        self.alone = writer is reader
        """Opened on a full disk: one connection for reads and writes, until writes succeed again."""
        self.full_since: float | None = None
        """When writes started failing for lack of disk space (None while they succeed)."""
        self.on_full: Callable[[], object] | None = None
        """Called when writes start failing for lack of disk space (once until the disk has room again)."""
        self.has_room: Callable[[], bool] = lambda: True
        """Whether the disk has room again once a write succeeds (a small write may fit on a full disk)."""

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Open (creating and migrating) the database at `path`.

        On a full disk an existing database is still opened, for reading (and for writes, which are
        refused until space comes back): see `connect(alone=True)`.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            writer, reader = await cls._connect_both(path)
        except (sqlite3.Error, OSError) as error:
            if not path.exists() or not _no_room_to_open(error):
                raise
            log.warning("the disk of %s is full: the database is opened alone, writes wait for space", path)
            only = await connect(path, alone=True)
            try:
                await migrate(only)
            except BaseException:
                await only.close()
                raise
            return cls(only, only, path)
        return cls(writer, reader, path)

    @staticmethod
    async def _connect_both(path: Path) -> tuple[aiosqlite.Connection, aiosqlite.Connection]:
        """The writer (the schema migrated) and the reader."""
        writer = await connect(path)
        try:
            await migrate(writer)
            reader = await connect(path, read_only=True)
        except BaseException:
            await writer.close()
            raise
        return writer, reader

    async def _share_again(self) -> None:
        """Back to a writer and a reader that other processes can use too, once the disk has room."""
        await self._writer.close()
        try:
            self._writer, self._reader = await self._connect_both(self._path)
        except (sqlite3.Error, OSError):
            log.warning("the database could not be shared again yet; it stays opened alone", exc_info=True)
            self._writer = self._reader = await connect(self._path, alone=True)
            return
        self.alone = False
        log.info("the disk has room again: the database is shared again")

    async def close(self) -> None:
        """Close both connections (each one's thread ends even when the other fails to close)."""
        try:
            await self._reader.close()
        finally:
            await self._writer.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """The writer inside one write transaction, one at a time; rolled back on any error."""
        async with self._write_lock:
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
                try:
                    yield self._writer
                    await self._writer.commit()  # a commit that fails (disk full) is rolled back too
                except BaseException:
                    if self._writer.in_transaction:
                        await self._writer.rollback()
                    raise
            except (sqlite3.Error, OSError) as error:
                if is_disk_full(error):
                    if self.full_since is None:
                        self.full_since = time.time()
                        if self.on_full is not None:
                            self.on_full()
                    raise DiskFull() from error
                raise
            if self.full_since is not None and self.has_room():
                self.full_since = None
            if self.alone and self._path is not None and self.full_since is None:
                await self._share_again()

    async def fetchall(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        """Every row of a read (committed data only).

        Executed and exhausted in one call on the reader's thread: a cursor left open while other reads
        interleave would keep the reader's snapshot from before the latest commit (a memory just taught
        would read back as missing).
        """
        if self.alone:  # one connection: a read must not see a write transaction half done
            async with self._write_lock:
                return list(await self._reader.execute_fetchall(sql, tuple(params)))
        return list(await self._reader.execute_fetchall(sql, tuple(params)))

    async def fetchone(self, sql: str, params: Iterable = ()) -> sqlite3.Row | None:
        """The first row of a read (committed data only), or None (a whole read, as in `fetchall`)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None


async def fetchone_in(db: aiosqlite.Connection, sql: str, params: Iterable = ()) -> sqlite3.Row | None:
    """The first row of a read inside a write transaction (sees that transaction's own writes)."""
    async with db.execute(sql, tuple(params)) as cursor:
        return await cursor.fetchone()


async def fetchall_in(db: aiosqlite.Connection, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
    """Every row of a read inside a write transaction."""
    async with db.execute(sql, tuple(params)) as cursor:
        return list(await cursor.fetchall())


async def ensure_scope(db: aiosqlite.Connection, scope: str, now: float) -> None:
    """Record `scope` (inside a write transaction) if it is new."""
    await ensure_scopes(db, {scope: now})


async def ensure_scopes(db: aiosqlite.Connection, created: dict[str, float]) -> None:
    """Record each new scope of `created` (scope → when), in one statement (inside a write transaction)."""
    await db.executemany("INSERT OR IGNORE INTO scopes (id, created_at) VALUES (?, ?)", created.items())
