"""File parsers: bytes of a supported type in, memories to write out (blocking; run in a worker)."""

from __future__ import annotations

import logging
import re
from pathlib import PurePath

from core.errors import CorruptFile, UnsupportedFile, UserError
from core.ingestion.chunking import chunk_text
from core.ingestion.csv_files import (
    csv_table,
    flattened_rows,
    is_question_answer,
    question_answer_records,
    read_rows,
)
from core.ingestion.decoding import decode_text
from core.ingestion.json_files import flattened, is_structured, load_json, structured_records
from core.ingestion.office_files import docx_paragraphs, pdf_text
from core.ingestion.records import ParseOptions, Records
from core.ingestion.scanned_pdf import has_text, read_scanned_pages
from core.models import Kind, NewMemory
from core.text import storable

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS = (".txt", ".md", ".json", ".csv", ".pdf", ".docx")
DOCUMENT_IMPORTANCE = 0.5
_MAX_TITLE_CHARS = 200
_FIRST_LINE = re.compile(r"[^\r\n]*[^\s#][^\r\n]*")


def extension_of(name: str) -> str:
    """The lower-cased extension of a file name."""
    return PurePath(name).suffix.lower()


def check_supported(name: str) -> None:
    """Raise UnsupportedFile unless `name` has a readable extension."""
    if extension_of(name) not in SUPPORTED_EXTENSIONS:
        raise UnsupportedFile(name=name)


def parse_file(name: str, data: bytes, options: ParseOptions) -> list[NewMemory]:
    """The memories a file yields; raises UnsupportedFile or CorruptFile (with a message key), never anything else."""
    check_supported(name)
    parser = {
        ".txt": _parse_text,
        ".md": _parse_text,
        ".json": _parse_json,
        ".csv": _parse_csv,
        ".pdf": _parse_pdf,
        ".docx": _parse_docx,
    }[extension_of(name)]
    try:
        memories = [m for m in parser(data, options) if m.text.strip()]
    except UserError as error:  # the format readers leave the name empty: it is known here
        if not error.params.get("name"):
            error.params["name"] = name
        raise
    except (RecursionError, MemoryError, UnicodeError, ValueError, TypeError, LookupError) as error:
        log.warning("%s could not be parsed", name, exc_info=True)
        raise CorruptFile("file.unreadable", name=name) from error
    if not memories:
        raise CorruptFile("file.empty", name=name)
    return memories


def document_title(text: str) -> str:
    """A document's title: its first non-empty line when short enough to be one (Markdown `#` dropped)."""
    first = _FIRST_LINE.search(text)  # not splitlines(): a 20 MB text would be split whole, holding the GIL
    if first is None:
        return ""
    line = first.group(0).strip().lstrip("#").strip()
    return line if len(line) <= _MAX_TITLE_CHARS else ""


def _documents(text: str, options: ParseOptions, title: str = "", **metadata: object) -> list[NewMemory]:
    """Document chunks of `text`; each chunk that lacks the document's `title` carries it as context."""
    importance = options.importance if options.importance is not None else DOCUMENT_IMPORTANCE
    return [
        NewMemory(
            text=chunk,
            kind=Kind.DOCUMENT,
            importance=importance,
            source=options.source,
            author=options.author,
            metadata={**metadata, "chunk": i, **({"title": title} if title and title not in chunk else {})},
        )
        for i, chunk in enumerate(chunk_text(text, options.policy))
    ]


def _parse_text(data: bytes, options: ParseOptions) -> list[NewMemory]:
    text = decode_text(data)
    return _documents(text, options, title=document_title(text))


def _parse_json(data: bytes, options: ParseOptions) -> list[NewMemory]:
    document = load_json(decode_text(data))
    if is_structured(document):
        records = Records(options)
        structured_records(document, records)  # type: ignore[arg-type]
        for memory in records.memories:
            memory.text = storable(memory.text)  # "\ud800" or "\u0000" escapes decode to unstorable text
        return records.memories
    return _documents(storable("\n".join(flattened(document))), options)


def _parse_csv(data: bytes, options: ParseOptions) -> list[NewMemory]:
    rows = read_rows(decode_text(data))
    if not rows:
        return []
    header, table = csv_table(rows)
    if is_question_answer(header):
        records = Records(options)
        question_answer_records(header, table, records)
        return records.memories
    return _documents(flattened_rows(table), options)


def _parse_pdf(data: bytes, options: ParseOptions) -> list[NewMemory]:
    extracted = pdf_text(data)
    pages, pictures = extracted.pages, 0
    if options.scans is not None:
        pages, pictures = read_scanned_pages(data, pages, options.scans)
    pages = [storable(page) for page in pages]
    if not any(has_text(page) for page in pages):  # "nothing read" only where there were scans to read
        raise CorruptFile("file.pdf_nothing_read" if pictures else "file.pdf_no_text", name="")
    title = storable(extracted.title) or document_title(next((page for page in pages if page.strip()), ""))
    memories: list[NewMemory] = []
    for number, page in enumerate(pages, start=1):
        memories += _documents(page, options, title=title, page=number)
    for i, memory in enumerate(memories):
        memory.metadata["chunk"] = i
    return memories


def _parse_docx(data: bytes, options: ParseOptions) -> list[NewMemory]:
    parts = [storable(part) for part in docx_paragraphs(data)]
    return _documents("\n".join(parts), options, title=document_title(parts[0]) if parts else "")
