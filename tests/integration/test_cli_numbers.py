"""The `souvenir` command speaks the chat's numbers (#3, doc 2), and a forget raced by another says so.

Row ids and per-chat numbers differ as soon as another chat writes in between: every test here
interleaves another scope's writes so that a row id shown or taken by mistake cannot pass.
"""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from bot.app import build_app
from bot.cli import main
from bot.settings import Settings
from core.embeddings.fake import HashingEmbedder
from core.scope import CONSOLE_SCOPE
from tests.requests import request, say

pytestmark = pytest.mark.timeout(180)

OTHER = "telegram:user:42"


@pytest.fixture
def workdir(workdir, monkeypatch):
    """The shared CLI working directory, with the hashing embedder: these tests check numbers, not search."""
    monkeypatch.setenv("SOUVENIR_EMBEDDINGS__MODEL", "hashing")
    return workdir


def in_chat(steps):
    """Run `steps(app)` on an app over the CLI's data directory (as `souvenir chat` would), then close it."""

    async def session():
        app = await build_app(Settings(_env_file=None), embedder=HashingEmbedder())
        try:
            return await steps(app)
        finally:
            await app.close()

    return asyncio.run(session())


def chat_listing(app, scope: str = CONSOLE_SCOPE, platform: str = "console"):
    """The chat's `remember` as (number, text) pairs."""

    async def listing():
        text = await say(app, command="remember", scope=scope, platform=platform)
        return [(int(n), t) for n, t in re.findall(r"^#(\d+) · .*? — (.*)$", text, re.M)]

    return listing()


def test_the_issue_reproduction_cli_numbers_are_the_chats(workdir, capsys):
    async def teach(app):
        await say(app, command="teach", args="The boat is blue")
        await app.memory.teaching.teach(OTHER, "The tent is orange")  # a Telegram user's memory, written in between
        await say(app, command="teach", args="The car is red")
        await say(app, command="teach", args="The bike is green")
        return await chat_listing(app)

    chat = in_chat(teach)
    assert chat == [(3, "The bike is green"), (2, "The car is red"), (1, "The boat is blue")]

    assert main(["remember"]) == 0
    listed = capsys.readouterr().out
    assert re.findall(r"^#(\d+) .*?(The \w+ is \w+)$", listed, re.M) == [(str(n), t) for n, t in chat]

    assert main(["remember", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["number"], r["text"]) for r in rows] == chat
    assert "id" not in rows[0], "a bare `id` would be read as the chat's number"
    assert rows[0]["row_id"] == 4, "the row id is there, under its own name, for scripts that need it"

    assert main(["search", "car", "--json", "--mode", "keyword"]) == 0
    (hit,) = json.loads(capsys.readouterr().out)
    assert (hit["number"], hit["text"]) == (2, "The car is red")
    assert main(["search", "car", "--mode", "keyword"]) == 0
    assert capsys.readouterr().out.startswith("#2 ")

    assert main(["forget", "3"]) == 0
    out = capsys.readouterr().out
    assert "#3" in out and "The bike is green" in out, out
    assert in_chat(chat_listing) == [(2, "The car is red"), (1, "The boat is blue")]
    assert [(m.number, m.text) for m in in_chat(lambda app: app.memory.store.memories.all_memories(OTHER))] == [
        (1, "The tent is orange")
    ]

    assert main(["forget", "#3"]) == 1, "a number forgotten before is an error, on one line"
    err = capsys.readouterr().err
    assert "#3 is already forgotten" in err and "souvenir remember" in err and "Traceback" not in err
    assert main(["forget", "9"]) == 1
    assert "There is no memory #9" in capsys.readouterr().err


def test_cli_documents_use_the_chats_doc_numbers(workdir, capsys):
    (workdir / "tent.txt").write_text("The tent pegs are in the red bag.")
    (workdir / "boat.txt").write_text("The boat keys hang by the door.")
    (workdir / "bike.txt").write_text("The bike pump is under the stairs.")

    async def other_chat_first(app):
        # Another chat's document takes row 1 (and its chunk memory row 1).
        return await app.memory.documents.ingest(OTHER, "tent.txt", (workdir / "tent.txt").read_bytes())

    assert in_chat(other_chat_first).document_number == 1
    assert main(["ingest", str(workdir / "boat.txt")]) == 0
    assert "document #1" in capsys.readouterr().out, "the console's first document is its doc 1"
    assert main(["ingest", str(workdir / "bike.txt")]) == 0
    assert "forget doc 2" in capsys.readouterr().out

    assert main(["remember", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["number"], r["document"], r["source"]) for r in rows] == [(2, 2, "bike.txt"), (1, 1, "boat.txt")]
    assert main(["remember"]) == 0
    assert "#2  document  0.50  (doc 2)" in capsys.readouterr().out

    assert main(["forget", "doc", "2"]) == 0
    out = capsys.readouterr().out
    assert "document 2 (bike.txt)" in out, out
    assert main(["forget", "doc", "2"]) == 1
    assert "Document 2 is already forgotten" in capsys.readouterr().err

    async def both_chats(app):
        return await say(app, command="status"), await app.memory.store.documents.list_documents(OTHER)

    console, other = in_chat(both_chats)
    assert "Documents: 1" in console and [d.name for d in other] == ["tent.txt"]
    assert in_chat(chat_listing) == [(1, "The boat keys hang by the door.")]

    assert main(["forget", "doc", "x"]) == 1
    assert "souvenir forget doc N" in capsys.readouterr().err, "the usage names the command line's spelling"


def test_export_json_numbers_are_the_chats(workdir, capsys):
    async def teach(app):
        await app.memory.teaching.teach(OTHER, "The tent is orange")
        await say(app, command="teach", args="The boat is blue")

    in_chat(teach)
    assert main(["export", "--format", "json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert [(f["number"], f["text"]) for f in exported["facts"]] == [(1, "The boat is blue")]


@pytest.fixture
async def group_app(make_app):
    app = await make_app(allowed_users=["telegram:1", "telegram:2"])
    group = "telegram:chat:-5"
    for text in ("The gate code is 1234", "The wifi is on the fridge", "The bins go out on Monday"):
        await app.memory.teaching.teach(OTHER, f"(another chat) {text}")  # row ids run ahead of the group's numbers
        await app.memory.teaching.teach(group, text)
    return app, group


async def two_at_once(app, group: str, args: str) -> list[str]:
    """Two members send `forget ARGS` at the same moment; their replies, sorted."""
    taps = [
        request(command="forget", args=args, scope=group, platform="telegram", user=user, is_group=True)
        for user in ("1", "2")
    ]
    replies = await asyncio.gather(*(app.assistant.handle(tap) for tap in taps))
    return sorted([await reply.final_text() for reply in replies])


async def test_two_forgets_of_one_number_at_once_say_already_forgotten(group_app):
    app, group = group_app
    texts = await two_at_once(app, group, "2")
    assert texts[0].startswith("#2 is already forgotten"), texts
    assert texts[1] == "🗑️ Forgot #2: The wifi is on the fridge", texts
    listing = await say(app, command="remember", scope=group, platform="telegram", user="1", is_group=True)
    assert "#3 " in listing and "#1 " in listing and "#2 " not in listing


async def test_two_forgets_of_one_document_at_once_say_already_forgotten(group_app):
    app, group = group_app
    await app.memory.documents.ingest(OTHER, "other.txt", b"Another chat's document.")
    report = await app.memory.documents.ingest(group, "keys.txt", b"The spare keys are with the neighbour.")
    assert report.document_number == 1 and report.document_id == 2
    texts = await two_at_once(app, group, "doc 1")
    assert texts[0].startswith("Document 1 is already forgotten"), texts
    assert texts[1].startswith("🗑️ Forgot document 1 (keys.txt) and its 1 memory"), texts


async def test_a_race_between_lookup_and_delete_names_the_typed_number(group_app):
    """The row vanishes after the number was looked up: the answer names the number, never the row id."""
    app, group = group_app
    memories = app.memory.store.memories
    looked_up = memories.id_of_number

    async def lookup_then_lose_the_race(scope: str, number: int) -> int | None:
        found = await looked_up(scope, number)
        await app.memory.forgetting.forget(scope, found)  # the other tap's delete lands in between
        return found

    memories.id_of_number = lookup_then_lose_the_race
    text = await say(app, command="forget", args="3", scope=group, platform="telegram", user="1", is_group=True)
    assert text.startswith("#3 is already forgotten"), text
    assert "#6" not in text
