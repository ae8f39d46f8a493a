"""Export formats built from a scope's memories and logged interactions (pure functions)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from core.models import Interaction, Kind, Memory

DEFAULT_SYSTEM = "You are Souvenir, a personal assistant. Answer using what you were taught."


@dataclass
class Pair:
    """One question/answer pair for training."""

    user: str
    assistant: str
    importance: float = 0.5


def split_conversation(text: str) -> tuple[str, str] | None:
    """The (user, assistant) parts of a stored "User: ...\\nAssistant: ..." memory, or None."""
    if not text.startswith("User:") or "\nAssistant:" not in text:
        return None
    user, _, assistant = text[len("User:") :].partition("\nAssistant:")
    return user.strip(), assistant.strip()


def question_for(fact: str) -> str:
    """A question that a fact answers (facts phrased as statements become question/answer pairs)."""
    subject = fact.strip().rstrip(".!").split(" is ", 1)
    if len(subject) == 2 and 0 < len(subject[0]) <= 80:
        return f"What is {subject[0][0].lower()}{subject[0][1:]}?"
    return f"What do you know about this: {fact.strip().rstrip('.!?')[:60]}?"


def structured_json(memories: list[Memory]) -> dict:
    """The guide's structured format; ingesting it gives back the same memories."""
    conversations, facts = [], []
    for m in memories:
        parts = split_conversation(m.text) if m.kind is Kind.CONVERSATION else None
        if parts:
            conversations.append(
                {"user": parts[0], "assistant": parts[1], "importance": m.importance, "tags": m.tags}
            )
        else:
            facts.append(
                {
                    "text": m.text,
                    "importance": m.importance,
                    "category": m.tags[0] if m.tags else "",
                    "tags": m.tags,
                    "kind": m.kind.value,
                }
            )
    return {"format": "souvenir/1", "conversations": conversations, "facts": facts}


def training_pairs(live: list[Memory], interactions: list[Interaction]) -> list[Pair]:
    """Pairs from logged conversations, stored conversations, teachings and corrections (live only)."""
    pairs: list[Pair] = []
    for i in interactions:
        if i.input.strip() and i.output.strip():
            pairs.append(Pair(i.input.strip(), i.output.strip(), 0.5))
    for m in live:
        if m.kind is Kind.CONVERSATION:
            parts = split_conversation(m.text)
            if parts and parts[1]:
                pairs.append(Pair(parts[0], parts[1], m.importance))
        elif m.kind is Kind.CORRECTION:
            wrong = str(m.metadata.get("wrong", "")).strip()
            question = f"Is it true that {wrong.rstrip('.')}?" if wrong else question_for(m.text)
            pairs.append(Pair(question, m.text, m.importance))
        elif m.kind in (Kind.TEACHING, Kind.FACT):
            pairs.append(Pair(question_for(m.text), m.text, m.importance))
    return pairs


def chat_records(pairs: list[Pair], system: str = DEFAULT_SYSTEM) -> list[dict]:
    """Records in the chat format TRL, Unsloth and Axolotl read."""
    return [
        {
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": p.user},
                {"role": "assistant", "content": p.assistant},
            ]
        }
        for p in pairs
    ]


def to_jsonl(records: list[dict]) -> str:
    """One JSON object per line."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def to_text(pairs: list[Pair], facts: list[Memory]) -> str:
    """The guide's "Human: ... / Assistant: ..." format, then the remaining memories as plain text."""
    blocks = [f"Human: {p.user}\nAssistant: {p.assistant}" for p in pairs]
    blocks += [m.text for m in facts]
    return "\n\n".join(blocks) + ("\n" if blocks else "")
