"""Reading the text of a photo with Tesseract (blocking; run in a worker)."""

from __future__ import annotations

import importlib.util
import io
import logging
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.errors import CorruptFile, FeatureOff, FileTooLarge
from core.i18n import Phrase

log = logging.getLogger(__name__)

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".heic", ".heif", ".bmp", ".tif", ".tiff", ".gif")
_EXIF_DATETIME_ORIGINAL = 0x9003
_EXIF_DATETIME = 0x0132
_EXIF_IFD = 0x8769
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class OcrOptions:
    """How photos are read: Tesseract languages, the decoding and downscaling limits, the noise floor."""

    languages: str = "fra+eng"
    max_pixels: int = 50_000_000
    max_side: int = 2500
    min_confidence: float = 45.0
    min_characters: int = 3
    timeout: float = 120.0


@dataclass
class ImageText:
    """What a photo says: its text (lines in reading order), the mean word confidence, when it was taken."""

    text: str
    confidence: float
    taken_at: datetime | None = None

    @property
    def first_line(self) -> str:
        """The first non-empty line read."""
        return next((line.strip() for line in self.text.splitlines() if line.strip()), "")


class ImageReader(Protocol):
    """Anything that turns image bytes into text."""

    name: str

    def read(self, name: str, data: bytes) -> ImageText:
        """The text of the image; raises CorruptFile when it is not an image, FileTooLarge when too big."""
        ...


class TesseractReader:
    """OCR with the Tesseract engine through pytesseract, after orientation fix and downscaling."""

    name = "tesseract"

    def __init__(self, options: OcrOptions = OcrOptions()) -> None:
        # Checked without importing (start-up stays fast); pytesseract is imported on the first photo.
        if importlib.util.find_spec("pytesseract") is None:
            raise ImportError("pytesseract is not installed (the `ocr` extra)")
        if shutil.which("tesseract") is None:
            raise FileNotFoundError("the tesseract program is not installed (Debian: tesseract-ocr)")
        self.options = options
        self._languages: str | None = None

    @property
    def _tesseract(self):
        import pytesseract

        return pytesseract

    @property
    def languages(self) -> str:
        """The wanted languages Tesseract has data for, looked up on first use."""
        if self._languages is None:
            self._languages = self._available(self.options.languages)
        return self._languages

    def _available(self, wanted: str) -> str:
        """The wanted languages that Tesseract has data for (logs the missing ones)."""
        installed = set(self._tesseract.get_languages(config=""))
        chosen = [lang for lang in wanted.split("+") if lang in installed]
        missing = [lang for lang in wanted.split("+") if lang not in installed]
        if missing:
            log.warning("tesseract has no data for %s (Debian: tesseract-ocr-<lang>)", ", ".join(missing))
        if not chosen:
            raise FeatureOff(key="ocr.off", reason=Phrase("off.missing"))
        return "+".join(chosen)

    def read(self, name: str, data: bytes) -> ImageText:
        """Decode (within the pixel limit), fix orientation, downscale, then read words with confidences."""
        image, taken_at = self._open(name, data)
        table = self._tesseract.image_to_data(
            image, lang=self.languages, output_type=self._tesseract.Output.DICT, timeout=self.options.timeout
        )
        text, confidence = _lines_of(table)
        if _characters(text) < self.options.min_characters or confidence < self.options.min_confidence:
            return ImageText("", confidence, taken_at)
        return ImageText(text, confidence, taken_at)

    def _open(self, name: str, data: bytes):
        """A grayscale image no larger than the limits, and the date the camera recorded (if any)."""
        from PIL import Image, ImageOps, UnidentifiedImageError

        _register_heif()
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as error:
            raise FileTooLarge(
                key="error.image_too_large", name=name, pixels="?", limit=self.options.max_pixels
            ) from error
        except (UnidentifiedImageError, OSError, ValueError) as error:
            raise CorruptFile(key="error.corrupt_file_image", name=name) from error
        width, height = image.size
        if width * height > self.options.max_pixels:
            raise FileTooLarge(
                key="error.image_too_large", name=name, pixels=width * height, limit=self.options.max_pixels
            )
        taken_at = _taken_at(image)
        try:
            image.draft(
                "L", (self.options.max_side, self.options.max_side)
            )  # JPEG: decode at a smaller scale
            image = ImageOps.exif_transpose(image).convert("L")
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            raise CorruptFile(key="error.corrupt_file_image", name=name) from error
        if max(image.size) > self.options.max_side:
            image.thumbnail((self.options.max_side, self.options.max_side), Image.Resampling.LANCZOS)
        return image, taken_at


def _lines_of(table: dict[str, list]) -> tuple[str, float]:
    """Tesseract's word table as text (one line per detected line, blank line between blocks) and mean confidence."""
    lines: list[str] = []
    current: tuple[int, int, int] | None = None
    block = None
    confidences: list[float] = []
    for i, word in enumerate(table["text"]):
        confidence = float(table["conf"][i])
        if confidence < 0 or not word.strip():
            continue
        confidences.append(confidence)
        key = (table["block_num"][i], table["par_num"][i], table["line_num"][i])
        if key != current:
            if block is not None and key[0] != block:
                lines.append("")
            lines.append(word)
            current, block = key, key[0]
        else:
            lines[-1] += " " + word
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return "\n".join(lines).strip(), mean


def _characters(text: str) -> int:
    """How many letters and digits a text has."""
    return len(_WORD.findall(text))


def _taken_at(image) -> datetime | None:
    """The camera's DateTimeOriginal (or DateTime), if the image carries EXIF."""
    try:
        exif = image.getexif()
        raw = exif.get_ifd(_EXIF_IFD).get(_EXIF_DATETIME_ORIGINAL) or exif.get(_EXIF_DATETIME)
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if raw else None
    except (ValueError, TypeError, OSError, AttributeError):
        return None


def _register_heif() -> None:
    """Let Pillow open HEIC photos (iPhones) when pillow-heif is installed."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # the [ocr] extra brings it; without it a HEIC photo is refused as unreadable
        log.debug("pillow-heif is not installed: HEIC photos cannot be opened")
        return
    register_heif_opener()
