"""Building the chat prompt within a token budget: persona and question, memories by rank, recent turns."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from core.llm import ChatMessage
from core.llm.tokens import cut_to_tokens, estimate_tokens, message_tokens
from core.models import Interaction, Memory, SearchHit

LANGUAGE_NAMES = {"fr": "French", "en": "English"}
CUT_MARK = " […]"
MEMORY_HEADER = "\n\nMemories (most relevant first):"
NO_MATCH = "\n\nNo stored memory matches this question."
TOO_LONG = "\n\nThe stored memories for this question were too long to include."


@dataclass
class PromptBudget:
    """What went into a prompt and what was left out on purpose to fit the model's context."""

    window: int
    limit: int
    used: int = 0
    memories_left_out: list[int] = field(default_factory=list)  # their numbers, as people see them
    turns_kept: int = 0
    turns_left_out: int = 0
    question_cut: bool = False

    @property
    def left_out(self) -> bool:
        """Whether anything was left out."""
        return bool(self.memories_left_out or self.turns_left_out or self.question_cut)


DATED_KINDS = ("conversation", "teaching", "correction")
"""Kinds whose date matters: what was said or taught when ("in two weeks" said on 3 December)."""


def day_of(timestamp: float) -> str:
    """`Thursday 3 December 2026`, in English (the prompt's language), from a Unix time."""
    moment = datetime.fromtimestamp(timestamp)
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def describe(memory: Memory) -> str:
    """One line naming a memory for the model: id, kind, source, and when (and by whom) it was said."""
    source = f", from {memory.source}" if memory.source and memory.kind.value == "document" else ""
    said = ""
    if memory.kind.value in DATED_KINDS and memory.created_at:
        by = memory.metadata.get("by") if isinstance(memory.metadata, dict) else None
        said = f", said{f' by {by}' if by else ''} on {day_of(memory.created_at)}"
    return f"[#{memory.number}] ({memory.kind.value}{source}{said})"


def memory_blocks(hits: list[SearchHit]) -> list[tuple[list[str], list[Memory]]]:
    """One block per hit, by rank: its corrections first (they must travel with it), then the memory."""
    blocks: list[tuple[list[str], list[Memory]]] = []
    seen: set[int] = set()
    for hit in hits:
        lines: list[str] = []
        block: list[Memory] = []
        for correction in hit.corrected_by:
            if correction.id not in seen:
                seen.add(correction.id)
                block.append(correction)
                lines.append(f"{describe(correction)} CORRECTION, overrides what follows: {correction.text}")
        if hit.memory.id not in seen:
            seen.add(hit.memory.id)
            block.append(hit.memory)
            note = ""
            if hit.corrected_by:
                note = (
                    " (partly wrong: see correction "
                    + ", ".join(f"#{c.number}" for c in hit.corrected_by)
                    + ")"
                )
            if hit.updated_by:
                note += " (older: updated later by " + ", ".join(f"#{m.number}" for m in hit.updated_by) + ")"
            lines.append(f"{describe(hit.memory)}{note} {hit.memory.text}")
        if block:
            blocks.append((lines, block))
    return blocks


def build_prompt(
    persona: str,
    language: str,
    hits: list[SearchHit],
    turns: list[Interaction],
    question: str,
    *,
    window: int = 4096,
    reserve: int = 1024,
    now: float | None = None,
) -> tuple[list[ChatMessage], list[int], PromptBudget]:
    """The messages to send, the memory ids they contain, and what was left out to fit `window`.

    The prompt may take `window - reserve` estimated tokens (the reserve is for the answer). Persona
    and question go in first (the question cut if it alone is too long), then the memories in rank
    order while they fit, then the recent turns newest first while they fit. Today's date (`now`)
    lets the model read "in two weeks" in a memory said on another day.
    """
    budget = PromptBudget(window=window, limit=max(256, window - reserve))
    head = persona.strip() + (
        f"\nReply in {LANGUAGE_NAMES.get(language, 'English')} unless the user writes in another language."
        f"\nToday is {day_of(time.time() if now is None else now)}."
    )
    spent = message_tokens(head) + max(estimate_tokens(t) for t in (MEMORY_HEADER, NO_MATCH, TOO_LONG))
    room = budget.limit - spent - message_tokens("")
    if estimate_tokens(question) > room:
        question = cut_to_tokens(question, max(0, room - estimate_tokens(CUT_MARK))) + CUT_MARK
        budget.question_cut = True
    spent += message_tokens(question)

    lines: list[str] = []
    used: list[int] = []
    for block_lines, block in memory_blocks(hits):
        cost = sum(estimate_tokens("\n" + line) for line in block_lines)
        if spent + cost <= budget.limit:
            lines += block_lines
            used += [m.id for m in block]
            spent += cost
        else:
            budget.memories_left_out += [m.number for m in block]
    system = head
    if lines:
        system += MEMORY_HEADER + "\n" + "\n".join(lines)
    else:
        system += TOO_LONG if budget.memories_left_out else NO_MATCH

    kept: list[Interaction] = []
    for turn in reversed(turns):
        cost = message_tokens(turn.input) + message_tokens(turn.output)
        if spent + cost > budget.limit:
            break
        kept.append(turn)
        spent += cost
    budget.turns_kept = len(kept)
    budget.turns_left_out = len(turns) - len(kept)
    budget.used = spent

    messages = [ChatMessage("system", system)]
    for turn in reversed(kept):
        messages.append(ChatMessage("user", turn.input))
        messages.append(ChatMessage("assistant", turn.output))
    messages.append(ChatMessage("user", question))
    return messages, used, budget
