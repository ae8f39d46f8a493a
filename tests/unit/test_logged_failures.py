"""A failure that is handled, not raised, still leaves a line in the log (never a secret)."""

import asyncio
import logging
import signal
import sys

from adapters.matrix_session import SessionFile
from bot.runner import stop_on_signals
from core.disk import DiskWatch


def test_an_unreadable_matrix_session_is_logged_without_its_token(tmp_path, caplog):
    path = tmp_path / "session.json"
    path.write_text('{"user_id": "@bot:hs", "access_token": "syt_SECRET_TOKEN", ')  # cut short by a crash
    with caplog.at_level(logging.WARNING, logger="adapters.matrix_session"):
        assert SessionFile(path).load("@bot:hs") is None
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "unreadable" in caplog.text and "SECRET" not in caplog.text


def test_no_saved_matrix_session_is_not_a_failure(tmp_path, caplog):
    with caplog.at_level(logging.DEBUG, logger="adapters.matrix_session"):
        assert SessionFile(tmp_path / "none.json").load("@bot:hs") is None
    assert caplog.records == []


def test_free_space_that_cannot_be_read_is_logged(tmp_path, caplog):
    def unreadable(_path):
        raise PermissionError(13, "Permission denied")

    watch = DiskWatch(tmp_path, warn_below=1, free_space=unreadable)
    with caplog.at_level(logging.DEBUG, logger="core.disk"):
        assert watch.free() is None
        assert watch.has_room() and not watch.is_low()
    assert "free space" in caplog.text and "Permission denied" in caplog.text


async def test_a_loop_without_signal_handlers_says_so_and_still_runs(monkeypatch, caplog):
    loop = asyncio.get_running_loop()

    def unsupported(*_args):
        raise NotImplementedError

    monkeypatch.setattr(loop, "add_signal_handler", unsupported)
    monkeypatch.setattr(loop, "remove_signal_handler", unsupported)
    with caplog.at_level(logging.DEBUG, logger="bot.runner"), stop_on_signals(asyncio.Event()):
        pass
    assert signal.SIGINT.name in caplog.text and signal.SIGTERM.name in caplog.text


def test_a_missing_heic_reader_is_logged(monkeypatch, caplog):
    from core.ingestion import ocr

    monkeypatch.setitem(sys.modules, "pillow_heif", None)  # as if the [ocr] extra were not installed
    with caplog.at_level(logging.DEBUG, logger="core.ingestion.ocr"):
        ocr._register_heif()
    assert "pillow-heif" in caplog.text
