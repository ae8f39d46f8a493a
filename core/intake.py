"""The intake: files, photos, links and voice notes sent in a chat, checked and turned into memory or text."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

from core.errors import AudioTooLong, CorruptFile, UserError
from core.i18n import Translator
from core.ingestion.admission import admit, check_size
from core.ingestion.local_files import read_local_file
from core.ingestion.scanned_pdf import ScanReading
from core.media import MediaInput, is_spoken, kind_of
from core.memory.service import MemoryService
from core.models import Attachment, AttachmentKind, Incoming, IngestReport
from core.text import file_display_name, shorten

PHOTO_FORMAT, PAGE_FORMAT = "photo.txt", "page.txt"
"""How the text read from a photo or a web page is parsed."""


class Intake:
    """Checks what is sent before reading it, reads photos, pages and voice, and stores documents with progress."""

    def __init__(self, memory: MemoryService, media: MediaInput, translate: Translator) -> None:
        self._memory = memory
        self.media = media
        self._t = translate

    def _say(self, incoming: Incoming, lang: str, key: str, **params: object) -> str:
        return self._t(lang, key, c=incoming.prefix, **params)

    @property
    def _limit(self) -> int:
        return self._memory.limits.max_upload_bytes

    @staticmethod
    def voice_note(incoming: Incoming) -> Attachment | None:
        """The voice note, audio file or video (heard for its sound) among the attachments, if any."""
        return next((a for a in incoming.attachments if is_spoken(a)), None)

    @staticmethod
    def local_file(typed: str) -> Attachment:
        """A file named on this machine's terminal: never through a link, read only once accepted."""
        path = Path(typed).expanduser()
        if path.is_symlink():
            raise CorruptFile("file.symlink", name=typed)
        if not path.is_file():
            raise UserError("ingest.missing", name=typed)
        size = path.stat().st_size

        async def fetch() -> bytes:
            return await asyncio.to_thread(read_local_file, path, size)

        return Attachment(name=path.name, size=size, fetch=fetch)

    async def transcribe(self, incoming: Incoming, attachment: Attachment, lang: str) -> str:
        """What a voice note or a video's sound says (refused when too large or too long, before download).

        Nothing of the audio or video is kept: the bytes live only while they are decoded.
        """
        unnamed = "video.name" if kind_of(attachment) is AttachmentKind.VIDEO else "voice.name"
        name = attachment.name or self._t(lang, unnamed)
        self.media.check_voice()
        check_size(name, attachment.size, self._limit)
        if attachment.duration is not None and attachment.duration > self.media.max_audio_seconds:
            raise AudioTooLong(name=name, seconds=int(self.media.max_audio_seconds))
        transcript = await self.media.transcribe(name, await attachment.fetch(), prefer=lang)
        return transcript.text

    async def files(self, incoming: Incoming, lang: str, caption: str) -> AsyncIterator[str]:
        """Ingest every attachment, streaming progress lines; each file ends with ✅, ♻️ or ❌."""
        done: list[str] = []
        for attachment in incoming.attachments:
            async for line in self._one(incoming, attachment, lang, caption):
                yield "\n".join([*done, line])
                last = line
            done.append(last)
        yield "\n".join(done)

    def _photo_name(self, lang: str, when: datetime) -> str:
        return self._t(lang, "photo.name", date=when)

    async def _one(self, incoming: Incoming, attachment: Attachment, lang: str, caption: str) -> AsyncIterator[str]:
        """Progress lines for one file (a photo is read first), ending with its outcome."""
        is_image = kind_of(attachment) is AttachmentKind.IMAGE
        name = file_display_name(attachment.name) if attachment.name else self._photo_name(lang, datetime.now())
        try:
            if is_image:
                self.media.check_image()
                check_size(name, attachment.size, self._limit)
            else:
                name = admit(name, attachment.size, self._limit)
            yield self._say(incoming, lang, "ingest.reading", name=name)
            data = await attachment.fetch()
            if not is_image:
                async for line in self._store(incoming, name, data, lang):
                    yield line
                return
            read = await self.media.read_image(name, data)
            if not attachment.name and read.taken_at is not None:
                name = self._photo_name(lang, read.taken_at)
            text = f"{caption}\n\n{read.text}" if caption else read.text
            heading = self._say(incoming, lang, "photo.read", name=name, first=shorten(read.first_line, 80))
            async for line in self._store(incoming, name, text.encode(), lang, parse_as=PHOTO_FORMAT):
                yield f"{heading}\n{line}"
        except UserError as error:
            yield self._say(incoming, lang, error.key, **{**error.params, "name": name})

    async def link(self, incoming: Incoming, url: str, lang: str) -> AsyncIterator[str]:
        """Fetch a shared link within the guards, then store its article like a document."""
        yield self._say(incoming, lang, "web.fetching", url=url)
        page = await self.media.fetch_page(url)
        text = f"{page.title}\n\n{page.text}" if page.title else page.text
        first = shorten(page.text.split("\n")[0], 80)
        heading = self._say(incoming, lang, "web.read", title=page.title or page.url, first=first)
        async for line in self._store(incoming, page.source, text.encode(), lang, parse_as=PAGE_FORMAT):
            yield f"{heading}\n{line}"

    async def _store(
        self, incoming: Incoming, name: str, data: bytes, lang: str, *, parse_as: str | None = None
    ) -> AsyncIterator[str]:
        """Ingest through the one document path (scope, dedupe, limits), yielding progress then the outcome.

        A PDF's pages without text are read by OCR when photos can be read, one progress line a page
        (reported from the parsing worker thread, hence `call_soon_threadsafe`).
        """
        queue: asyncio.Queue[tuple[str, int, int]] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        scans = None
        if self.media.reader is not None and parse_as is None:
            scans = ScanReading(
                self.media.reader,
                self.media.max_scanned_pages,
                lambda done, total: loop.call_soon_threadsafe(queue.put_nowait, ("ingest.scanning", done, total)),
            )
        task = asyncio.create_task(
            self._memory.documents.ingest(
                incoming.scope,
                name,
                data,
                author=incoming.user,
                parse_as=parse_as,
                progress=lambda done, total: queue.put_nowait(("ingest.progress", done, total)),
                scans=scans,
            )
        )
        while not task.done():
            getter = asyncio.ensure_future(queue.get())
            await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                key, done, total = getter.result()
                yield self._say(incoming, lang, key, name=name, done=done, total=total)
            else:
                getter.cancel()
        yield self._report(incoming, await task, lang)

    def _report(self, incoming: Incoming, report: IngestReport, lang: str) -> str:
        """The final line for one ingested file."""
        doc = report.document_number
        if report.duplicate_of is not None:
            return self._say(incoming, lang, "ingest.duplicate", name=report.name, doc=doc)
        return self._say(incoming, lang, "ingest.done", name=report.name, count=report.count, doc=doc)
