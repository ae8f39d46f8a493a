"""Building the chat prompt: persona, the retrieved memories with ids, the chat's recent turns."""

from __future__ import annotations

from core.llm import ChatMessage
from core.models import Interaction, Memory, SearchHit

LANGUAGE_NAMES = {"fr": "French", "en": "English"}


def describe(memory: Memory) -> str:
    """One line naming a memory for the model: id, kind, source."""
    source = f", from {memory.source}" if memory.source and memory.kind.value == "document" else ""
    return f"[#{memory.number}] ({memory.kind.value}{source})"


def memory_lines(hits: list[SearchHit]) -> tuple[list[str], list[int]]:
    """Lines for the retrieved memories, each correction placed before what it amends; and the ids used."""
    lines: list[str] = []
    used: list[int] = []
    for hit in hits:
        for correction in hit.corrected_by:
            if correction.id not in used:
                used.append(correction.id)
                lines.append(f"{describe(correction)} CORRECTION, overrides what follows: {correction.text}")
        if hit.memory.id in used:
            continue
        used.append(hit.memory.id)
        note = ""
        if hit.corrected_by:
            note = " (partly wrong: see correction " + ", ".join(f"#{c.number}" for c in hit.corrected_by) + ")"
        lines.append(f"{describe(hit.memory)}{note} {hit.memory.text}")
    return lines, used


def build_prompt(
    persona: str, language: str, hits: list[SearchHit], turns: list[Interaction], question: str
) -> tuple[list[ChatMessage], list[int]]:
    """The messages to send and the ids of the memories they contain."""
    lines, used = memory_lines(hits)
    system = persona.strip()
    system += (
        f"\nReply in {LANGUAGE_NAMES.get(language, 'English')} unless the user writes in another language."
    )
    if lines:
        system += "\n\nMemories (most relevant first):\n" + "\n".join(lines)
    else:
        system += "\n\nNo stored memory matches this question."
    messages = [ChatMessage("system", system)]
    for turn in turns:
        messages.append(ChatMessage("user", turn.input))
        messages.append(ChatMessage("assistant", turn.output))
    messages.append(ChatMessage("user", question))
    return messages, used
