"""The `souvenir` command: run, chat, ingest, search, remember, forget, status (and export, finetune)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.cli_args import COMMAND_PREFIX, add_scope, importance_arg
from bot.export_cli import add_export_parser
from bot.finetune_cli import add_finetune_parser
from bot.logging_setup import configure_logging
from bot.settings import Settings
from core.commands.parsing import parse_forget
from core.disk import is_disk_full
from core.errors import UserError
from core.i18n import Translator
from core.retrieval.modes import MODES
from core.text import terminal_safe

if TYPE_CHECKING:
    from bot.app import App
    from bot.memory_app import MemoryApp
    from core.models import Memory


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="souvenir", description="A personal AI assistant with a long-term memory."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start every configured platform (the console when none is)").set_defaults(
        func=cmd_run
    )
    sub.add_parser("chat", help="talk to Souvenir in this terminal").set_defaults(func=cmd_chat)

    ingest = sub.add_parser("ingest", aliases=["ajoute"], help="ingest files and directories (recursively)")
    ingest.add_argument("paths", nargs="+", type=Path)
    ingest.add_argument("--importance", type=importance_arg, default=None)
    add_scope(ingest)
    ingest.set_defaults(func=cmd_ingest)

    search = sub.add_parser("search", help="show what retrieval returns for a query")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--mode", choices=MODES, default="hybrid")
    search.add_argument("--json", action="store_true", help="print one JSON array")
    add_scope(search)
    search.set_defaults(func=cmd_search, memory_only=True)

    remember = sub.add_parser("remember", aliases=["souvenirs"], help="list memories (optionally matching a query)")
    remember.add_argument("query", nargs="?", default=None)
    remember.add_argument("--page", type=int, default=1)
    remember.add_argument("--limit", type=int, default=20)
    remember.add_argument("--json", action="store_true")
    add_scope(remember)
    remember.set_defaults(func=cmd_remember, memory_only=True)

    forget = sub.add_parser(
        "forget",
        aliases=["oublie"],
        help="delete memory N (its number in the chat, as remember shows it), or doc N with its memories"
    )
    forget.add_argument("target", nargs="+", metavar="N | doc N")
    add_scope(forget)
    forget.set_defaults(func=cmd_forget, memory_only=True)

    status = sub.add_parser("status", aliases=["etat", "état"], help="memory counts, index size, model")
    add_scope(status)
    status.set_defaults(func=cmd_status)
    add_export_parser(sub)
    add_finetune_parser(sub)
    return parser


async def cmd_run(app: App, args: argparse.Namespace) -> int:
    """Start the configured platforms, or the console."""
    from bot.runner import run

    return await run(app)


async def cmd_chat(app: App, args: argparse.Namespace) -> int:
    """The console assistant."""
    from adapters.console import ConsoleAdapter

    await ConsoleAdapter(app.assistant, language=app.settings.language).run()
    return 0


async def cmd_ingest(app: App, args: argparse.Namespace) -> int:
    """Ingest files and directories: one line per file, a summary, status 1 when any was not ingested."""
    from bot.ingest_cli import ingest_paths

    return await ingest_paths(app, args)


def _memory_row(memory: Memory, documents: dict[int, int]) -> dict:
    """A memory as `--json` gives it: `number` is the chat's #N; `row_id` the database's own id."""
    row = {
        "number": memory.number,
        "kind": memory.kind.value,
        "importance": memory.importance,
        "tags": memory.tags,
        "source": memory.source,
        "text": memory.text,
        "row_id": memory.id,
    }
    if memory.document_id is not None and memory.document_id in documents:
        row["document"] = documents[memory.document_id]  # `souvenir forget doc N`
    return row


async def _document_numbers(app: MemoryApp, scope: str) -> dict[int, int]:
    """Each document's row id → the number its chat calls it (`doc 2`)."""
    return {d.id: d.number for d in await app.store.documents.list_documents(scope)}


def _document_mark(row: dict) -> str:
    return f"  (doc {row['document']})" if "document" in row else ""


async def cmd_search(app: MemoryApp, args: argparse.Namespace) -> int:
    """Print what retrieval returns, numbered as in the chat."""
    hits = await app.memory.reading.search(args.scope, args.query, limit=args.limit, mode=args.mode)
    documents = await _document_numbers(app, args.scope) if hits else {}
    rows = [
        {
            **_memory_row(h.memory, documents),
            "score": round(h.score, 6),
            "corrected_by": [c.number for c in h.corrected_by],
        }
        for h in hits
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for row in rows:
        amended = (
            f" (corrected by {', '.join(f'#{i}' for i in row['corrected_by'])})"
            if row["corrected_by"]
            else ""
        )
        print(
            terminal_safe(
                f"#{row['number']}  {row['score']:.4f}  {row['kind']}  {row['importance']:.2f}"
                f"  {row['source']}{_document_mark(row)}{amended}"
            )
        )
        print(f"    {terminal_safe(' '.join(row['text'].split())[:200])}")
    if not rows:
        print("(nothing found)")
    return 0


async def cmd_remember(app: MemoryApp, args: argparse.Namespace) -> int:
    """List memories of a scope, numbered as in the chat."""
    memories, total = await app.memory.reading.remember(
        args.scope, args.query, offset=(max(args.page, 1) - 1) * args.limit, limit=args.limit
    )
    documents = await _document_numbers(app, args.scope) if memories else {}
    rows = [_memory_row(m, documents) for m in memories]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    print(f"{total} memories in {args.scope}")
    for row in rows:
        print(
            terminal_safe(
                f"#{row['number']}  {row['kind']}  {row['importance']:.2f}"
                f"{_document_mark(row)}  {' '.join(row['text'].split())[:160]}"
            )
        )
    return 0


async def cmd_forget(app: MemoryApp, args: argparse.Namespace) -> int:
    """Delete one memory (`N`, `#N`) or one document with its memories (`doc N`), as in the chat."""
    language = app.settings.language
    text = Translator(language)
    is_document, number = parse_forget(" ".join(args.target))
    if is_document:
        document, count = await app.memory.forgetting.forget_document(args.scope, number)
        print(terminal_safe(text(language, "forget.document", doc=number, name=document.name, count=count)))
        return 0
    memory, restored = await app.memory.forgetting.forget_number(args.scope, number)
    print(terminal_safe(text(language, "forget.done", id=memory.number, text=memory.text[:80])))
    if restored:
        print(text(language, "forget.restored", ids=", ".join(f"#{m.number}" for m in restored)))
    return 0


async def cmd_status(app: App, args: argparse.Namespace) -> int:
    """Print the status of a scope."""
    from core.chat_key import CONSOLE_CHAT
    from core.models import Incoming

    reply = await app.assistant.handle(
        Incoming("console", "local", args.scope, CONSOLE_CHAT, command="status")
    )
    print(terminal_safe(reply.text))
    return 0


async def _main(args: argparse.Namespace, settings: Settings) -> int:
    # After parsing: `--help` and usage errors need none of the services; memory commands need no assistant.
    if getattr(args, "memory_only", False):
        from bot.memory_app import build_memory_app

        app = await build_memory_app(settings)
    else:
        from bot.app import build_app

        app = await build_app(settings)
    try:
        return await args.func(app, args)
    finally:
        await app.close()


async def _run_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run one command; a user error or a full disk is one clear line on stderr and status 1."""
    try:
        return await _main(args, settings)
    except UserError as error:
        # Commands named in the message are spelled as on this command line (`souvenir remember`).
        params = {**error.params, "c": COMMAND_PREFIX}
        print(terminal_safe(Translator(settings.language)(settings.language, error.key, **params)), file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error) as error:
        if is_disk_full(error):
            key = "error.disk_full"
        elif isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
            key = "error.database_busy"  # another process holds it alone (opened on a full disk)
        else:
            raise
        print(Translator(settings.language)(settings.language, key, c=COMMAND_PREFIX), file=sys.stderr)
        return 1


def settings_problems(error: ValidationError) -> str:
    """One line per invalid setting, named as it is set (never its value: it may be a secret)."""
    lines = []
    for problem in error.errors():
        name = "SOUVENIR_" + "__".join(str(part) for part in problem["loc"]).upper()
        lines.append(f"souvenir: {name} (in the environment or .env): {problem['msg']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `souvenir` command."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(settings_problems(error), file=sys.stderr)
        return 2
    configure_logging(settings, quiet=args.command not in ("run",))
    try:
        return asyncio.run(_run_command(args, settings))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
