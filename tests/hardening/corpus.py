"""A corpus of good and bad files, made at test time (nothing binary is committed)."""

from __future__ import annotations

import codecs
import io
import json
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Case:
    """One file of the corpus: what it is called, its bytes, and whether it must be accepted.

    `probe` is a word only this file contains: an accepted file must be found by it afterwards.
    `key` is the message key a refused file must be answered with (None when several are fair).
    `chat_name` is the name a chat platform would report, when it differs from a possible file name.
    """

    name: str
    data: bytes
    accepted: bool
    probe: str = ""
    key: str | None = None
    chat_name: str | None = None
    absent: str = ""  # text that must never be stored (NUL bytes, lone surrogates)

    @property
    def sent_name(self) -> str:
        """The name given to the chat path."""
        return self.chat_name or self.name


def _pdf(text: str | None) -> bytes:
    """A one-page PDF with `text` on it, or with only a drawn rectangle (no text layer)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    if text is None:
        pdf.rect(20, 20, 100, 60, style="F")
    else:
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())


def _encrypted_pdf(text: str, user_password: str) -> bytes:
    """A PDF encrypted with AES, opened by `user_password` (the empty password is the usual case)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf(text))))
    writer.encrypt(user_password=user_password, owner_password="owner-only-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx(paragraphs: list[str]) -> bytes:
    """A Word document with these paragraphs."""
    from docx import Document

    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_bomb(unpacked_bytes: int) -> bytes:
    """A valid-looking .docx whose document.xml inflates to `unpacked_bytes` of tiny paragraphs."""
    template = zipfile.ZipFile(io.BytesIO(_docx(["x"])))
    out = io.BytesIO()
    paragraph = b"<w:p><w:r><w:t>boom</w:t></w:r></w:p>" * 4096
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in template.infolist():
            if info.filename != "word/document.xml":
                bomb.writestr(info.filename, template.read(info.filename))
        head, _, tail = template.read("word/document.xml").partition(b"<w:body>")
        with bomb.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head + b"<w:body>")
            for _ in range(unpacked_bytes // len(paragraph)):
                member.write(paragraph)
            member.write(tail)
    return out.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    """A plain zip archive."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


def build_corpus() -> list[Case]:
    """Every case: valid files that used to be mishandled, and bad files that must be refused cleanly."""
    rng = random.Random(17)
    long_line = ("tokfoxtrot-" + "lorem-ipsum-" * (5 * 1024 * 1024 // 12)).encode()
    paragraphs = ["Rainfall report"] + [
        f"Paragraph {i} records the rainfall of week {i} in millimetres." for i in range(1, 10_000)
    ]
    paragraphs[5000] = "The gauge keeper toklima reads it every morning."
    valid_pdf = _pdf("The boiler tokpdfwhole was serviced in March by Marc.")
    return [
        # Text that must be decoded, cleaned and kept.
        Case(
            "utf16_bom.txt",
            codecs.BOM_UTF16_LE + "Le jardin tokalpha est à Quimper.".encode("utf-16-le"),
            True,
            "tokalpha",
        ),
        Case(
            "utf16_bom.md",
            codecs.BOM_UTF16_BE + "# Notes\nLa clé tokbravo est sous le pot.".encode("utf-16-be"),
            True,
            "tokbravo",
        ),
        Case(
            "latin1_french.txt",
            "Élodie a rangé tokcharlie près de la fenêtre.".encode("latin-1"),
            True,
            "tokcharlie",
        ),
        Case(
            "nul_bytes.txt",
            b"The garage code\x00 is tokdelta.\x00\x00 Keep it safe.",
            True,
            "tokdelta",
            absent="\x00",
        ),
        Case(
            "invalid_utf8.txt",
            "Le café tokecho ouvre le dimanche".encode() + b" \xff\xfe fin.",
            True,
            "tokecho",
        ),
        Case("long_line.txt", long_line, True, "tokfoxtrot"),
        Case(
            "not_an_object.json",
            _json(["tokgolf is the first item", 42, {"nested": "value"}]),
            True,
            "tokgolf",
        ),
        Case(
            "lone_surrogate.json",
            b'{"facts": ["The vault tokquebec opens \\ud800 at noon \\u0000."]}',
            True,
            "tokquebec",
            absent="\ud800",
        ),
        Case(
            "bom_semicolon.csv",
            codecs.BOM_UTF8 + b"question;answer;importance\nWhere is tokhotel?;In the attic;0.8\n",
            True,
            "tokhotel",
        ),
        Case(
            "quoted_newlines.csv",
            b'question,answer\n"Where is\ntokindia kept?","In the\nbarn"\n',
            True,
            "tokindia",
        ),
        Case(
            "formula.csv",
            b'question,answer\n=HYPERLINK("http://evil"),tokjuliet is =1+1\n',
            True,
            "tokjuliet",
        ),
        Case(
            "encrypted_empty_password.pdf",
            _encrypted_pdf("The safe tokkilo is behind the painting.", ""),
            True,
            "tokkilo",
        ),
        Case("ten_thousand_paragraphs.docx", _docx(paragraphs), True, "toklima"),
        Case("emoji_🦊_notes.txt", b"The fox tokmike lives in the woods.", True, "tokmike"),
        Case("new\nline.txt", b"The line tokxray is broken in two.", True, "tokxray"),
        Case(
            "escape.txt",
            b"The escape tokyankee route goes north.",
            True,
            "tokyankee",
            chat_name="../../../etc/escape.txt",
        ),
        Case("good.md", b"# Garden\nThe tomatoes tokpapa grow along the south wall.", True, "tokpapa"),
        Case(
            "good_structured.json",
            _json({"facts": [{"text": "The cat tokromeo sleeps upstairs.", "importance": 0.9}]}),
            True,
            "tokromeo",
        ),
        Case("good.pdf", valid_pdf, True, "tokpdfwhole"),
        # Bad files: refused whole, with one clear line.
        Case("empty.txt", b"", False, key="file.empty"),
        Case("whitespace.md", b"  \n\t \r\n  ", False, key="file.empty"),
        Case("binary.txt", rng.randbytes(64 * 1024), False, key="file.binary"),
        Case("deep.json", b"[" * 10_000 + b"]" * 10_000, False, key="file.json_too_deep"),
        Case(
            "importance_high.json",
            _json({"facts": [{"text": "tokbad1 high", "importance": "high"}]}),
            False,
            key="file.bad_importance",
        ),
        Case(
            "importance_7.json",
            _json({"facts": [{"text": "tokbad2 seven", "importance": 7}]}),
            False,
            key="file.bad_importance",
        ),
        Case(
            "importance_negative.json",
            _json({"conversations": [{"user": "tokbad3?", "assistant": "x", "importance": -1}]}),
            False,
            key="file.bad_importance",
        ),
        Case(
            "importance_nan.json",
            b'{"facts": [{"text": "tokbad4 nan", "importance": NaN}]}',
            False,
            key="file.json_not_a_number",
        ),
        Case(
            "facts_string.json",
            _json({"facts": "abcdefghijklmnopqrstuvwxyz"}),
            False,
            key="file.field_not_list",
        ),
        Case(
            "facts_object.json",
            _json({"facts": {"text": "tokbad5 object"}}),
            False,
            key="file.field_not_list",
        ),
        Case(
            "missing_text.json",
            _json({"facts": [{"text": "tokbad6 fine"}, {"importance": 0.5}]}),
            False,
            key="file.entry_missing_text",
        ),
        Case(
            "duplicate_keys.json",
            b'{"facts": ["tokbad7 one"], "facts": ["tokbad7 two"]}',
            False,
            key="file.json_duplicate_key",
        ),
        Case("truncated.json", b'{"facts": [{"text": "tokbad8 cut', False, key="file.json_invalid"),
        Case(
            "missing_column.csv",
            b"question,answer,importance\nWhere tokbad9?,There\n",
            False,
            key="file.csv_ragged",
        ),
        Case(
            "extra_column.csv",
            b"question,answer\nWhere tokbad10?,There,extra\n",
            False,
            key="file.csv_ragged",
        ),
        Case(
            "importance_range.csv",
            b"question,answer,importance\nWhere tokbad11?,There,7\n",
            False,
            key="file.csv_bad_importance",
        ),
        Case("huge_cell.csv", b'note\n"' + b"tokbad12 " * 20_000 + b'"\n', False, key="file.csv_invalid"),
        Case(
            "text_renamed.pdf", b"Just some text tokbad13, not a PDF at all.", False, key="file.pdf_invalid"
        ),
        Case("truncated.pdf", valid_pdf[: len(valid_pdf) // 3], False),
        Case(
            "encrypted_password.pdf",
            _encrypted_pdf("tokbad14 is secret.", "hunter2"),
            False,
            key="file.pdf_protected",
        ),
        Case("scanned.pdf", _pdf(None), False, key="file.pdf_no_text"),
        Case("bomb.docx", _docx_bomb(300 * 1024 * 1024), False, key="file.archive_too_large"),
        Case("random_zip.docx", _zip({"readme.txt": b"tokbad15 not word"}), False, key="file.docx_invalid"),
        Case("program.exe", b"MZ\x90\x00" + rng.randbytes(2048), False, key="error.unsupported_file"),
        Case("backup.7z", b"7z\xbc\xaf\x27\x1c" + rng.randbytes(512), False, key="error.unsupported_file"),
    ]


def write_corpus(directory: Path, cases: list[Case]) -> None:
    """Write each case under `directory`, plus a link to a file outside it (which must not be followed)."""
    directory.mkdir(parents=True, exist_ok=True)
    for case in cases:
        (directory / case.name).write_bytes(case.data)
    (directory / "outside_link.txt").symlink_to("/etc/passwd")
