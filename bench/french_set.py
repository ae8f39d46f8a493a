"""The French personal-memory evaluation set (bench/data/french): facts, documents, questions, corrections."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

FRENCH_DATA = Path(__file__).resolve().parent / "data" / "french"
FACT_CATEGORIES = ("paraphrase", "same_words", "typed", "english")
CATEGORIES = (*FACT_CATEGORIES, "deep_document", "correction")


@dataclass(frozen=True)
class Question:
    """One question and where its answer lives: a taught fact, a document chunk, or a correction."""

    category: str
    text: str
    fact: str = ""
    document: str = ""
    needle: str = ""
    correction: str = ""


@dataclass(frozen=True)
class CorrectionCase:
    """A stored statement (fact, or a document passage), a reworded WRONG, the RIGHT text, a question."""

    id: str
    wrong: str
    right: str
    question: str
    fact: str = ""
    document: str = ""
    needle: str = ""


@dataclass
class FrenchSet:
    """Everything the benchmark stores and asks."""

    facts: dict[str, str]
    documents: dict[str, str]
    corrections: list[CorrectionCase]
    questions: list[Question]


def load_french_set(path: Path = FRENCH_DATA) -> FrenchSet:
    """Read the set; every question names exactly one expected answer."""
    facts_raw = json.loads((path / "facts.json").read_text(encoding="utf-8"))
    deep = json.loads((path / "deep.json").read_text(encoding="utf-8"))
    cases = [CorrectionCase(**c) for c in json.loads((path / "corrections.json").read_text(encoding="utf-8"))]
    documents = {p.name: p.read_text(encoding="utf-8") for p in sorted((path / "documents").iterdir())}
    facts = {f["id"]: f["text"] for f in facts_raw}
    facts.update({c.id: c.fact for c in cases if c.fact})
    questions = [
        Question(category, f["questions"][category], fact=f["id"])
        for category in FACT_CATEGORIES
        for f in facts_raw
    ]
    questions += [Question("deep_document", d["question"], document=d["document"], needle=d["needle"]) for d in deep]
    questions += [Question("correction", c.question, correction=c.id) for c in cases]
    return FrenchSet(facts, documents, cases, questions)
