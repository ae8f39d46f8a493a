"""What a user relies on, with the real MiniLM, SQLite, FAISS and the real ollama client."""

import re
import shutil

import pytest

from core.errors import UnknownMemory
from tests.requests import say

pytestmark = pytest.mark.timeout(120)


def _system_prompt(fake_ollama) -> str:
    return fake_ollama.chat_requests[-1]["messages"][0]["content"]


async def test_teach_then_ask_puts_the_fact_in_the_prompt(make_app, fake_ollama):
    app = await make_app(embedder="minilm")
    reply = await say(app, command="teach", args="My sister Clara was born on 12 March 1990.")
    memory_id = int(re.search(r"#(\d+)", reply).group(1))
    await say(app, command="teach", args="The wifi password is on the fridge.")
    answer = await say(app, "When is Clara's birthday?")
    assert answer.startswith("You said: When is Clara's birthday?")
    prompt = _system_prompt(fake_ollama)
    assert f"[#{memory_id}]" in prompt and "12 March 1990" in prompt
    assert "wifi" not in prompt, "an unrelated memory was put in the prompt"


async def test_correct_supersedes_the_fact_and_ranks_first(make_app):
    app = await make_app(embedder="minilm")
    wrong = await app.memory.teaching.teach("console:user:local", "The dentist appointment is on Tuesday.")
    await app.memory.teaching.teach("console:user:local", "The car needs new tyres.")
    reply = await say(
        app,
        command="correct",
        args="The dentist appointment is on Tuesday | The dentist appointment is on Thursday.",
    )
    assert f"#{wrong.id}" in reply
    hits = await app.memory.reading.search("console:user:local", "when is the dentist appointment")
    assert hits[0].memory.text == "The dentist appointment is on Thursday."
    assert wrong.id not in [h.memory.id for h in hits]
    for mode in ("keyword", "dense"):
        assert wrong.id not in [
            h.memory.id for h in await app.memory.reading.search("console:user:local", "dentist Tuesday", mode=mode)
        ]


async def test_correction_comes_with_and_ahead_of_a_document_chunk(make_app, fake_ollama):
    app = await make_app(embedder="minilm")
    text = (
        "Our house was built in 1932. The roof was replaced in 2015. The boiler is in the cellar. "
        "The garden has three apple trees."
    )
    report = await app.memory.documents.ingest("console:user:local", "house.txt", text.encode())
    reply = await say(
        app, command="correct", args="The roof was replaced in 2015 | The roof was replaced in 2019."
    )
    assert f"#{report.memory_ids[0]}" in reply
    hits = await app.memory.reading.search("console:user:local", "When was the roof replaced?")
    chunk_hit = next(h for h in hits if h.memory.id == report.memory_ids[0])
    assert [c.text for c in chunk_hit.corrected_by] == ["The roof was replaced in 2019."]
    await say(app, "How old is the house and when was the roof replaced?")
    prompt = _system_prompt(fake_ollama)
    assert "built in 1932" in prompt
    assert prompt.index("replaced in 2019") < prompt.index("built in 1932")


async def test_forget_removes_from_search_remember_and_keywords(make_app):
    app = await make_app(embedder="minilm")
    keep = await app.memory.teaching.teach("console:user:local", "Léa likes strawberries.")
    gone = await app.memory.teaching.teach("console:user:local", "The locker code is 4312.")
    reply = await say(app, command="forget", args=f"#{gone.id}")
    assert "4312" in reply
    for mode in ("hybrid", "dense", "keyword"):
        ids = [
            h.memory.id for h in await app.memory.reading.search("console:user:local", "locker code 4312", mode=mode)
        ]
        assert gone.id not in ids
    listing = await say(app, command="remember")
    assert f"#{keep.id}" in listing and "4312" not in listing
    assert f"#{gone.number} is already forgotten" in await say(app, command="forget", args=str(gone.number))


async def test_everything_survives_a_restart_and_lost_indexes_are_rebuilt(make_app, tmp_path):
    data = tmp_path / "persist"
    app = await make_app(embedder="minilm", data_dir=data)
    facts = [
        "The spare key is under the blue pot.",
        "Max is allergic to peanuts.",
        "The bins go out on Monday.",
    ]
    for fact in facts:
        await app.memory.teaching.teach("console:user:local", fact)
    await app.memory.documents.ingest(
        "console:user:local", "trip.md", b"# Trip\n\nThe flight to Lisbon leaves at 7:40."
    )
    before = [
        (h.memory.id, round(h.score, 6))
        for h in await app.memory.reading.search("console:user:local", "peanut allergy")
    ]
    await app.close()

    again = await make_app(embedder="minilm", data_dir=data)
    after = [
        (h.memory.id, round(h.score, 6))
        for h in await again.memory.reading.search("console:user:local", "peanut allergy")
    ]
    assert after == before
    assert again.indexes.loader.rebuilds == 0
    await again.close()

    shutil.rmtree(data / "indexes")
    rebuilt = await make_app(embedder="minilm", data_dir=data)
    assert [
        (h.memory.id, round(h.score, 6))
        for h in await rebuilt.memory.reading.search("console:user:local", "peanut allergy")
    ] == before
    assert rebuilt.indexes.loader.rebuilds == 1
    assert (
        "Lisbon"
        in (await rebuilt.memory.reading.search("console:user:local", "when does the flight leave"))[0].memory.text
    )


async def test_an_index_that_disagrees_with_the_store_is_brought_level_with_it(make_app, tmp_path):
    data = tmp_path / "stale"
    app = await make_app(data_dir=data)
    await app.memory.teaching.teach("console:user:local", "First fact about apples.")
    await app.close()
    stale_index = next((data / "indexes").glob("*.faiss")).read_bytes()
    app = await make_app(data_dir=data)
    second = await app.memory.teaching.teach("console:user:local", "Second fact about pears.")
    await app.close()
    next((data / "indexes").glob("*.faiss")).write_bytes(stale_index)
    app = await make_app(data_dir=data)
    hits = await app.memory.reading.search("console:user:local", "pears", mode="dense")
    assert hits[0].memory.id == second.id
    assert (app.indexes.loader.catch_ups, app.indexes.loader.rebuilds) == (1, 0)  # the missing vector added from the store


async def test_a_document_ingested_twice_is_reported_not_stored_twice(make_app):
    app = await make_app()
    files = {"notes.txt": b"The meeting room is B12. Coffee is on the third floor."}
    first = await say(app, files=files)
    second = await say(app, files=files)
    assert first.startswith("✅ notes.txt")
    assert "already known" in second
    status = await app.memory.reading.status("console:user:local")
    assert status.stats.documents == 1 and status.stats.live == 1


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("scan.pdf", b"%PDF-1.7 not really", "not a valid PDF"),
        ("photo.jpg", b"\xff\xd8\xff", "not an image I can open"),
        ("backup.zip", b"PK\x03\x04", "unsupported file type"),
        ("data.json", b"{broken", "not valid JSON"),
    ],
)
async def test_a_bad_file_gets_a_clear_message_and_nothing_is_stored(make_app, name, data, expected):
    app = await make_app()
    reply = await say(app, files={name: data})
    assert reply.startswith(f"❌ {name}") and expected in reply
    status = await app.memory.reading.status("console:user:local")
    assert status.stats.live == 0 and status.stats.documents == 0


async def test_a_file_over_the_limit_is_refused_before_download(make_app):
    app = await make_app(limits={"max_upload_bytes": 10})
    fetched = []

    from core.models import Attachment
    from tests.requests import request

    async def fetch():
        fetched.append(True)
        return b"x" * 100

    incoming = request()
    incoming.attachments = [Attachment("big.txt", 100, fetch)]
    text = await (await app.assistant.handle(incoming)).final_text()
    assert "too large" in text and fetched == []


async def test_two_scopes_never_see_each_other(make_app, fake_ollama):
    app = await make_app(embedder="minilm", allowed_users=["telegram:1"])
    alice, group = "telegram:user:1", "telegram:chat:-100"
    cat = await app.memory.teaching.teach(alice, "Alice's cat is called Miso.")
    secret = await app.memory.teaching.teach(alice, "Alice's bank PIN is 9876.")
    shared = await app.memory.teaching.teach(group, "The group trip is to Annecy.")
    assert (secret.number, shared.number) == (2, 1), "numbers count within each scope"
    assert [h.memory.id for h in await app.memory.reading.search(group, "bank PIN 9876", limit=50)] == [shared.id]
    assert {h.memory.id for h in await app.memory.reading.search(alice, "group trip Annecy", limit=50)} == {
        cat.id,
        secret.id,
    }
    listing = await say(app, command="remember", scope=group, user="1", platform="telegram")
    assert "Annecy" in listing and "9876" not in listing
    refused = await say(
        app, command="forget", args=str(secret.number), scope=group, user="1", platform="telegram"
    )
    assert "no memory" in refused.lower()
    assert await app.memory.store.memories.get_memory(alice, secret.id) is not None
    await say(app, "What is the PIN?", scope=group, user="1", platform="telegram", chat="telegram:chat:-100")
    assert "9876" not in _system_prompt(fake_ollama)
    why = await say(app, command="why", scope=group, user="1", platform="telegram", chat="telegram:chat:-100")
    assert "9876" not in why
    with pytest.raises(UnknownMemory):
        await app.memory.forgetting.forget(group, secret.id)


async def test_changing_the_embedder_re_embeds_existing_memories(tmp_path):
    from bot.app import build_app
    from bot.settings import Settings
    from core.embeddings.fake import HashingEmbedder

    settings = Settings(_env_file=None, data_dir=tmp_path / "switch")
    app = await build_app(settings, embedder=HashingEmbedder(dimension=64))
    kept = await app.memory.teaching.teach("console:user:local", "The piano tuner comes in April.")
    await app.close()

    other = HashingEmbedder(dimension=128)
    other.name = "another-model"
    app = await build_app(settings, embedder=other)
    hits = await app.memory.reading.search("console:user:local", "piano tuner", mode="dense")
    assert [h.memory.id for h in hits] == [kept.id]
    assert await app.store.embeddings.texts_needing_embedding("console:user:local", "another-model") == []
    await app.close()


async def test_a_chunk_is_found_by_words_of_its_document_title(make_app):
    app = await make_app()
    body = " ".join(f"Clause {i} says the rent is due on day {i} of the month." for i in range(1, 40))
    report = await app.memory.documents.ingest("console:user:local", "contract.txt", f"Apartment lease\n\n{body}".encode())
    assert len(report.memory_ids) > 2
    found = await app.memory.reading.search("console:user:local", "apartment lease", limit=50, mode="keyword")
    assert sorted(h.memory.id for h in found) == sorted(report.memory_ids)
    assert any("lease" not in h.memory.text.lower() for h in found), "later chunks match through the title"


async def test_switching_to_the_multilingual_encoder_re_embeds_every_memory_with_progress(tmp_path):
    from bot.app import build_app
    from bot.settings import Settings
    from core.embeddings.fake import HashingEmbedder

    settings = Settings(_env_file=None, data_dir=tmp_path / "switch", language="fr")
    app = await build_app(settings, embedder=HashingEmbedder(dimension=64))
    scope = "console:user:local"
    taught = [await app.memory.teaching.teach(scope, f"Le casier numéro {i} contient les outils du jardin.") for i in range(5)]
    sister = await app.memory.teaching.teach(scope, "Clara, ma sœur, a vu le jour le 12 mars 1990.")
    await app.close()

    app = await build_app(settings)  # the default for French: the multilingual encoder
    seen: list[tuple[int, int]] = []
    app.indexes.loader.on_reembed = lambda _scope, done, total: seen.append((done, total))
    app.indexes.loader.reembed_batch = 4
    hits = await app.memory.reading.search(scope, "Quand est née ma sœur ?", mode="dense", limit=10)
    assert hits[0].memory.id == sister.id
    assert seen == [(4, 6), (6, 6)], "progress per batch"
    assert sorted(h.memory.id for h in hits) == sorted([m.id for m in taught] + [sister.id]), "nothing lost"
    assert await app.store.embeddings.texts_needing_embedding(scope, app.embedder.name) == []
    await app.close()
