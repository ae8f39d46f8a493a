"""Every user-facing message, by language, gathered from one module per topic."""

from __future__ import annotations

from types import ModuleType

from core.i18n.messages import access, chat, intake, memory, problems

TOPICS: tuple[ModuleType, ...] = (problems, intake, access, memory, chat)
"""Each holds `EN` and `FR`: the messages of one topic; a key's prefix says its topic."""


def gather(tables: list[dict[str, str]]) -> dict[str, str]:
    """One language's messages from its topic tables; a key in two topics is a mistake."""
    merged: dict[str, str] = {}
    for table in tables:
        twice = merged.keys() & table.keys()
        if twice:
            raise ValueError(f"message keys in two topics: {sorted(twice)}")
        merged.update(table)
    return merged


MESSAGES: dict[str, dict[str, str]] = {
    "en": gather([topic.EN for topic in TOPICS]),
    "fr": gather([topic.FR for topic in TOPICS]),
}
