"""`kill -9` at random moments of `souvenir ingest`, teach and correct loses no acknowledged write and leaves
no half document; FAISS agrees with SQLite after restart; a re-run completes and deduplicates."""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import signal
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest

from bot.app import build_app
from bot.settings import Settings
from core.embeddings.fake import HashingEmbedder
from tests.hardening.processes import run_measured, souvenir_command, souvenir_env

pytestmark = pytest.mark.timeout(300)

INGEST_KILLS = 12
TEACH_KILLS = 6
TEACH_SCOPE = "console:user:local"
DOCUMENT_LINE = re.compile(r"^✅ (?P<path>.+): (?P<count>\d+) memor(y|ies), in document #(?P<doc>\d+) ")
TAUGHT_LINE = re.compile(r"^✅ (Remembered|Correction stored) as #(?P<id>\d+)\.$")


def _write_documents(directory: Path, rng: random.Random) -> dict[str, str]:
    """Thirty documents of varied length, each with one word of its own; returns file name → that word."""
    directory.mkdir()
    probes = {}
    for i in range(30):
        probe = f"crashprobe{i}x"
        sentences = [
            f"Entry {j} of ledger {i} notes {rng.randint(0, 10**6)} units."
            for j in range(rng.choice([5, 60, 600]))
        ]
        sentences.insert(rng.randrange(len(sentences)), f"The keeper of ledger {i} is {probe}.")
        (directory / f"ledger_{i:02}.txt").write_text(" ".join(sentences))
        probes[f"ledger_{i:02}.txt"] = probe
    return probes


async def _killed_at_random(
    args: list[str], env: dict[str, str], delay: float, stdin: bytes = b""
) -> tuple[str, bool]:
    """Start `souvenir ARGS`, SIGKILL it after `delay` seconds (if still running); its output, and if it was killed."""
    process = await asyncio.create_subprocess_exec(
        *souvenir_command(*args),
        env=env,
        cwd=str(Path(env["SOUVENIR_DATA_DIR"]).parent),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdin is not None
    process.stdin.write(stdin)
    process.stdin.close()
    output = asyncio.create_task(process.stdout.read())  # type: ignore[union-attr]
    try:
        await asyncio.wait_for(process.wait(), delay)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):  # it may end on its own just as the delay runs out
            process.send_signal(signal.SIGKILL)
        await process.wait()
    # Killed means the signal ended it: a run that finished first counts as a complete run.
    return (await output).decode(errors="replace"), process.returncode == -signal.SIGKILL


def _database_checks(database: Path) -> None:
    """Integrity, and no half document: every document has exactly the chunks it declares."""
    if not database.exists():  # killed before it was created
        return
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone():
            return  # killed before the schema was written (the next start writes it)
        halves = db.execute(
            "SELECT d.id, d.chunks, COUNT(m.id) FROM documents d LEFT JOIN memories m ON m.document_id = d.id "
            "GROUP BY d.id HAVING d.chunks != COUNT(m.id)"
        ).fetchall()
        assert halves == [], f"half-stored documents: {halves}"


async def _check_after_restart(
    data_dir: Path, documents: dict[tuple[str, int], str], taught: dict[int, str]
) -> None:
    """Every acknowledged write is there and found by both searches; FAISS holds exactly the live memories."""
    app = await build_app(Settings(_env_file=None, data_dir=data_dir), embedder=HashingEmbedder())
    try:
        for scope in {TEACH_SCOPE} | {scope for scope, _ in documents}:
            live = set((await app.store.embeddings.live_ids(scope)).tolist())
            probe = np.ones(app.embedder.dimension, dtype=np.float32)
            indexed = {i for i, _ in await app.indexes.search(scope, probe, k=len(live) + 10)}
            hidden = {
                i for i in live if i not in indexed
            }  # orthogonal to the all-ones probe: ask by their own vector
            for memory_id in hidden:
                vector = (await app.store.embeddings.vectors_of([memory_id]))[0]
                indexed |= {i for i, _ in await app.indexes.search(scope, vector, k=1)}
            assert indexed == live, f"FAISS and SQLite disagree in {scope}"
        for (scope, number), probe in documents.items():
            hits = await app.memory.reading.search(scope, probe, limit=5, mode="keyword")
            holder = next((h.memory for h in hits if probe in h.memory.text), None)
            document = await app.store.documents.document_by_number(scope, number)
            assert holder is not None and document is not None, (
                f"acknowledged document {scope} #{number} lost"
            )
            assert holder.document_id == document.id
            dense = await app.memory.reading.search(scope, holder.text, limit=5, mode="dense")
            assert holder.id in [h.memory.id for h in dense]
        for number, probe in taught.items():
            memory_id = await app.store.memories.id_of_number(TEACH_SCOPE, number)
            assert memory_id is not None, f"acknowledged teaching #{number} lost"
            memory = await app.store.memories.get_memory(TEACH_SCOPE, memory_id)
            assert probe in memory.text, f"acknowledged teaching #{memory_id} lost"
            if (
                memory.superseded_by is not None
            ):  # replaced by a later correction: kept for audit, not retrieved
                assert await app.store.memories.get_memory(TEACH_SCOPE, memory.superseded_by)
                continue
            keyword = await app.memory.reading.search(TEACH_SCOPE, probe, limit=10, mode="keyword")
            dense = await app.memory.reading.search(TEACH_SCOPE, memory.text, limit=10, mode="dense")
            assert memory_id in [h.memory.id for h in keyword] and memory_id in [h.memory.id for h in dense]
    finally:
        await app.close()


async def test_sigkill_at_random_points_loses_no_acknowledged_write(tmp_path):
    rng = random.Random(20261127)
    probes = _write_documents(tmp_path / "docs", rng)
    env = souvenir_env(tmp_path / "data")
    started = time.monotonic()
    assert run_measured(["status"], souvenir_env(tmp_path / "dry")).rc == 0
    start_up = time.monotonic() - started
    started = time.monotonic()
    full = run_measured(["ingest", str(tmp_path / "docs")], souvenir_env(tmp_path / "dry"))
    assert full.rc == 0, full.stdout
    full_run = time.monotonic() - started

    documents: dict[tuple[str, int], str] = {}  # acknowledged (scope, document number) → its probe word
    kills = attempts = 0
    while (
        kills < INGEST_KILLS and attempts < 3 * INGEST_KILLS
    ):  # a run that ends before its kill time does not count
        scope = (
            f"discord:guild:{attempts}"  # a fresh scope each time: every run has the whole directory to do
        )
        attempts += 1
        args = ["ingest", str(tmp_path / "docs"), "--scope", scope]
        # Most kill points fall while files are being written (after start-up), some during start-up.
        output, killed = await _killed_at_random(args, env, rng.uniform(0.5 * start_up, full_run))
        kills += killed
        for match in filter(None, map(DOCUMENT_LINE.match, output.splitlines())):
            documents[(scope, int(match["doc"]))] = probes[Path(match["path"]).name]
        _database_checks(tmp_path / "data" / "souvenir.db")
        await _check_after_restart(tmp_path / "data", documents, {})
    assert documents, "some documents were acknowledged before a kill"

    taught: dict[int, str] = {}
    round_ = 0
    while kills < INGEST_KILLS + TEACH_KILLS and round_ < 3 * TEACH_KILLS:
        round_ += 1
        lines = []
        for i in range(400):
            word = f"teachprobe{round_}n{i}x"
            lines.append(f"teach The locker {word} holds item {i}.")
            if i % 8 == 7:
                lines.append(
                    f"correct The locker teachprobe{round_}n{i - 1}x holds item {i - 1}. | "
                    f"The locker teachprobe{round_}n{i - 1}x now holds corrected{round_}n{i}x."
                )
        script = ("\n".join(lines) + "\n").encode()
        output, killed = await _killed_at_random(["chat"], env, rng.uniform(0.5, 3.0), stdin=script)
        kills += killed
        acknowledged = [m for m in map(TAUGHT_LINE.match, output.splitlines()) if m]
        sent = iter(lines)
        for match in acknowledged:  # the console answers in order: the n-th acknowledgement is the n-th line
            line = next(sent)
            word = re.search(r"(teachprobe\d+n\d+x)", line.split("|")[-1]).group(1)
            taught[int(match["id"])] = word
        _database_checks(tmp_path / "data" / "souvenir.db")
        await _check_after_restart(tmp_path / "data", documents, taught)
    assert kills >= INGEST_KILLS + TEACH_KILLS, f"only {kills} runs were killed before they finished"

    last = f"discord:guild:{attempts - 1}"
    again = run_measured(["ingest", str(tmp_path / "docs"), "--scope", last], env)
    assert again.rc == 0, again.stdout
    assert again.stdout.count("✅") + again.stdout.count("♻️") == len(probes)
    known = sum(scope == last for scope, _ in documents)
    assert again.stdout.count("♻️") >= known, "what was acknowledged is recognised, not stored twice"
    with sqlite3.connect(tmp_path / "data" / "souvenir.db") as db:
        names = [row[0] for row in db.execute("SELECT name FROM documents WHERE scope = ?", (last,))]
    assert sorted(names) == sorted(probes), "each file stored exactly once after the re-run"
    _database_checks(tmp_path / "data" / "souvenir.db")
    await _check_after_restart(tmp_path / "data", documents, taught)
