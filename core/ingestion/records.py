"""Structured records (a conversation, a fact, a CSV row) turned into memories, with shared field rules."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from core.ingestion.chunking import ChunkPolicy, chunk_text
from core.ingestion.scanned_pdf import ScanReading
from core.models import Kind, NewMemory

CONVERSATION_IMPORTANCE = 0.6
FACT_IMPORTANCE = 0.7
MAX_RECORD_CHARS = 2000


def importance_of(value: object) -> float | None:
    """A finite number from 0 to 1 (given as a number or as text), else None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and 0.0 <= number <= 1.0 else None


def tags_of(value: object) -> list[str]:
    """Tags from a list or a comma-separated string."""
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    if isinstance(value, list):
        return [str(t).strip() for t in value if str(t).strip()]
    return []


def conversation_text(user: str, assistant: str) -> str:
    """How a question/answer pair is stored."""
    return f"User: {user.strip()}\nAssistant: {assistant.strip()}"


@dataclass
class ParseOptions:
    """What the caller decided about the memories a file yields."""

    source: str
    author: str = ""
    importance: float | None = None
    policy: ChunkPolicy = field(default_factory=ChunkPolicy)
    scans: ScanReading | None = None


@dataclass
class Records:
    """Collects the memories of one structured file."""

    options: ParseOptions
    memories: list[NewMemory] = field(default_factory=list)

    @property
    def conversation_importance(self) -> float:
        """Default importance of a conversation without its own."""
        return self.options.importance if self.options.importance is not None else CONVERSATION_IMPORTANCE

    @property
    def fact_importance(self) -> float:
        """Default importance of a fact without its own."""
        return self.options.importance if self.options.importance is not None else FACT_IMPORTANCE

    def conversation(self, user: str, assistant: str, importance: float, tags: list[str]) -> None:
        """Add a question/answer pair."""
        self.record(conversation_text(user, assistant), Kind.CONVERSATION, importance, tags)

    def record(self, text: str, kind: Kind, importance: float, tags: list[str]) -> None:
        """Add one memory for a record (chunked only if it is very long)."""
        pieces = [text] if len(text) <= MAX_RECORD_CHARS else chunk_text(text, self.options.policy)
        for i, piece in enumerate(pieces):
            self.memories.append(
                NewMemory(
                    text=piece,
                    kind=kind,
                    importance=importance,
                    tags=tags,
                    source=self.options.source,
                    author=self.options.author,
                    metadata={"chunk": i} if len(pieces) > 1 else {},
                )
            )
