"""CSV files: question/answer rows (validated whole) or any other table flattened to text."""

from __future__ import annotations

import csv
import io

from core.errors import CorruptFile
from core.ingestion.records import Records, importance_of, tags_of

_SNIFF_CHARS = 4096
_SHOWN_VALUE_CHARS = 40


def read_rows(text: str) -> list[list[str]]:
    """Every row of a CSV text (`,` `;` or tab delimited, quoted newlines allowed); blank rows dropped."""
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:_SNIFF_CHARS], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect=dialect)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
    except csv.Error as error:
        raise CorruptFile("file.csv_invalid", name="", line=reader.line_num, limit=csv.field_size_limit()) from error
    return rows


def csv_table(rows: list[list[str]]) -> tuple[list[str], list[dict[str, str]]]:
    """The header and each row as a dict; a row with fewer or more fields than the header is refused."""
    header = [name.strip() for name in rows[0]]
    records: list[dict[str, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise CorruptFile("file.csv_ragged", name="", line=number, found=len(row), expected=len(header))
        records.append(dict(zip(header, row, strict=True)))
    return header, records


def is_question_answer(header: list[str]) -> bool:
    """Whether the table has the guide's question and answer columns."""
    names = {name.lower() for name in header}
    return "question" in names and "answer" in names


def question_answer_records(header: list[str], rows: list[dict[str, str]], records: Records) -> None:
    """Add one conversation per row; an empty question or a bad importance refuses the whole file."""
    column = {name.lower(): name for name in header}
    for number, row in enumerate(rows, start=2):
        question = row[column["question"]].strip()
        answer = row[column["answer"]].strip()
        if not question:
            raise CorruptFile("file.csv_missing_question", name="", line=number)
        raw = row.get(column.get("importance", ""), "").strip()
        importance = importance_of(raw) if raw else records.conversation_importance
        if importance is None:
            shown = raw if len(raw) <= _SHOWN_VALUE_CHARS else raw[: _SHOWN_VALUE_CHARS - 1] + "…"
            raise CorruptFile("file.csv_bad_importance", name="", line=number, value=shown)
        records.conversation(question, answer, importance, tags_of(row.get(column.get("tags", ""), "")))


def flattened_rows(rows: list[dict[str, str]]) -> str:
    """Each row as `column: value; ...` on its own line."""
    return "\n".join(
        "; ".join(f"{k}: {v.strip()}" for k, v in row.items() if k and v.strip()) + "." for row in rows
    )
