"""Each supported file type yields the memories the guide describes; bad files fail clearly."""

import io
import json

import pytest

from core.errors import CorruptFile, UnsupportedFile
from core.ingestion.parsers import ParseOptions, parse_file
from core.models import Kind

OPTIONS = ParseOptions(source="f")


def test_text_and_markdown_become_document_chunks():
    memories = parse_file("notes.md", b"# Title\n\nMy dog is named Rex. He likes bones.", OPTIONS)
    assert [m.kind for m in memories] == [Kind.DOCUMENT]
    assert "Rex" in memories[0].text
    assert memories[0].importance == 0.5


def test_structured_json_keeps_importance_tags_and_kinds():
    data = {
        "conversations": [
            {"user": "Who am I?", "assistant": "You are Ana.", "importance": 0.9, "tags": ["me"]}
        ],
        "facts": [{"text": "Ana lives in Lyon.", "importance": 0.7, "category": "home"}],
    }
    memories = parse_file("backup.json", json.dumps(data).encode(), OPTIONS)
    conversation, fact = memories
    assert (
        conversation.kind == Kind.CONVERSATION
        and conversation.importance == 0.9
        and conversation.tags == ["me"]
    )
    assert "Who am I?" in conversation.text and "You are Ana." in conversation.text
    assert fact.kind == Kind.FACT and fact.importance == 0.7 and fact.tags == ["home"]


def test_other_json_is_flattened_to_its_strings():
    data = {"person": {"name": "Zoé", "city": "Nantes"}, "pets": ["cat"]}
    (memory,) = parse_file("x.json", json.dumps(data).encode(), OPTIONS)
    assert "Zoé" in memory.text and "Nantes" in memory.text and "cat" in memory.text


def test_csv_with_question_answer_columns():
    data = "question,answer,importance\nCapital of France?,Paris,0.9\nBest cheese?,Comté,\n"
    memories = parse_file("qa.csv", data.encode(), OPTIONS)
    assert len(memories) == 2
    assert memories[0].importance == 0.9 and "Paris" in memories[0].text
    assert memories[1].importance == 0.6


def test_other_csv_rows_are_flattened():
    (memory,) = parse_file("t.csv", b"name;age\nLuc;40\nMia;7\n", OPTIONS)
    assert "name: Luc" in memory.text and "age: 7" in memory.text


def test_pdf_text_is_extracted():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 10, "The boiler was serviced in March. The plumber is called Marc.")
    memories = parse_file("house.pdf", bytes(pdf.output()), OPTIONS)
    assert "plumber is called Marc" in " ".join(m.text for m in memories)
    assert memories[0].metadata["page"] == 1


def test_docx_paragraphs_and_tables_are_extracted():
    from docx import Document

    document = Document()
    document.add_paragraph("Grandma's recipe needs three eggs.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Flour"
    table.rows[0].cells[1].text = "200 g"
    buffer = io.BytesIO()
    document.save(buffer)
    text = " ".join(m.text for m in parse_file("recipe.docx", buffer.getvalue(), OPTIONS))
    assert "three eggs" in text and "Flour | 200 g" in text


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("broken.pdf", b"%PDF-1.4 garbage"),
        ("broken.docx", b"not a zip"),
        ("bad.json", b"{oops"),
        ("empty.txt", b"   "),
        ("binary.txt", b"\x00\x01\x02\x03"),
    ],
)
def test_corrupt_files_raise_corrupt_file(name, data):
    with pytest.raises(CorruptFile):
        parse_file(name, data, OPTIONS)


def test_unsupported_type_raises_unsupported_file():
    with pytest.raises(UnsupportedFile):
        parse_file("photo.png", b"\x89PNG", OPTIONS)


def test_caller_importance_applies_to_document_chunks():
    memories = parse_file("a.txt", b"Fact one. Fact two.", ParseOptions(source="a", importance=0.3))
    assert all(m.importance == 0.3 for m in memories)


def test_later_chunks_carry_the_document_title_as_context():
    body = " ".join(f"Clause {i} says the rent is due on day {i} of the month." for i in range(1, 40))
    memories = parse_file("lease.txt", f"Apartment lease\n\n{body}".encode(), OPTIONS)
    assert len(memories) > 2
    assert "title" not in memories[0].metadata, "the first chunk already holds the title"
    assert {m.metadata.get("title") for m in memories[1:]} == {"Apartment lease"}
    markdown = parse_file("lease.md", f"# Apartment lease\n\n{body}".encode(), OPTIONS)
    assert all(m.text.startswith("# Apartment lease\n") for m in markdown), "a Markdown heading is in the text"


def test_a_first_line_too_long_to_be_a_title_gives_no_context():
    text = ("word " * 100 + "\n") * 20
    assert all("title" not in m.metadata for m in parse_file("long.txt", text.encode(), OPTIONS))


def test_large_text_decodes_exactly_across_slice_boundaries():
    text = "Crème brûlée, 😀 et l'été. " * 60_000  # > 1 MB, multi-byte characters straddle the slices
    memories = parse_file("big.txt", text.encode(), OPTIONS)
    assert "".join(m.text for m in memories).count("😀") >= 60_000
    assert all("\ufffd" not in m.text for m in memories)
