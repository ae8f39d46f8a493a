"""The terminal adapter (`souvenir chat`): the guide's words on a prompt that also reads piped lines."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from core.assistant import Assistant
from core.commands import REGISTRY, Registry
from core.ingestion.local_files import read_local_file
from core.ingestion.web_page import url_alone
from core.models import Attachment, Incoming, Reply
from core.scope import CONSOLE_SCOPE
from core.text import terminal_safe

CONSOLE_USER = "console:local"
"""The person at the terminal: the wiring allows them and makes them an admin."""
PREFIX = ""
"""The console writes commands as bare words (`teach X`)."""
QUIT = {"quit", "exit", "bye", ":q"}


def parse_line(line: str, registry: Registry = REGISTRY) -> tuple[str | None, str]:
    """`teach X` or `/teach X` → ("teach", "X"); anything else is talk → (None, line)."""
    word, args = registry.split(line, PREFIX)
    command = registry.find(word)
    return (command.name, args) if command else (None, line.strip())


def file_attachment(path: Path) -> Attachment:
    """An attachment that reads a local file when fetched (never through a link; no more than its size)."""
    size = path.stat().st_size

    async def fetch() -> bytes:
        return await asyncio.to_thread(read_local_file, path, size)

    return Attachment(name=path.name, size=size, fetch=fetch)


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

    def _incoming(self, command: str | None, args: str, text: str) -> Incoming:
        return Incoming(
            platform="console",
            user_id=CONSOLE_USER.split(":", 1)[1],
            scope=self._scope,
            chat_key="console:chat:local",
            text=text,
            command=command,
            args=args,
            language=self._language,
            prefix=PREFIX,
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
        """Answer one console line."""
        command, args = parse_line(line, self._assistant.registry)
        incoming = self._incoming(command, args, line.strip())
        declared = self._assistant.registry.find(command)
        if declared is not None and any(a.file for a in declared.arguments) and args and not url_alone(args):
            path = Path(args).expanduser()
            if path.is_symlink():
                self._print(self._assistant.text(self._language, "file.symlink", name=args))
                return
            if not path.is_file():
                self._print(self._assistant.text(self._language, "ingest.missing", prefix=PREFIX, name=args))
                return
            incoming.attachments = [file_attachment(path)]
        reply = await self._assistant.handle(incoming)
        if reply is not None:
            await self.render(reply, stream_deltas=reply.updates is not None and not incoming.attachments)

    async def render(self, reply: Reply, *, stream_deltas: bool) -> None:
        """Print a reply: answers as they stream, progress on one rewritten line, files to disk."""
        if reply.updates is None:
            self._print(reply.text)
        elif stream_deltas:
            await self._stream(reply, self._out.write)
        else:
            last = ""
            async for snapshot in reply.updates:
                if self._interactive:
                    self._out.write("\r\x1b[2K" + terminal_safe(snapshot.splitlines()[-1]))
                    self._out.flush()
                last = snapshot
            if self._interactive:
                self._out.write("\r\x1b[2K")
            self._print(last)
        if reply.file is not None:
            target = self._export_dir / reply.file.name
            await asyncio.to_thread(target.write_bytes, reply.file.data)
            self._print(f"→ {target}")
        if reply.acknowledgement.line:  # no reactions in a terminal: the short line
            self._print(reply.acknowledgement.line)

    async def _stream(self, reply: Reply, write: Callable[[str], object]) -> None:
        """Print each new part of a growing answer."""
        shown = ""
        async for snapshot in reply.updates:
            if snapshot.startswith(shown):
                write(terminal_safe(snapshot[len(shown) :]))
            else:
                write("\n" + terminal_safe(snapshot))
            self._out.flush()
            shown = snapshot
        write("\n")
        self._out.flush()

    def _print(self, text: str) -> None:
        self._out.write(terminal_safe(text) + "\n")
        self._out.flush()
