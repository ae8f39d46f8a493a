"""File parsers: bytes of a supported type in, memories to write out (blocking; run in a worker)."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from core.errors import CorruptFile, UnsupportedFile
from core.ingestion.chunking import ChunkPolicy, chunk_text
from core.models import Kind, NewMemory

SUPPORTED_EXTENSIONS = (".txt", ".md", ".json", ".csv", ".pdf", ".docx")
DOCUMENT_IMPORTANCE = 0.5
CONVERSATION_IMPORTANCE = 0.6
FACT_IMPORTANCE = 0.7
_MAX_RECORD_CHARS = 2000
_MAX_TITLE_CHARS = 200
_DECODE_SLICE = 1 << 20
_FIRST_LINE = re.compile(r"[^\r\n]*[^\s#][^\r\n]*")


@dataclass
class ParseOptions:
    """What the caller decided about the memories a file yields."""

    source: str
    author: str = ""
    importance: float | None = None
    policy: ChunkPolicy = field(default_factory=ChunkPolicy)


def extension_of(name: str) -> str:
    """The lower-cased extension of a file name."""
    return PurePath(name).suffix.lower()


def check_supported(name: str) -> None:
    """Raise UnsupportedFile unless `name` has a readable extension."""
    if extension_of(name) not in SUPPORTED_EXTENSIONS:
        raise UnsupportedFile(name=name)


def parse_file(name: str, data: bytes, options: ParseOptions) -> list[NewMemory]:
    """The memories a file yields; raises UnsupportedFile or CorruptFile, never anything else."""
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
        memories = parser(data, options)
    except (CorruptFile, UnsupportedFile):
        raise
    except Exception as error:  # a parser library's own failure is a property of the file
        raise CorruptFile(name=name) from error
    if not memories:
        raise CorruptFile(key="error.corrupt_file_no_text", name=name)
    return memories


def _decode(data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), else Windows-1252."""
    if b"\x00" in data[:4096]:
        raise CorruptFile(key="error.corrupt_file_binary", name="")
    try:
        return _decode_in_slices(data, "utf-8-sig")
    except UnicodeDecodeError:
        return _decode_in_slices(data, "cp1252", errors="replace")


def _decode_in_slices(data: bytes, encoding: str, errors: str = "strict") -> str:
    """`data.decode(encoding)`, 1 MB at a time: one call on 20 MB holds the GIL for ~50-100 ms."""
    decoder = codecs.getincrementaldecoder(encoding)(errors)
    parts = [decoder.decode(data[start : start + _DECODE_SLICE]) for start in range(0, len(data), _DECODE_SLICE)]
    parts.append(decoder.decode(b"", final=True))
    return "".join(parts)


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
    text = _decode(data)
    return _documents(text, options, title=document_title(text))


def _importance(value: object, default: float, options: ParseOptions) -> float:
    """A record's importance: its own if valid, else the caller's, else the kind's default."""
    try:
        number = float(value)  # type: ignore[arg-type]
        if 0.0 <= number <= 1.0:
            return number
    except (TypeError, ValueError):
        pass
    return options.importance if options.importance is not None else default


def _tags(value: object) -> list[str]:
    """Tags from a list or a comma-separated string."""
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    if isinstance(value, list):
        return [str(t) for t in value if str(t).strip()]
    return []


def _record(
    text: str, kind: Kind, importance: float, tags: list[str], options: ParseOptions
) -> list[NewMemory]:
    """One memory for a structured record (chunked only if it is very long)."""
    if len(text) <= _MAX_RECORD_CHARS:
        return [
            NewMemory(
                text=text,
                kind=kind,
                importance=importance,
                tags=tags,
                source=options.source,
                author=options.author,
            )
        ]
    return [
        NewMemory(
            text=chunk,
            kind=kind,
            importance=importance,
            tags=tags,
            source=options.source,
            author=options.author,
            metadata={"chunk": i},
        )
        for i, chunk in enumerate(chunk_text(text, options.policy))
    ]


def conversation_text(user: str, assistant: str) -> str:
    """How a question/answer pair is stored."""
    return f"User: {user.strip()}\nAssistant: {assistant.strip()}"


def _parse_json(data: bytes, options: ParseOptions) -> list[NewMemory]:
    try:
        document = json.loads(_decode(data))
    except json.JSONDecodeError as error:
        raise CorruptFile(key="error.corrupt_file_json", name=options.source, line=error.lineno) from error
    if isinstance(document, dict) and ("conversations" in document or "facts" in document):
        return _parse_structured(document, options)
    return _documents("\n".join(_strings(document)), options)


def _parse_structured(document: dict, options: ParseOptions) -> list[NewMemory]:
    """The guide's format: `conversations` [user, assistant, importance, tags], `facts` [text, importance, category]."""
    memories: list[NewMemory] = []
    for item in document.get("conversations") or []:
        if not isinstance(item, dict) or not str(item.get("user", "")).strip():
            continue
        text = conversation_text(str(item.get("user", "")), str(item.get("assistant", "")))
        importance = _importance(item.get("importance"), CONVERSATION_IMPORTANCE, options)
        memories += _record(text, Kind.CONVERSATION, importance, _tags(item.get("tags")), options)
    for item in document.get("facts") or []:
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict) or not str(item.get("text", "")).strip():
            continue
        kind = _kind(item.get("kind"), Kind.FACT)
        tags = _tags(item.get("tags")) or _tags(item.get("category"))
        importance = _importance(item.get("importance"), FACT_IMPORTANCE, options)
        memories += _record(str(item["text"]).strip(), kind, importance, tags, options)
    return memories


def _kind(value: object, default: Kind) -> Kind:
    """A memory kind named in a file, or `default`."""
    try:
        return Kind(str(value))
    except ValueError:
        return default


def _strings(value: object) -> Iterator[str]:
    """Every string (and number) inside a JSON value, depth first, keys as labels."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                yield f"{key}: {item}."
            else:
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield f"{value}."


def _parse_csv(data: bytes, options: ParseOptions) -> list[NewMemory]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    if not rows:
        return []
    columns = {name.strip().lower(): name for name in rows[0] if name}
    if "question" in columns and "answer" in columns:
        memories: list[NewMemory] = []
        for row in rows:
            question = (row.get(columns["question"]) or "").strip()
            answer = (row.get(columns["answer"]) or "").strip()
            if not question:
                continue
            importance = _importance(row.get(columns.get("importance", "")), CONVERSATION_IMPORTANCE, options)
            tags = _tags(row.get(columns.get("tags", ""), ""))
            memories += _record(
                conversation_text(question, answer), Kind.CONVERSATION, importance, tags, options
            )
        return memories
    lines = ["; ".join(f"{k}: {v}" for k, v in row.items() if k and v) + "." for row in rows]
    return _documents("\n".join(lines), options)


def _parse_pdf(data: bytes, options: ParseOptions) -> list[NewMemory]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise CorruptFile(key="error.corrupt_file_pdf_protected", name=options.source)
        pages = [page.extract_text() or "" for page in reader.pages]
    except PdfReadError as error:
        raise CorruptFile(key="error.corrupt_file_pdf", name=options.source) from error
    title = str(reader.metadata.title or "").strip() if reader.metadata else ""
    title = title or document_title(next((page for page in pages if page.strip()), ""))
    memories: list[NewMemory] = []
    for number, page in enumerate(pages, start=1):
        memories += _documents(page, options, title=title, page=number)
    for i, memory in enumerate(memories):
        memory.metadata["chunk"] = i
    if not memories:
        raise CorruptFile(key="error.corrupt_file_scanned", name=options.source)
    return memories


def _parse_docx(data: bytes, options: ParseOptions) -> list[NewMemory]:
    import zipfile

    from docx import Document as load_docx

    try:
        document = load_docx(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise CorruptFile(key="error.corrupt_file_docx", name=options.source) from error
    parts = [p.text for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            if cells:
                parts.append(" | ".join(cells) + ".")
    return _documents("\n".join(parts), options, title=document_title(parts[0]) if parts else "")
