"""Pages of a PDF that have no text layer (a phone scanner's pages are pictures), read by OCR in page order."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from core.errors import CorruptFile, FileTooLarge
from core.ingestion.ocr import ImageReader

log = logging.getLogger(__name__)

_LETTER_OR_DIGIT = re.compile(r"\w")
IMAGES_PER_PAGE = 4


@dataclass(frozen=True)
class ScanReading:
    """How pages without text are read: the OCR engine, the most such pages per PDF, a progress callback."""

    reader: ImageReader
    max_pages: int = 30
    progress: Callable[[int, int], None] | None = None


def has_text(page: str) -> bool:
    """True when a page's text layer holds at least a few letters or digits (not only stray marks)."""
    return len(_LETTER_OR_DIGIT.findall(page)) >= 3


def read_scanned_pages(data: bytes, pages: list[str], scans: ScanReading) -> tuple[list[str], int]:
    """`pages` with each page that lacks text replaced by what OCR reads on its pictures (blocking),
    and how many pictures were read.

    More scanned pages than `scans.max_pages` refuses the whole file (a document goes in whole or
    not at all); each page read is reported through `scans.progress(done, total)`.
    """
    wanted = [number for number, page in enumerate(pages) if not has_text(page)]
    if not wanted:
        return pages, 0
    if len(wanted) > scans.max_pages:
        raise FileTooLarge(key="file.pdf_too_many_scans", name="", pages=len(wanted), limit=scans.max_pages)
    out = list(pages)
    pictures = 0
    for done, number in enumerate(wanted, start=1):
        images = _page_images(data, number)
        pictures += len(images)
        texts = [scans.reader.read(f"page {number + 1}", image).text for image in images]
        out[number] = "\n\n".join(text for text in texts if text.strip())
        if scans.progress:
            scans.progress(done, len(wanted))
    return out, pictures


def _page_images(data: bytes, number: int) -> list[bytes]:
    """The pictures drawn on page `number` (at most IMAGES_PER_PAGE), each as bytes Pillow can open."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        page = PdfReader(io.BytesIO(data)).pages[number]
        images = list(page.images)[:IMAGES_PER_PAGE]
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as error:
        log.warning("the pictures of PDF page %d could not be listed: %s", number + 1, error)
        return []
    out: list[bytes] = []
    for image in images:
        try:
            out.append(_as_openable(image))
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, CorruptFile) as error:
            log.warning("a picture of PDF page %d could not be decoded: %s", number + 1, error)
    return out


def _as_openable(image) -> bytes:
    """The picture's own bytes when Pillow reads that format (JPEG, PNG, TIFF), else re-encoded as PNG."""
    if image.name.lower().endswith((".jpg", ".jpeg", ".png", ".tif", ".tiff", ".jp2")):
        return image.data
    out = io.BytesIO()
    image.image.save(out, format="PNG")
    return out.getvalue()
