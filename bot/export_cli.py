"""`souvenir export`: write a scope's memory as json, jsonl or text."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli_args import add_scope
from core.export import FORMATS, export_scope

if TYPE_CHECKING:
    from bot.memory_app import MemoryApp


def add_export_parser(sub: argparse._SubParsersAction) -> None:
    """Register `export --scope S --format F [--out FILE]`."""
    export = sub.add_parser("export", aliases=["exporte"], help="export a scope's memory (json backup, jsonl training, text)")
    export.add_argument("--format", choices=FORMATS, default="json")
    export.add_argument("--out", type=Path, default=None, help="file to write (default: standard output)")
    add_scope(export)
    export.set_defaults(func=cmd_export, memory_only=True)


async def cmd_export(app: MemoryApp, args: argparse.Namespace) -> int:
    """Write the export to --out, or to standard output."""
    exported = await export_scope(app.memory, args.scope, args.format)
    if args.out is None:
        sys.stdout.buffer.write(exported.data)
        sys.stdout.flush()
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_name(args.out.name + ".part")
    try:  # whole or not at all: a full disk leaves no half-written export behind
        partial.write_bytes(exported.data)
        partial.replace(args.out)
    finally:
        partial.unlink(missing_ok=True)
    print(f"✅ {args.out}: {exported.caption}", file=sys.stderr)
    return 0
