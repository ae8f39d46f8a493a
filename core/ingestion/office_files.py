"""PDF and Word files: their text, with encryption, damage and decompression bombs refused clearly."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from core.errors import CorruptFile


@dataclass(frozen=True)
class ArchiveLimits:
    """How much a .docx may unpack to, checked on its zip directory before anything is inflated."""

    max_members: int = 5_000
    max_total_bytes: int = 256 * 1024 * 1024
    max_xml_bytes: int = 32 * 1024 * 1024


@dataclass
class PdfText:
    """The text of each page and the document title."""

    pages: list[str]
    title: str


def pdf_text(data: bytes) -> PdfText:
    """Extract every page's text (empty for a scanned page); an empty user password is tried, as PDF readers do."""
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import LimitReachedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise CorruptFile("file.pdf_protected", name="")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str(reader.metadata.title or "").strip() if reader.metadata else ""
    except CorruptFile:
        raise
    except LimitReachedError as error:
        raise CorruptFile("file.archive_too_large", name="", limit=_megabytes(75_000_000)) from error
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as error:
        raise CorruptFile("file.pdf_invalid", name="") from error
    return PdfText(pages, title)


def check_archive(data: bytes, limits: ArchiveLimits) -> None:
    """Refuse a zip whose directory promises too much (the sizes bound what zipfile will inflate)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise CorruptFile("file.docx_invalid", name="") from error
    if len(members) > limits.max_members:
        raise CorruptFile("file.docx_invalid", name="")
    total = sum(m.file_size for m in members)
    xml = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
    if total > limits.max_total_bytes or xml > limits.max_xml_bytes:
        raise CorruptFile("file.archive_too_large", name="", limit=_megabytes(limits.max_xml_bytes))


def docx_paragraphs(data: bytes, limits: ArchiveLimits = ArchiveLimits()) -> list[str]:
    """Non-empty paragraphs, then table rows (`a | b.`), of a Word document."""
    check_archive(data, limits)
    from docx import Document as load_docx

    try:
        document = load_docx(io.BytesIO(data))
        parts = [p.text for p in document.paragraphs if p.text.strip()]
        for table in document.tables:
            for row in table.rows:
                cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
                if cells:
                    parts.append(" | ".join(cells) + ".")
    except CorruptFile:
        raise
    except Exception as error:  # python-docx, lxml and zipfile each raise their own kinds for a broken file
        raise CorruptFile("file.docx_invalid", name="") from error
    return parts


def _megabytes(size: int) -> int:
    """Whole megabytes, for messages."""
    return size // (1024 * 1024)
