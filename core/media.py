"""Phone input: photos read by OCR, voice notes transcribed, shared links fetched; engines off when missing."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import PurePath

from core.errors import FeatureOff, NothingRead
from core.i18n import Phrase
from core.ingestion.ocr import IMAGE_EXTENSIONS, ImageReader, ImageText
from core.ingestion.transcription import Transcriber, Transcript
from core.ingestion.web_page import PageFetcher, WebPage
from core.models import Attachment, AttachmentKind

AUDIO_EXTENSIONS = (".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".wav", ".flac", ".weba")
VIDEO_EXTENSIONS = (".mp4", ".mov", ".m4v", ".webm", ".mkv", ".3gp")
OCR, VOICE, WEB = "ocr", "voice", "web"


def kind_of(attachment: Attachment) -> AttachmentKind:
    """What an attachment is: as the platform said, else from its MIME type, else from its extension."""
    if attachment.kind is not None:
        return attachment.kind
    mime = (attachment.mime or "").lower()
    extension = PurePath(attachment.name or "").suffix.lower()
    if mime.startswith("image/") or extension in IMAGE_EXTENSIONS:
        return AttachmentKind.IMAGE
    if mime.startswith("audio/") or extension in AUDIO_EXTENSIONS:
        return AttachmentKind.AUDIO
    if mime.startswith("video/") or extension in VIDEO_EXTENSIONS:
        return AttachmentKind.VIDEO
    return AttachmentKind.DOCUMENT


def is_spoken(attachment: Attachment) -> bool:
    """True for what is listened to rather than read: a voice note, an audio file, a video's sound."""
    return kind_of(attachment) in (AttachmentKind.AUDIO, AttachmentKind.VIDEO)


@dataclass
class MediaInput:
    """The optional engines, each None when off; `off` says why in words for users (the log has the details)."""

    reader: ImageReader | None = None
    transcriber: Transcriber | None = None
    fetcher: PageFetcher | None = None
    off: dict[str, Phrase | str] = field(default_factory=dict)
    max_audio_seconds: float = 300.0
    max_scanned_pages: int = 30

    def _require(self, feature: str, engine: object | None) -> None:
        """FeatureOff with the reason when an engine is missing."""
        if engine is None:
            raise FeatureOff(key=f"{feature}.off", reason=self.off.get(feature) or Phrase("off.missing"))

    def check_image(self) -> None:
        """Raise FeatureOff unless photos can be read."""
        self._require(OCR, self.reader)

    def check_voice(self) -> None:
        """Raise FeatureOff unless voice notes can be transcribed."""
        self._require(VOICE, self.transcriber)

    def check_web(self) -> None:
        """Raise FeatureOff unless links can be fetched."""
        self._require(WEB, self.fetcher)

    async def read_image(self, name: str, data: bytes) -> ImageText:
        """OCR off the event loop; NothingRead when the photo holds no readable text (nothing to store)."""
        self.check_image()
        read = await asyncio.to_thread(self.reader.read, name, data)
        if not read.text:
            raise NothingRead(name=name)
        return read

    async def transcribe(self, name: str, data: bytes, prefer: str | None = None) -> Transcript:
        """Speech to text off the event loop (`prefer`: the speaker's usual language); NothingRead when no one speaks.

        A video's sound track is decoded like a voice note; the pictures are never decoded nor kept.
        """
        self.check_voice()
        transcript = await asyncio.to_thread(self.transcriber.transcribe, name, data, prefer)
        if not transcript.text.strip():
            raise NothingRead(key="voice.no_speech", name=name)
        return transcript

    async def fetch_page(self, url: str) -> WebPage:
        """The article behind a link."""
        self.check_web()
        return await self.fetcher.fetch(url)
