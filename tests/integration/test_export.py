"""Exports of a real scope: the json backup round-trips, jsonl is chat-format training data, /export sends a file."""

import json
from collections import Counter

from bot.cli import main
from core.export import export_scope
from core.models import Incoming

SCOPE = "console:user:local"
OTHER = "console:user:restore"
GUIDE = {
    "conversations": [
        {
            "user": "What do I water first?",
            "assistant": "The tomatoes.",
            "importance": 0.6,
            "tags": ["garden"],
        }
    ],
    "facts": [{"text": "The ladder is in the shed.", "importance": 0.9, "category": "house"}],
}


async def _fill(app) -> None:
    await app.memory.teaching.teach(SCOPE, "The wifi password is tulip42.", tags=["home", "wifi"])
    await app.memory.teaching.teach(SCOPE, "The dentist is on Monday.")
    await app.memory.corrections.correct(SCOPE, "The dentist is on Monday.", "The dentist is on Thursday.")
    await app.memory.documents.ingest(SCOPE, "guide.json", json.dumps(GUIDE).encode())
    await app.memory.documents.ingest(SCOPE, "notes.md", b"Our street is quiet. " * 40)
    await app.store.interactions.log_interaction(
        SCOPE, "console:chat:local", "console:local", "Hello?", "Hi, how can I help?", [], "llama3.2", 10.0
    )


def _content(export: bytes) -> Counter:
    doc = json.loads(export)
    rows = [
        ("conversation", c["user"], c["assistant"], c["importance"], tuple(c["tags"]))
        for c in doc["conversations"]
    ]
    rows += [(f["kind"], f["text"], "", f["importance"], tuple(f["tags"])) for f in doc["facts"]]
    return Counter(rows)


async def test_json_export_ingested_into_a_fresh_scope_gives_the_same_memories(make_app):
    app = await make_app()
    await _fill(app)
    first = await export_scope(app.memory, SCOPE, "json")
    report = await app.memory.documents.ingest(OTHER, first.name, first.data)
    second = await export_scope(app.memory, OTHER, "json")

    assert report.count == len(await app.store.memories.all_memories(SCOPE))
    assert _content(first.data) == _content(second.data)
    kinds = {row[0] for row in _content(second.data)}
    assert {"teaching", "correction", "conversation", "fact", "document"} <= kinds
    restored = {m.text: m for m in await app.store.memories.all_memories(OTHER)}
    assert restored["The wifi password is tulip42."].tags == ["home", "wifi"]
    assert restored["The dentist is on Thursday."].importance == 0.95
    assert "The dentist is on Monday." not in restored  # superseded memories are not exported


async def test_jsonl_is_chat_format_without_superseded_facts(make_app):
    app = await make_app()
    await _fill(app)
    exported = await export_scope(app.memory, SCOPE, "jsonl")
    records = [json.loads(line) for line in exported.data.decode().splitlines()]

    assert records
    for record in records:
        roles = [m["role"] for m in record["messages"]]
        assert roles == ["system", "user", "assistant"]
        assert all(isinstance(m["content"], str) and m["content"] for m in record["messages"])
    answers = [r["messages"][2]["content"] for r in records]
    assert "The dentist is on Monday." not in answers
    assert "The dentist is on Thursday." in answers
    assert "Hi, how can I help?" in answers and "The tomatoes." in answers
    assert "The wifi password is tulip42." in answers
    assert not any(
        "Our street is quiet" in a for a in answers
    )  # document chunks are not question/answer data


async def test_text_export_uses_the_human_assistant_format(make_app):
    app = await make_app()
    await _fill(app)
    text = (await export_scope(app.memory, SCOPE, "text")).data.decode()
    assert "Human: What do I water first?\nAssistant: The tomatoes." in text
    assert "Human: Hello?\nAssistant: Hi, how can I help?" in text
    assert "Monday." not in text.replace("Is it true that The dentist is on Monday?", "")


async def test_export_command_in_a_chat_returns_a_file_of_that_scope_only(make_app):
    app = await make_app()
    await _fill(app)
    await app.memory.teaching.teach(OTHER, "A secret of another scope.")
    reply = await app.assistant.handle(
        Incoming("console", "local", SCOPE, "console:chat:local", command="export", args="jsonl")
    )
    assert reply.file is not None and reply.file.name.endswith(".jsonl")
    assert b"tulip42" in reply.file.data and b"secret of another scope" not in reply.file.data

    bad = await app.assistant.handle(
        Incoming("console", "local", SCOPE, "console:chat:local", command="export", args="xml")
    )
    assert bad.file is None and "choose json, jsonl or text" in bad.text


def test_cli_export_to_file_and_ingest_back(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOUVENIR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOUVENIR_OLLAMA__HOST", "http://127.0.0.1:9")
    monkeypatch.setenv("SOUVENIR_LANGUAGE", "en")
    (tmp_path / "guide.json").write_text(json.dumps(GUIDE))
    assert main(["ingest", str(tmp_path / "guide.json")]) == 0
    backup = tmp_path / "out" / "backup.json"
    assert main(["export", "--format", "json", "--out", str(backup)]) == 0
    assert main(["ingest", str(backup), "--scope", OTHER]) == 0
    capsys.readouterr()
    assert main(["export", "--format", "json", "--scope", OTHER]) == 0
    assert _content(capsys.readouterr().out.encode()) == _content(backup.read_bytes())
    assert main(["export", "--format", "text"]) == 0
    assert "Human: What do I water first?" in capsys.readouterr().out
