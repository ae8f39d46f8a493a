"""The terminal adapter (`souvenir chat`): the guide's words on a prompt that also reads piped lines."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from adapters.rendering import PublicSink, respond
from core.assistant import Assistant
from core.chat_key import CONSOLE_CHAT
from core.models import Incoming, OutgoingFile
from core.scope import CONSOLE_SCOPE
from core.text import terminal_safe

CONSOLE_USER = "console:local"
"""The person at the terminal: the wiring allows them and makes them an admin."""
PREFIX = ""
"""The console writes commands as bare words (`teach X`)."""
QUIT = {"quit", "exit", "bye", ":q", "quitter", "sortir"}


class ConsoleSink(PublicSink):
    """The render loop's view of the terminal: answers print as they grow, progress rewrites one line.

    In a pipe (not a terminal) only each reply's final text is printed.
    """

    limit = caption_limit = 1_000_000
    typing_every = 3600.0
    interval = 0.0

    def __init__(self, out: TextIO, *, interactive: bool, export_dir: Path) -> None:
        self._out = out
        self._interactive = interactive
        self._export_dir = export_dir
        self.preview = None if interactive else _nothing
        self._shown = ""
        self._open = False
        self._rewritten = False

    def _write(self, text: str) -> None:
        self._out.write(terminal_safe(text))
        self._out.flush()

    async def send(self, text: str) -> None:
        """Print a new message on its own line."""
        self.close()
        self._write(text)
        self._shown, self._open = text, True

    async def edit(self, handle: object, text: str) -> None:
        """Print what was added, or rewrite the last line when the text changed otherwise (progress)."""
        if text.startswith(self._shown):
            self._write(text[len(self._shown) :])
        elif self._interactive:
            self._write("\r\x1b[2K" + text.splitlines()[-1])
            self._rewritten = True
        self._shown = text

    def close(self) -> None:
        """End the message on screen (a rewritten one is printed whole)."""
        if self._rewritten:
            self._write("\r\x1b[2K" + self._shown)
        if self._open:
            self._write("\n")
        self._open = self._rewritten = False

    async def send_file(self, file: OutgoingFile) -> None:
        """Write the file beside the user and say where."""
        target = self._export_dir / file.name
        await asyncio.to_thread(target.write_bytes, file.data)
        await self.send(f"→ {target}")

    async def typing(self, on: bool) -> None:
        """No typing notice in a terminal."""

    async def react(self, emoji: str) -> bool:
        """No reactions in a terminal: the short line instead."""
        return False


def _nothing(snapshot: str) -> str:
    return ""


class ConsoleDirect:
    """The notifier's channel on the terminal: a notice for the local user is printed."""

    prefix = PREFIX

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write

    async def send_direct(self, user_id: str, text: str) -> None:
        """Print `text` (the terminal has one user)."""
        self._write(f"📬 {text}")

    def invite_link(self, code: str) -> str | None:
        """The terminal has no links."""
        return None


class ConsoleAdapter:
    """Reads lines, hands them to the assistant as the local owner, prints replies as they stream."""

    name = "console"

    def __init__(
        self,
        assistant: Assistant,
        *,
        scope: str = CONSOLE_SCOPE,
        language: str | None = None,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        export_dir: Path = Path(),
    ) -> None:
        self._assistant = assistant
        self._scope = scope
        self._language = language
        self._stdin = stdin
        self._out = stdout
        self._export_dir = export_dir
        self._interactive = stdin.isatty() and stdout.isatty()

    def _incoming(self, text: str) -> Incoming:
        return Incoming(
            platform="console",
            user_id=CONSOLE_USER.split(":", 1)[1],
            scope=self._scope,
            chat_key=CONSOLE_CHAT,
            text=text,
            language=self._language,
            prefix=PREFIX,
            on_this_machine=True,
        )

    async def run(self) -> None:
        """The read–answer loop, until end of input or `quit`."""
        if self._interactive:
            self._print(self._assistant.text(self._language, "start.welcome", prefix=PREFIX))
        direct = ConsoleDirect(self._print)
        self._assistant.notifier.attach(self.name, direct)
        try:
            await self._loop()
        finally:
            self._assistant.notifier.detach(self.name, direct)

    async def _loop(self) -> None:
        while True:
            line = await asyncio.to_thread(self._read_line)
            if line is None:
                break
            if not line.strip():
                continue
            if line.strip().lower() in QUIT:
                break
            await self.handle_line(line)

    def _read_line(self) -> str | None:
        """One line from stdin (with a prompt when interactive), None at end of input."""
        if self._interactive:
            try:
                return input("souvenir> ")
            except EOFError:
                return None
        line = self._stdin.readline()
        return line if line else None

    async def handle_line(self, line: str) -> None:
        """Answer one console line through the shared render loop (file arguments are paths here)."""
        sink = ConsoleSink(self._out, interactive=self._interactive, export_dir=self._export_dir)
        await respond(self._assistant, self._incoming(line.strip()), sink)
        sink.close()

    def _print(self, text: str) -> None:
        self._out.write(terminal_safe(text) + "\n")
        self._out.flush()
