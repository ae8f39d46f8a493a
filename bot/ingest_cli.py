"""`souvenir ingest PATH...`: every file reported on its own line, a summary, exit 1 when any was not ingested."""

from __future__ import annotations

import argparse
import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.cli_args import COMMAND_PREFIX
from core.disk import is_disk_full
from core.errors import DiskFull, UserError
from core.ingestion.local_files import LocalFile, files_to_ingest, is_image, read_local_file
from core.ingestion.scanned_pdf import ScanReading
from core.text import one_line, terminal_safe

if TYPE_CHECKING:
    from rich.progress import Progress

    from bot.app import App

log = logging.getLogger(__name__)


@dataclass
class Tally:
    """How many files went in, were already known, or failed."""

    ingested: int = 0
    known: int = 0
    failed: int = 0
    disk_full: bool = False


async def ingest_paths(app: App, args: argparse.Namespace) -> int:
    """Ingest files with a progress bar and one line per file (photos read by OCR; links and unsupported files included)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    t = app.assistant.text
    lang = app.settings.language
    console = Console(stderr=False, highlight=False)
    files = await asyncio.to_thread(lambda: list(files_to_ingest(args.paths)))
    tally = Tally()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        overall = progress.add_task("files", total=len(files))
        for done, found in enumerate(files):
            task = progress.add_task(one_line(found.path.name), total=None)
            line = await _ingest_one(app, args, found, tally, progress, task)
            progress.remove_task(task)
            progress.advance(overall)
            progress.console.print(terminal_safe(line), markup=False, soft_wrap=True)
            if tally.disk_full:  # every next file would fail the same way
                left = len(files) - done - 1
                tally.failed += left
                if left:
                    progress.console.print(t(lang, "ingest.stopped_disk_full", count=left), markup=False)
                break
        progress.console.print(
            t(lang, "ingest.summary", ingested=tally.ingested, known=tally.known, failed=tally.failed),
            markup=False,
        )
    return 1 if tally.failed else 0


async def _ingest_one(
    app: App, args: argparse.Namespace, found: LocalFile, tally: Tally, progress: Progress, task: int
) -> str:
    """Ingest one file and say how it went, in one line."""
    t = app.assistant.text
    lang = app.settings.language
    name = one_line(str(found.path))
    try:
        if found.problem is not None:
            raise found.problem
        photo = is_image(found.path)  # its text is stored, under the photo's name, as in a chat
        if photo:
            app.assistant.media.check_image()  # before reading a byte
        data = await asyncio.to_thread(read_local_file, found.path, app.memory.limits.max_upload_bytes)
        parse_as = None
        media = app.assistant.media
        if photo:
            data, parse_as = (await media.read_image(found.path.name, data)).text.encode(), "photo.txt"
        scans = None  # a PDF's scanned pages are read by OCR, as in a chat (rich's progress is thread-safe)
        if media.reader is not None and not photo:
            scans = ScanReading(
                media.reader,
                media.max_scanned_pages,
                lambda done, total: progress.update(task, completed=done, total=total),
            )
        report = await app.memory.documents.ingest(
            args.scope,
            found.path.name,
            data,
            importance=args.importance,
            author="console:local",
            progress=lambda done, total: progress.update(task, completed=done, total=total),
            parse_as=parse_as,
            scans=scans,
        )
    except UserError as error:
        tally.failed += 1
        tally.disk_full = isinstance(error, DiskFull)
        return t(lang, error.key, prefix=COMMAND_PREFIX, **{**error.params, "name": name})
    except Exception as error:  # a bug, not the file's fault: say so on one line, keep the details in the log
        tally.failed += 1
        if is_disk_full(error):  # a file the parser wanted to write (a temporary one), say
            tally.disk_full = True
            return f"❌ {name}: " + t(lang, "error.disk_full", prefix=COMMAND_PREFIX)
        log.debug("ingesting %s failed", name, exc_info=True)
        return f"❌ {name}: " + t(lang, "error.generic")
    doc = report.document_number
    if report.duplicate_of is not None:
        tally.known += 1
        return t(lang, "ingest.duplicate", name=name, doc=doc, prefix=COMMAND_PREFIX)
    tally.ingested += 1
    return t(lang, "ingest.done", name=name, count=report.count, doc=doc, prefix=COMMAND_PREFIX)
