"""Export formats built from a scope's memories and logged interactions (pure functions)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from core.models import Interaction, Kind, Memory
from core.training.language import guess_language, main_language

SYSTEMS = {
    "en": "You are Souvenir, a personal assistant. Answer using what you were taught.",
    "fr": "Tu es Souvenir, un assistant personnel. Réponds avec ce qu'on t'a appris.",
}
DEFAULT_SYSTEM = SYSTEMS["en"]
_FEMININE = ("la ", "une ", "ma ", "ta ", "sa ", "cette ", "notre ", "votre ")


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


def question_for(fact: str, language: str | None = None) -> str:
    """A question, in the fact's language, that the fact answers (statements become Q/A pairs)."""
    language = language or guess_language(fact)
    text = fact.strip().rstrip(".!")
    if language == "fr":
        subject = text.split(" est ", 1)
        if len(subject) == 2 and 0 < len(subject[0]) <= 80:
            head = subject[0][0].lower() + subject[0][1:]
            if " " not in head and subject[0][0].isupper():
                return f"Qui est {subject[0]} ?"
            return f"{'Quelle' if head.startswith(_FEMININE) else 'Quel'} est {head} ?"
        return f"Que sais-tu de ceci : {text.rstrip('?')[:60]} ?"
    subject = text.split(" is ", 1)
    if len(subject) == 2 and 0 < len(subject[0]) <= 80:
        return f"What is {subject[0][0].lower()}{subject[0][1:]}?"
    return f"What do you know about this: {text.rstrip('?')[:60]}?"


def correction_question(wrong: str, right: str) -> str:
    """The question a correction answers: is the wrong claim true? (A fragment such as "on Monday"
    is no claim to ask about: then the question the right fact answers.)"""
    claim = wrong.strip().rstrip(".")
    if len(claim.split()) < 3:
        return question_for(right)
    if guess_language(f"{wrong} {right}") == "fr":
        return f"Est-il vrai que {claim[0].lower()}{claim[1:]} ?"
    return f"Is it true that {claim}?"


def system_for(memories: list[Memory]) -> str:
    """The persona in the language most of the memories are written in."""
    return SYSTEMS[main_language([m.text for m in memories])]


def structured_json(memories: list[Memory]) -> dict:
    """The guide's structured format; ingesting it gives back the same memories."""
    conversations, facts = [], []
    for m in memories:
        parts = split_conversation(m.text) if m.kind is Kind.CONVERSATION else None
        if parts:
            conversations.append(
                {
                    "user": parts[0], "assistant": parts[1], "importance": m.importance, "tags": m.tags,
                    "number": m.number,
                }
            )
        else:
            facts.append(
                {
                    "text": m.text,
                    "importance": m.importance,
                    "category": m.tags[0] if m.tags else "",
                    "tags": m.tags,
                    "kind": m.kind.value,
                    "number": m.number,  # the chat's #N, to find it again there (ignored on ingestion)
                }
            )
    return {"format": "souvenir/1", "conversations": conversations, "facts": facts}


def training_pairs(live: list[Memory], interactions: list[Interaction] = ()) -> list[Pair]:
    """Pairs from teachings, corrections and ingested Q/A (live only), then any logged `interactions`.

    A custom model is taught only what a person stated: logged exchanges carry whatever the model
    answered at the time, so `souvenir finetune` passes none (exports may).
    """
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
            pairs.append(Pair(correction_question(wrong, m.text), m.text, m.importance))
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
