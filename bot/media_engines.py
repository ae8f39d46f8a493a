"""Building the optional phone-input engines from the settings; each one missing is off with its reason."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.settings import Settings
from core.i18n import Phrase
from core.ingestion.ocr import OcrOptions, TesseractReader
from core.ingestion.packaged_whisper import MODELS, packaged_parts
from core.ingestion.transcription import PROMPTS, TranscriptionOptions, WhisperTranscriber
from core.ingestion.web_page import FetchOptions, PageFetcher
from core.media import OCR, VOICE, WEB, MediaInput
from core.spoken import command_words

log = logging.getLogger(__name__)

INSTALL = {
    OCR: "pip install 'souvenir[ocr]' and the Debian packages tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng",
    VOICE: "pip install 'souvenir[voice]'",
    WEB: "pip install 'souvenir[web]'",
}
"""What an admin installs to switch a feature on: said in the log, never to users."""


def build_media(settings: Settings) -> MediaInput:
    """The engines the settings enable and the machine has; the others are off with a reason."""
    media = MediaInput(max_audio_seconds=settings.voice.max_seconds, max_scanned_pages=settings.ocr.max_scanned_pages)
    ocr, voice, web = settings.ocr, settings.voice, settings.web
    media.reader = _try(
        media,
        OCR,
        ocr.enabled,
        lambda: TesseractReader(OcrOptions(ocr.languages, ocr.max_pixels, ocr.max_side, ocr.min_confidence)),
    )
    media.transcriber = _try(
        media,
        VOICE,
        voice.enabled,
        lambda: WhisperTranscriber(
            TranscriptionOptions(
                model=voice.model,
                compute_type=voice.compute_type,
                threads=voice.threads,
                languages=tuple(voice.languages),
                max_seconds=voice.max_seconds,
                beam_size=voice.beam_size,
                download_dir=voice.model_dir.expanduser(),
                hotwords=command_words(),
                prompts=PROMPTS,
            )
        ),
    )
    if voice.enabled and voice.model in MODELS and media.transcriber is not None:
        media.transcriber = _try(media, VOICE, True, lambda t=media.transcriber: _with_packaged_model(t))
    media.fetcher = _try(
        media,
        WEB,
        web.enabled,
        lambda: PageFetcher(FetchOptions(web.max_bytes, web.timeout, web.max_redirects, web.allow_private)),
    )
    return media


def _with_packaged_model(transcriber: WhisperTranscriber) -> WhisperTranscriber:
    """The transcriber, once the packaged model's two packages are known to be installed (and whole)."""
    packaged_parts(transcriber.model_name)
    return transcriber


def _try(media: MediaInput, feature: str, enabled: bool, build: Callable[[], object]):
    """`build()`, or None with the reason recorded when disabled or when its engine is missing."""
    if not enabled:
        log.info("%s is off: SOUVENIR_%s__ENABLED=false", feature, feature.upper())
        media.off[feature] = Phrase("off.disabled")
        return None
    try:
        return build()
    except (ImportError, FileNotFoundError, OSError) as error:
        log.warning("%s is off (%s); to switch it on: %s", feature, error, INSTALL[feature])
        media.off[feature] = Phrase("off.missing")
        return None
