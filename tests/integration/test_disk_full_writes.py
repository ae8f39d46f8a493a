"""A full disk, piece by piece on the real SQLite and FAISS: refused writes change nothing, caches stay in memory.

SQLite's `max_page_count` makes the database full exactly as a full disk does (SQLITE_FULL,
"database or disk is full"); an index directory that cannot be written stands for a disk that
refuses the cache file. The whole product on a really full volume is tests/hardening/test_full_disk.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import time

import pytest

from core.errors import DiskFull
from core.scope import CONSOLE_SCOPE
from tests.requests import say

pytestmark = pytest.mark.timeout(120)

REFUSED_EN = "The server's disk is full: nothing was stored."


async def cap_database(app) -> None:
    """Let the database grow by no page at all from now on (as a disk with no space left)."""
    writer = app.store.database._writer
    await writer.execute("VACUUM")  # no free page left inside the file either
    (pages,) = await (await writer.execute("PRAGMA page_count")).fetchone()
    await writer.execute(f"PRAGMA max_page_count = {pages}")


async def uncap_database(app) -> None:
    await app.store.database._writer.execute("PRAGMA max_page_count = 4294967294")


async def test_a_full_database_refuses_writes_clearly_and_changes_nothing(make_app, fake_ollama):
    app = await make_app()
    await say(app, command="teach", args="The gate code is 4321.")
    await cap_database(app)
    before = await app.memory.reading.remember(CONSOLE_SCOPE)
    long_text = "The attic holds the winter tyres, the old cot and three boxes of letters. " * 60
    for sent in (
        {"command": "teach", "args": long_text},
        {"command": "correct", "args": f"The gate code is 4321. | {long_text}"},
        {"files": {"notes.txt": (long_text * 20).encode()}},
    ):
        reply = await say(app, **sent)
        assert reply.startswith("💾 " + REFUSED_EN), (sent, reply)
    with pytest.raises(DiskFull):
        await app.memory.teaching.teach(CONSOLE_SCOPE, long_text)
    assert await app.memory.reading.remember(CONSOLE_SCOPE) == before
    assert app.store.database.full_since is not None
    answer = await say(app, "What is the gate code?")
    assert answer.startswith("You said: What is the gate code?"), "questions are answered while writes fail"
    assert "4321" in fake_ollama.chat_requests[-1]["messages"][0]["content"], "from memory"

    await uncap_database(app)
    assert "#2" in await say(app, command="teach", args=long_text), "no restart needed once space is back"
    assert app.store.database.full_since is None
    (integrity,) = await (await app.store.database._writer.execute("PRAGMA integrity_check")).fetchone()
    assert integrity == "ok"


async def test_an_index_cache_that_cannot_be_saved_stays_in_memory_and_is_saved_later(make_app, tmp_path, caplog):
    app = await make_app(data_dir=tmp_path / "data")
    directory = tmp_path / "data" / "indexes"
    await app.memory.teaching.teach(CONSOLE_SCOPE, "The spare key is under the blue pot.")
    shutil.rmtree(directory)
    directory.write_text("not a directory: every index file write fails")  # a disk that refuses the cache
    caplog.set_level(logging.WARNING, logger="core.index_files")
    for text in ("The boiler was serviced in May.", "The bins go out on Tuesday."):
        await app.memory.teaching.teach(CONSOLE_SCOPE, text)
        await app.indexes.flush()
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1, "logged once"
    assert app.indexes.files.save_failing
    hits = await app.memory.reading.search(CONSOLE_SCOPE, "where is the spare key", mode="dense")
    assert hits and "blue pot" in hits[0].memory.text, "the unsaved index still answers"
    assert "serviced in May" in (await app.memory.reading.search(CONSOLE_SCOPE, "boiler serviced", mode="dense"))[0].memory.text

    directory.unlink()
    directory.mkdir()
    await app.indexes.flush()
    assert not app.indexes.files.save_failing
    saved = sorted(p.name for p in directory.iterdir())
    assert len(saved) == 1 and saved[0].endswith(".faiss"), saved


async def test_half_written_index_files_left_by_a_crash_are_removed_at_start(make_app, tmp_path):
    directory = tmp_path / "data" / "indexes"
    directory.mkdir(parents=True)
    old, fresh = directory / "console_user_local-0123456789.tmp", directory / "telegram_user_42-0123456789.tmp"
    old.write_bytes(b"\0" * 4096)  # an interrupted save from an hour ago: it only takes space
    fresh.write_bytes(b"\0" * 4096)  # another process's save in progress
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    await make_app(data_dir=tmp_path / "data")
    assert not old.exists() and fresh.exists()


class Inbox:
    """A platform's direct-message channel that keeps what it was asked to send."""

    prefix = "/"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send_direct(self, user_id: str, text: str) -> None:
        self.sent.append((user_id, text))

    def invite_link(self, code: str) -> str | None:
        return None


async def test_owners_are_told_once_per_full_disk_episode_in_their_language(make_app):
    app = await make_app(admins=["telegram:7"], language="fr")
    inbox = Inbox()
    app.assistant.notifier.attach("telegram", inbox)
    await cap_database(app)
    long_text = "Le grenier garde les pneus d’hiver, le vieux berceau et trois cartons de lettres. " * 60
    for _ in range(3):
        assert "Le disque du serveur est plein" in await say(app, command="teach", args=long_text)
    await asyncio.sleep(0.1)  # the notice goes out beside the request, never delaying it
    assert len(inbox.sent) == 1, inbox.sent
    user, text = inbox.sent[0]
    assert user == "7" and text.startswith("💾 Le disque des données de Souvenir") and "sans redémarrage" in text

    await uncap_database(app)
    assert "n°" in await say(app, command="teach", args=long_text)
    await cap_database(app)
    assert "Le disque du serveur est plein" in await say(app, command="teach", args=long_text)
    await asyncio.sleep(0.1)
    assert len(inbox.sent) == 2, "a new episode (after writes succeeded again) is told again"

