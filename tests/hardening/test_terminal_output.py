"""Stored text cannot drive the user's terminal: control characters are dropped on the way in and shown as `?` on the way out."""

from __future__ import annotations

import asyncio

import numpy as np

from bot.app import build_app
from bot.settings import Settings
from core.embeddings.fake import HashingEmbedder
from core.models import Kind, NewMemory
from core.text import terminal_safe
from tests.hardening.processes import run_measured, souvenir_env
from tests.requests import say

HOSTILE = "Plain \x1b]0;pwned\x07title \x1b[2J\x1b[31mred\x9b31m \u202eevil\r over\x08write"


def test_terminal_safe_keeps_text_and_line_breaks_but_no_control():
    shown = terminal_safe(HOSTILE + "\nsecond line\ttab")
    assert "\n" in shown and "\t" in shown
    assert not any(ch in shown for ch in "\x1b\x07\x9b\u202e\r\x08")
    assert shown.startswith("Plain ?]0;pwned?title") and "second line" in shown


async def test_documents_and_teachings_are_stored_without_control_characters(make_app):
    app = await make_app()
    await say(app, files={"notes.txt": HOSTILE.encode()})
    await say(app, command="teach", args=HOSTILE)
    for memory in await app.store.memories.all_memories("console:user:local"):
        assert "\x1b" not in memory.text and "\x07" not in memory.text and "\x08" not in memory.text


def test_remember_search_and_console_print_old_hostile_rows_harmlessly(tmp_path):
    async def plant() -> None:
        embedder = HashingEmbedder()
        app = await build_app(Settings(_env_file=None, data_dir=tmp_path / "data"), embedder=embedder)
        try:  # a row written before control characters were dropped on the way in
            item = NewMemory(text=HOSTILE, kind=Kind.TEACHING, importance=0.8)
            await app.store.memories.add_memories(
                "console:user:local", [item], np.asarray(embedder.embed([HOSTILE])), embedder.name
            )
        finally:
            await app.close()

    asyncio.run(plant())
    env = souvenir_env(tmp_path / "data")
    outputs = [
        run_measured(["remember"], env).stdout,
        run_measured(["search", "plain title"], env).stdout,
        run_measured(["chat"], env, stdin="remember\nwhy\n").stdout,
    ]
    for output in outputs:
        assert "pwned" in output, output
        assert not any(ch in output for ch in "\x1b\x07\x9b\u202e\r\x08"), repr(output)
