"""Which memories a text speaks of: meaning (cosine) plus words (coverage), against a calibrated threshold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.memory.writer import MemoryWriter
from core.models import Kind, Memory
from core.store import Store
from core.vector_index import VectorIndexes
from core.wording.forms import coverage


@dataclass(frozen=True)
class MatchPolicy:
    """How a text finds the memories it speaks of: meaning (cosine) plus words (coverage).

    match = cosine(text, memory) + word_weight x share of the text's words in the memory. The threshold
    depends on the embedder (cosines of different models live on different scales).
    """

    thresholds: tuple[tuple[str, float], ...]
    default_threshold: float
    candidates: int
    word_weight: float = 0.25
    near_best: float = 0.05
    shown: int = 3
    unsure: float = 0.2
    """Below the threshold by less than this, a memory may be the one meant: "en fait…" asks before replacing it."""

    def threshold(self, embedder: str) -> float:
        """The match score a memory needs, for vectors of `embedder`."""
        return dict(self.thresholds).get(embedder, self.default_threshold)


CORRECTION_MATCH = MatchPolicy(
    (("use-multilingual-v3", 0.56), ("all-MiniLM-L6-v2", 0.72)), default_threshold=0.85, candidates=20
)
"""A correction's WRONG against stored memories: calibrated on the French set's reworded corrections
against every other stored fact (bench/french.py)."""
SUBJECT_MATCH = MatchPolicy(
    (("use-multilingual-v3", 0.66), ("all-MiniLM-L6-v2", 0.75)), default_threshold=0.9, candidates=10
)
"""A newer short memory against older ones on the same subject (a changed plan, a moved brother):
calibrated on bench/data/conversation's development half (bench/conversation.py): changed plans
above, different facts of the same person below."""


class SubjectMatcher:
    """Finds the live short memories of a scope on the same subject as a text (a changed plan, a moved brother)."""

    def __init__(
        self, store: Store, indexes: VectorIndexes, writer: MemoryWriter, policy: MatchPolicy = SUBJECT_MATCH
    ) -> None:
        self._store = store
        self._indexes = indexes
        self._writer = writer
        self.policy = policy

    @property
    def threshold(self) -> float:
        """The match score a memory needs to be on the same subject, for this embedder."""
        return self.policy.threshold(self._writer.embedder_name)

    async def neighbours(
        self, scope: str, text: str, *, vector: np.ndarray | None = None, exclude: frozenset[int] = frozenset()
    ) -> list[tuple[Memory, float]]:
        """Live short memories of `scope` (no document chunks) by subject match with `text`, best first."""
        if vector is None:
            vector = (await self._writer.embed([text]))[0]
        dense = await self._indexes.search(scope, vector, self.policy.candidates)
        cosine = {i: c for i, c in dense if i not in exclude}
        found = await self._store.memories.get_memories(scope, list(cosine))
        scored = [
            (m, float(cosine[m.id]) + self.policy.word_weight * coverage(text, m.text))
            for m in found
            if m.kind is not Kind.DOCUMENT and m.superseded_by is None
        ]
        return sorted(scored, key=lambda pair: -pair[1])

    def same_subject(self, scored: list[tuple[Memory, float]]) -> list[Memory]:
        """The memories of `scored` (from `neighbours`) that are about the same subject."""
        threshold = self.threshold
        return [m for m, score in scored if score >= threshold]
