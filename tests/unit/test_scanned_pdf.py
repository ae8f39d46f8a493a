"""A PDF from a phone scanner app (pages that are pictures) is read by OCR, page by page, in order."""

from __future__ import annotations

import pytest

from bench.phone_media import scanned_pdf
from core.errors import CorruptFile, FileTooLarge
from core.ingestion.ocr import TesseractReader
from core.ingestion.parsers import ParseOptions, parse_file
from core.ingestion.scanned_pdf import ScanReading

FIRST = ("Chaudière révisée le 12 mars", "par Marc, le plombier de Lannion.")
THIRD = ("Toiture refaite en 2019", "par l'entreprise Kerbrat.")


@pytest.fixture(scope="module")
def reader() -> TesseractReader:
    return TesseractReader()


def _text(memories) -> str:
    return " ".join(m.text for m in memories)


def test_scanned_pages_are_read_in_page_order_with_progress(reader):
    seen: list[tuple[int, int]] = []
    data = scanned_pdf([FIRST, THIRD])
    options = ParseOptions(source="scan.pdf", scans=ScanReading(reader, progress=lambda *p: seen.append(p)))
    memories = parse_file("scan.pdf", data, options)
    text = _text(memories)
    assert "plombier" in text and "Kerbrat" in text
    assert text.index("plombier") < text.index("Kerbrat")
    assert [m.metadata["page"] for m in memories] == sorted(m.metadata["page"] for m in memories)
    assert {m.metadata["page"] for m in memories} == {1, 2}
    assert seen == [(1, 2), (2, 2)]


def test_a_pdf_mixing_typed_and_scanned_pages_keeps_both(reader):
    typed = "Typed page: the spare boiler key hangs in the garage."
    data = scanned_pdf([FIRST, (), THIRD], text_pages={1: typed})
    memories = parse_file("mixed.pdf", data, ParseOptions(source="mixed.pdf", scans=ScanReading(reader)))
    by_page = {m.metadata["page"]: m.text for m in memories}
    assert "plombier" in by_page[1] and "spare boiler key" in by_page[2] and "Kerbrat" in by_page[3]


def test_more_scanned_pages_than_the_limit_refuses_the_whole_file(reader):
    data = scanned_pdf([FIRST, THIRD, FIRST])
    options = ParseOptions(source="long.pdf", scans=ScanReading(reader, max_pages=2))
    with pytest.raises(FileTooLarge) as refused:
        parse_file("long.pdf", data, options)
    assert refused.value.key == "file.pdf_too_many_scans"
    assert refused.value.params["pages"] == 3 and refused.value.params["limit"] == 2


def test_without_ocr_a_scanned_pdf_is_refused_as_having_no_text():
    with pytest.raises(CorruptFile) as refused:
        parse_file("scan.pdf", scanned_pdf([FIRST]), ParseOptions(source="scan.pdf"))
    assert refused.value.key == "file.pdf_no_text"


def test_a_scan_of_blank_pages_says_nothing_was_read(reader):
    with pytest.raises(CorruptFile) as refused:
        parse_file("blank.pdf", scanned_pdf([("",)]), ParseOptions(source="blank.pdf", scans=ScanReading(reader)))
    assert refused.value.key == "file.pdf_nothing_read"
