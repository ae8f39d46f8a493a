"""A full disk, as a self-hosting owner meets it: the real `souvenir` commands on a small volume.

The data directory lives on a 16 MiB volume that other programs already use. Ingestion fills it;
then: `souvenir ingest` ends with a clear line and a non-zero status (no traceback, no hang);
questions are still answered with what was taught; writes are refused with a clear French message
and change nothing; every command exits cleanly; no partial file is left; the database is intact;
and once space is freed the same running chat stores again, with no restart.

Two volumes: a real size-limited tmpfs where the test may mount one (root, as on a developer's VM),
and always a fault-injecting layer (tests/fakes/small_disk.c) that gives the same processes the
same ENOSPC errors and free space without privileges, so CI runs every step even where it cannot
mount.
"""

from __future__ import annotations

import random
import re
import sqlite3
from pathlib import Path

import faiss
import pytest

from tests.fakes.small_disk import can_mount, injected, tmpfs
from tests.hardening.processes import LiveChat, run_measured, souvenir_env

pytestmark = pytest.mark.timeout(600)

MiB = 1024 * 1024
VOLUME = 16 * MiB
LOW_DISK_MB = 5
REFUSED = "Le disque du serveur est plein\u00a0: rien n’a été enregistré"
TEACH_DONE = r"Retenu sous le n°\s?\d+"
STATUS_LAST = r"Échanges enregistrés"
WORDS = [
    "randonnée", "montagne", "rivière", "sentier", "refuge", "lac", "forêt", "sommet", "col", "glacier",
    "pluie", "soleil", "nuage", "vent", "neige", "orage", "brouillard", "vallée", "prairie", "berger",
]


@pytest.fixture(params=["injected", "tmpfs"])
def volume(request, tmp_path, tmp_path_factory):
    """The small volume: the fault-injecting layer everywhere, a real tmpfs where mounting is allowed."""
    root = tmp_path / "volume"
    if request.param == "injected":
        with injected(root, VOLUME, tmp_path_factory.getbasetemp() / "small-disk-build") as disk:
            yield disk
        return
    if not can_mount():
        pytest.skip("mounting a tmpfs needs root here; the injected volume runs the same steps")
    try:
        mounted = tmpfs(root, VOLUME)
        disk = mounted.__enter__()
    except RuntimeError as refused:
        pytest.skip(f"{refused}; the injected volume runs the same steps")
    try:
        yield disk
    finally:
        mounted.__exit__(None, None, None)


def corpus(folder: Path, files: int = 12, paragraphs: int = 400) -> Path:
    """Notes about hiking (no word of the questions below): about 40 KB a file, more than the volume takes."""
    folder.mkdir()
    rng = random.Random(29)
    for i in range(files):
        text = "\n\n".join(
            " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + f" étape {i}-{j}."
            for j in range(paragraphs)
        )
        (folder / f"notes-{i:02}.txt").write_text(text)
    return folder


def database(data: Path) -> sqlite3.Connection:
    """The database, read-only (as an owner would inspect it with the sqlite3 shell)."""
    return sqlite3.connect(f"file:{data / 'souvenir.db'}?mode=ro", uri=True)


def memory_state(data: Path) -> tuple[int, int, int, int]:
    """(memories, documents, next memory number, interactions): what a refused write must leave as it was."""
    with database(data) as db:
        (memories,) = db.execute("SELECT COUNT(*) FROM memories").fetchone()
        (documents,) = db.execute("SELECT COUNT(*) FROM documents").fetchone()
        (numbers,) = db.execute("SELECT COALESCE(MAX(next_memory), 0) FROM scopes").fetchone()
        (interactions,) = db.execute("SELECT COUNT(*) FROM interactions").fetchone()
    return memories, documents, numbers, interactions


def partial_files(root: Path) -> list[str]:
    """Half-written files a failed save could leave behind."""
    return sorted(str(p) for p in root.rglob("*") if p.suffix in (".tmp", ".part", ".building"))


def clean_exit(finished, what: str) -> None:
    """A command that ended by itself with words for people, never a Python traceback."""
    output = finished.stdout + finished.stderr
    assert "Traceback" not in output and "RuntimeError" not in output and "sqlite3." not in output, (what, output[-3000:])


def test_a_full_disk_keeps_answering_refuses_writes_and_recovers_without_restart(volume, tmp_path):
    data = volume.root / "data"
    docs = corpus(tmp_path / "docs")
    env = {
        **souvenir_env(data, language="fr", SOUVENIR_LIMITS__LOW_DISK_MB=str(LOW_DISK_MB)),
        **volume.env,
    }
    volume.fill("other-app.log", leave=8 * MiB)  # the other programs of a small home server

    chat = LiveChat(env)
    try:
        assert "Espace disque faible" not in chat.say("status", STATUS_LAST)
        assert re.search(TEACH_DONE, chat.say("teach Le code du portail est 4321.", TEACH_DONE))

        # Low, not yet full: admins are warned before any write fails, and writes still work.
        volume.fill("other-app.log", leave=4 * MiB)
        assert "Espace disque faible" in chat.say("status", STATUS_LAST)
        assert re.search(TEACH_DONE, chat.say("teach La poubelle jaune sort le mardi.", TEACH_DONE))

        # Ingestion fills the disk: a clear end, a non-zero status, no traceback, no hang.
        ingest = run_measured(["ingest", str(docs)], env, timeout=240)
        clean_exit(ingest, "ingest")
        assert ingest.rc == 1
        assert REFUSED in ingest.stdout and "fichiers de plus n’ont pas été lus" in ingest.stdout, ingest.stdout[-2000:]
        stored = int(re.search(r"(\d+) ajoutés?", ingest.stdout).group(1))
        assert 0 < stored < 12, ingest.stdout[-2000:]
        volume.fill("other-app.log", leave=0)  # and the logs take whatever was left

        # Questions are still answered, from memory, by the same running chat.
        answer = chat.say("Quel est le code du portail ?", "4321")
        assert "4321" in answer and "problème" not in answer

        # Writes are stored while they fit (SQLite reuses the room its log file already has), then
        # refused in French, changing nothing.
        for n in range(200):
            reply = chat.say(f"teach Le casier {n} du garage range les outils de jardin.", f"{TEACH_DONE}|disque")
            if REFUSED in reply:
                break
        else:
            raise AssertionError("200 facts stored on a full disk")
        before = memory_state(data)
        for line in (
            "teach Le code de l’alarme est 9876.",
            "correct Le code du portail est 4321. | Le code du portail est 1234.",
            f"ingest {docs / 'notes-11.txt'}",
            "Je pars à Lyon le 14 février pour le mariage de Paul.",  # a statement to remember
        ):
            assert REFUSED in chat.say(line, "disque"), line
        assert memory_state(data)[:3] == before[:3]
        # The owner (here, the person at the terminal) is told once, directly, not at each refusal.
        told = [line for line in chat.transcript().splitlines() if line.startswith("📬") and "est plein" in line]
        assert len(told) == 1, chat.transcript()[-3000:]
        full_status = chat.say("status", STATUS_LAST)
        assert "Disque plein" in full_status and "Espace disque faible" in full_status, full_status

        # Every command ends by itself with a clear line: refused writes say so, reads work.
        for args, code, refused in (
            (["status"], 0, False),
            (["remember", "--json"], 0, False),
            (["search", "code du portail", "--json"], 0, False),
            (["export", "--format", "json", "--out", str(volume.root / "export.json")], 1, True),
            (["ingest", str(docs / "notes-10.txt")], 1, True),
            (["finetune", "--name", "essai"], 1, False),  # no model server here: its own clear line
            (["chat"], 0, True),
            (["run"], 0, True),  # no platform configured: the console
        ):
            done = run_measured(args, env, stdin="teach Un fait de plus.\n", timeout=120)
            clean_exit(done, args[0])
            assert done.rc == code, (args, done.rc, done.stdout[-1500:], done.stderr[-1500:])
            assert (REFUSED in done.stdout + done.stderr) is refused, (args, done.stdout[-1500:], done.stderr[-1500:])
        assert "4321" in run_measured(["search", "code du portail", "--json"], env).stdout
        assert not (volume.root / "export.json").exists()
        assert memory_state(data)[:3] == before[:3]
        forget = run_measured(["forget", "2"], env)  # a delete needs room too (in SQLite's log), or not
        clean_exit(forget, "forget")
        assert forget.rc == 0 or (forget.rc == 1 and REFUSED in forget.stderr and memory_state(data)[:3] == before[:3]), forget.stderr

        # No partial file, an intact database, every stored document whole.
        assert partial_files(volume.root) == []
        with database(data) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert db.execute("SELECT COUNT(*) FROM memories WHERE text LIKE '%4321%'").fetchone() == (1,)
            wrong = db.execute(
                "SELECT d.name FROM documents d WHERE d.chunks != (SELECT COUNT(*) FROM memories m WHERE m.document_id = d.id)"
            ).fetchall()
            assert wrong == []

        # Restarted on the full disk (as an owner would try), it still answers, and still refuses writes.
        assert chat.close() == 0
        chat = LiveChat(env)
        assert "4321" in chat.say("Quel est le code du portail ?", "4321")
        assert REFUSED in chat.say("teach Le code de l’alarme est 9876.", "disque")
        assert "Disque plein" in chat.say("status", STATUS_LAST)

        # Space comes back: the same process stores again, nothing to restart.
        (volume.root / "other-app.log").unlink()
        assert re.search(TEACH_DONE, chat.say("teach Le code de l’alarme est 9876.", TEACH_DONE))
        assert "9876" in chat.say("Quel est le code de l’alarme ?", "9876")
        recovered = chat.say("status", STATUS_LAST)
        assert "Disque plein" not in recovered and "Espace disque faible" not in recovered, recovered
        again = run_measured(["ingest", str(docs / "notes-10.txt"), str(docs / "notes-11.txt")], env, timeout=240)
        clean_exit(again, "ingest after freeing space")
        assert again.rc == 0 and "2 ajoutés" in again.stdout, again.stdout[-2000:]
        assert chat.close() == 0
    finally:
        chat.close()

    # A fresh command brings the index cache level with the store and saves it, whole.
    found = run_measured(["search", "randonnée étape 11-7", "--mode", "dense", "--json"], env)
    assert found.rc == 0 and "notes-11.txt" in found.stdout, found.stderr[-2000:]
    assert partial_files(volume.root) == []
    with database(data) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (live,) = db.execute("SELECT COUNT(*) FROM memories WHERE superseded_by IS NULL").fetchone()
        names = {name for (name,) in db.execute("SELECT name FROM documents")}
    assert {"notes-10.txt", "notes-11.txt"} <= names
    (saved,) = (data / "indexes").glob("*.faiss")
    assert faiss.read_index(str(saved)).ntotal == live, "the index cache is saved again, whole"
