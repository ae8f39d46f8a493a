"""JSON files: the guide's structured format (validated whole) or any other JSON flattened to text."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

from core.errors import CorruptFile
from core.ingestion.records import Records, importance_of, tags_of
from core.models import Kind

_SHOWN_VALUE_CHARS = 40


def load_json(text: str) -> object:
    """Parse JSON text; refuses duplicate keys, NaN/Infinity literals and nesting the parser cannot follow."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except RecursionError as error:
        raise CorruptFile("file.json_too_deep", name="") from error
    except json.JSONDecodeError as error:
        raise CorruptFile("file.json_invalid", name="", line=error.lineno, column=error.colno) from error


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """An object from its pairs; a key given twice is ambiguous, so the file is refused."""
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            raise CorruptFile("file.json_duplicate_key", name="", duplicate=_shown(key))
        seen[key] = value
    return seen


def _no_constant(name: str) -> object:
    """NaN and Infinity are not JSON."""
    raise CorruptFile("file.json_not_a_number", name="", value=name)


def _shown(value: object) -> str:
    """A value as quoted in a message: short, on one line."""
    text = value if isinstance(value, str) else json.dumps(value)
    text = " ".join(str(text).split())
    return text if len(text) <= _SHOWN_VALUE_CHARS else text[: _SHOWN_VALUE_CHARS - 1] + "…"


def is_structured(document: object) -> bool:
    """Whether `document` uses the guide's format (an object with `conversations` or `facts`)."""
    return isinstance(document, dict) and ("conversations" in document or "facts" in document)


def structured_records(document: dict, records: Records) -> None:
    """Add every conversation and fact to `records`; any malformed entry refuses the whole file."""
    for index, item in enumerate(_entries(document, "conversations")):
        where = f"conversations[{index}]"
        if not isinstance(item, dict):
            raise CorruptFile("file.entry_not_object", name="", where=where)
        user = _text_field(item, "user", where)
        assistant = _text_field(item, "assistant", where, required=False)
        importance = _importance(item, where, records.conversation_importance)
        records.conversation(user, assistant, importance, tags_of(item.get("tags")))
    for index, item in enumerate(_entries(document, "facts")):
        where = f"facts[{index}]"
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict):
            raise CorruptFile("file.entry_not_object", name="", where=where)
        text = _text_field(item, "text", where)
        kind = _kind(item.get("kind"), Kind.FACT)
        tags = tags_of(item.get("tags")) or tags_of(item.get("category"))
        records.record(text, kind, _importance(item, where, records.fact_importance), tags)


def _entries(document: dict, field: str) -> list:
    """The list under `field` (absent or null: none); anything else is refused, never iterated."""
    value = document.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        raise CorruptFile("file.field_not_list", name="", field=field)
    return value


def _text_field(item: dict, field: str, where: str, *, required: bool = True) -> str:
    """A non-empty string field of an entry."""
    value = item.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
        raise CorruptFile("file.entry_missing_text", name="", where=where, field=field)
    return str(value).strip()


def _importance(item: dict, where: str, default: float) -> float:
    """An entry's importance: absent or null means the default; otherwise a number from 0 to 1."""
    value = item.get("importance")
    if value is None:
        return default
    number = importance_of(value)
    if number is None:
        raise CorruptFile("file.bad_importance", name="", where=where, value=_shown(value))
    return number


def _kind(value: object, default: Kind) -> Kind:
    """A memory kind named in a file, or `default`."""
    try:
        return Kind(str(value))
    except ValueError:
        return default


def flattened(document: object) -> Iterator[str]:
    """Every string (and number) inside any JSON value, depth first, keys as labels (iterative: no recursion)."""
    stack: list[tuple[str | None, object]] = [(None, document)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((None, item) for item in reversed(value))
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                continue
            yield f"{key}: {value}." if key is not None else f"{value}."
