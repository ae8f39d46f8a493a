"""Thousands of concurrent operations on many scopes through the real core: no scope ever sees another's
memory, and each scope ends exactly as a sequential model of its own operations predicts."""

from __future__ import annotations

import asyncio
import json
import random
import re
from dataclasses import dataclass, field

import pytest

from core.errors import UnknownMemory
from core.export import export_scope
from tests.requests import request

pytestmark = pytest.mark.timeout(600)

SCOPES = [f"telegram:user:{100 + k}" for k in range(6)] + [f"discord:guild:{200 + k}" for k in range(6)]
STEPS_PER_SCOPE = 64
TAG = re.compile(r"scopetag\d+")


def tag_of(scope: str) -> str:
    """The word every text of `scope` carries, so any leak is visible."""
    return f"scopetag{SCOPES.index(scope)}"


@dataclass
class Model:
    """What a scope should hold after its operations, applied one after another."""

    live: dict[int, str] = field(default_factory=dict)
    teachings: list[int] = field(default_factory=list)
    documents: dict[str, int] = field(default_factory=dict)  # sha-distinct file name → chunks
    operations: int = 0


def _leaks(text: str, scope: str) -> set[str]:
    """Scope tags in `text` that are not `scope`'s own."""
    return set(TAG.findall(text)) - {tag_of(scope)}


class ScopeWorkload:
    """One scope's operations: steps run one after another, each step a batch of operations run together."""

    def __init__(self, app, scope: str, rng: random.Random) -> None:
        self.app = app
        self.scope = scope
        self.rng = rng
        self.model = Model()
        self.tag = tag_of(scope)
        self._words = [f"w{rng.randrange(10**6)}" for _ in range(400)]
        self._serial = 0

    def _fact(self, kind: str) -> str:
        self._serial += 1
        words = " ".join(self.rng.sample(self._words, 6))
        return f"{self.tag} {kind}{self._serial}z {words}."

    async def _checked(self, coro):
        self.model.operations += 1
        return await coro

    async def teach_batch(self, count: int) -> None:
        """Teachings run together with reads of every kind."""
        facts = [self._fact("fact") for _ in range(count)]
        reads = [self._search(), self._remember(), self._search(mode="keyword"), self._search(mode="dense")]
        if self.rng.random() < 0.3:
            reads.append(self._talk())
        if self.rng.random() < 0.2:
            reads.append(self._export())
        results = await asyncio.gather(
            *(self._checked(self.app.memory.teaching.teach(self.scope, f)) for f in facts), *reads
        )
        for memory in results[: len(facts)]:
            assert memory.scope == self.scope
            self.model.live[memory.id] = memory.text
            self.model.teachings.append(memory.id)

    async def _search(self, mode: str = "hybrid") -> None:
        query = f"{self.tag} " + " ".join(self.rng.sample(self._words, 3))
        for hit in await self._checked(self.app.memory.reading.search(self.scope, query, limit=20, mode=mode)):
            assert hit.memory.scope == self.scope and not _leaks(hit.memory.text, self.scope)
            assert all(c.scope == self.scope for c in hit.corrected_by)

    async def _remember(self) -> None:
        memories, _ = await self._checked(self.app.memory.reading.remember(self.scope, limit=50))
        assert all(m.scope == self.scope and not _leaks(m.text, self.scope) for m in memories)

    async def _talk(self) -> None:
        incoming = request(
            f"{self.tag} what do you know about " + self.rng.choice(self._words),
            scope=self.scope,
            chat=f"{self.scope}:chat",
        )
        reply = await self._checked(self.app.assistant.handle(incoming))
        answer = await reply.final_text()
        assert not _leaks(answer, self.scope), answer

    async def _export(self) -> None:
        exported = await self._checked(
            export_scope(self.app.memory, self.scope, self.rng.choice(["json", "text"]))
        )
        assert not _leaks(exported.data.decode(), self.scope)

    async def correct(self) -> None:
        live = [i for i in self.model.teachings if i in self.model.live]
        if not live:
            return
        wrong_id = self.rng.choice(live)
        right = self._fact("right")
        result = await self._checked(self.app.memory.corrections.correct(self.scope, self.model.live[wrong_id], right))
        assert result.correction.scope == self.scope
        assert [m.id for m in result.superseded] == [wrong_id], (
            "only the stated fact of this scope is replaced"
        )
        assert all(m.scope == self.scope for m in result.linked)
        del self.model.live[wrong_id]
        self.model.live[result.correction.id] = result.correction.text

    async def forget(self, foreign_ids: list[int]) -> None:
        live = [i for i in self.model.teachings if i in self.model.live]
        if live:
            victim = self.rng.choice(live)
            memory, restored = await self._checked(self.app.memory.forgetting.forget(self.scope, victim))
            assert memory.scope == self.scope and restored == []
            del self.model.live[victim]
        for foreign in self.rng.sample(foreign_ids, min(3, len(foreign_ids))):
            with pytest.raises(UnknownMemory):  # another scope's id is unknown here, whatever it is
                await self._checked(self.app.memory.forgetting.forget(self.scope, foreign))

    async def ingest(self) -> None:
        """The same new document sent twice at once: stored once, the other reported as known."""
        self._serial += 1
        name = f"notes{self._serial}.txt"
        body = " ".join(f"{self._fact('doc')}" for _ in range(self.rng.choice([1, 8, 30])))
        first, second = await asyncio.gather(
            *(self._checked(self.app.memory.documents.ingest(self.scope, name, body.encode())) for _ in range(2))
        )
        stored = first if first.duplicate_of is None else second
        assert (first.duplicate_of is None) != (second.duplicate_of is None), (
            "exactly one of the two is stored"
        )
        for memory_id in stored.memory_ids:
            self.model.live[memory_id] = (
                await self.app.store.memories.get_memory(self.scope, memory_id)
            ).text
        self.model.documents[name] = stored.count


async def _all_live(app, scope: str) -> dict[int, str]:
    return {m.id: m.text for m in await app.store.memories.all_memories(scope)}


async def test_thousands_of_concurrent_operations_never_cross_scopes(make_app, fake_ollama):
    fake_ollama.reply = lambda messages: "seen: " + " ".join(sorted(set(TAG.findall(json.dumps(messages)))))
    app = await make_app()
    rng = random.Random(5000)
    workloads = [ScopeWorkload(app, scope, random.Random(rng.random())) for scope in SCOPES]
    seeded = await asyncio.gather(*(w.teach_batch(8) for w in workloads))
    assert seeded
    every_id = {i for w in workloads for i in w.model.live}

    async def run(workload: ScopeWorkload) -> None:
        foreign = sorted(every_id - set(workload.model.live))
        for _ in range(STEPS_PER_SCOPE):
            roll = workload.rng.random()
            if roll < 0.6:
                await workload.teach_batch(workload.rng.randint(3, 8))
            elif roll < 0.75:
                await workload.correct()
            elif roll < 0.9:
                await workload.forget(foreign)
            else:
                await workload.ingest()

    await asyncio.gather(*(run(w) for w in workloads))

    total = sum(w.model.operations for w in workloads)
    assert total >= 5000, f"only {total} operations"
    for workload in workloads:
        scope = workload.scope
        assert await _all_live(app, scope) == workload.model.live, (
            f"{scope} differs from its sequential model"
        )
        stats = await app.store.stats(scope)
        assert stats.documents == len(workload.model.documents)
        exported = json.loads((await export_scope(app.memory, scope, "json")).data)
        assert not _leaks(json.dumps(exported), scope)
        hits = await app.memory.reading.search(scope, workload.tag, limit=10_000, mode="keyword")
        assert {h.memory.id for h in hits} <= set(workload.model.live)
        vectors = await app.indexes.search(
            scope, (await app.store.embeddings.vectors_of([min(workload.model.live)]))[0], k=10**6
        )
        assert {i for i, _ in vectors} == set(workload.model.live), f"FAISS of {scope} holds other ids"
