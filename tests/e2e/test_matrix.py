"""The Matrix adapter end to end: real matrix-nio clients against a real Synapse on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from adapters.matrix_bot import MatrixAdapter
from bot.settings import MatrixSettings
from tests.e2e import synapse as synapse_server
from tests.e2e.matrix_fixtures import MatrixUser

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="session")
def synapse(tmp_path_factory) -> synapse_server.Synapse:
    """One homeserver for the whole session (installed on first use)."""
    server = synapse_server.start(tmp_path_factory.mktemp("synapse"))
    yield server
    server.stop()


def unique(name: str) -> str:
    return f"{name}{secrets.token_hex(3)}"


@pytest.fixture
async def users(synapse, tmp_path) -> AsyncIterator:
    """`await users("alice", encryption=False)`: a logged-in, syncing test user."""
    opened: list[MatrixUser] = []

    async def factory(name: str, *, encryption: bool = False) -> MatrixUser:
        name = unique(name)
        user = await MatrixUser(
            synapse, name, tmp_path / "clients" / name, encryption=encryption
        ).__aenter__()
        opened.append(user)
        return user

    yield factory
    for user in opened:
        await user.__aexit__()


@pytest.fixture
async def bot(synapse, make_app) -> AsyncIterator:
    """`await bot(allowed=[users...])`: the app and a started MatrixAdapter as a fresh bot account."""
    adapters: list[MatrixAdapter] = []
    state: dict = {}

    async def factory(*allowed: MatrixUser, edit_interval: float = 0.2, **overrides):
        if "app" not in state:
            state["app"] = await make_app(allowed_users=[f"matrix:{u.user_id}" for u in allowed], **overrides)
            state["name"] = unique("souvenir")
            state["password"] = secrets.token_hex(8)
            state["user_id"] = synapse.register(state["name"], state["password"])
        app = state["app"]
        settings = MatrixSettings(
            homeserver=synapse.url,
            user_id=state["user_id"],
            password=SecretStr(state["password"]),
            edit_interval=edit_interval,
        )
        adapter = MatrixAdapter(settings, app.assistant, app.settings.data_dir)
        await adapter.start()
        adapters.append(adapter)
        for user in allowed:
            user.bot_id = state["user_id"]
        return adapter

    yield factory
    for adapter in adapters:
        await adapter.stop()


async def dm(user: MatrixUser, adapter: MatrixAdapter, *, encrypted: bool = False) -> str:
    """A two-person room with the bot, once the bot has joined."""
    room_id = await user.create_room(adapter.client.user_id, encrypted=encrypted, direct=True)
    await user.wait_for(
        lambda: (
            adapter.client.user_id in user.client.rooms[room_id].users
            and adapter.client.user_id not in user.client.rooms[room_id].invited_users
        )
    )
    # The user can see the join before the bot's own sync has delivered the room to it.
    await user.wait_for(lambda: room_id in adapter.client.rooms)
    return room_id


async def three_person_room(alice: MatrixUser, carol: MatrixUser, adapter: MatrixAdapter) -> str:
    """A room of alice, carol and the bot, once the bot's sync shows all three members."""
    group = await alice.create_room(adapter.client.user_id, carol.user_id)
    await carol.join(group)
    await alice.wait_for(
        lambda: group in adapter.client.rooms and len(adapter.client.rooms[group].users) == 3
    )
    return group


async def test_invite_join_teach_then_answer_from_the_fact(bot, users, fake_ollama):
    alice = await users("alice")
    adapter = await bot(alice)

    def quote_memory(messages: list[dict]) -> str:
        lines = [
            line for m in messages for line in m["content"].splitlines() if "Rex" in line and "?" not in line
        ]
        return "From memory: " + (lines[0] if lines else "nothing")

    fake_ollama.reply = quote_memory
    room = await dm(alice, adapter)
    assert room in adapter.client.rooms

    taught = await alice.answer(room, "!teach My dog is called Rex")
    assert "Remembered as #" in taught
    answer = await alice.answer(room, "What is my dog called?", done=lambda t: "From memory:" in t)
    assert "My dog is called Rex" in answer
    help_text = await alice.answer(room, "!help")
    assert "teach" in help_text and "forget" in help_text


async def test_file_upload_is_ingested_and_retrievable(bot, users):
    alice = await users("alice")
    adapter = await bot(alice)
    room = await dm(alice, adapter)

    event = await alice.send_file(room, "notes.txt", b"The spare key is under the blue flowerpot.")
    confirmation = await alice.reply_text(event, done=lambda t: "✅" in t or "❌" in t)
    assert "✅ notes.txt" in confirmation and "document #" in confirmation
    listed = await alice.answer(room, "!remember flowerpot")
    assert "blue flowerpot" in listed


async def test_unsupported_and_oversized_files_are_refused_with_a_message(bot, users):
    alice = await users("alice")
    adapter = await bot(alice, limits={"max_upload_bytes": 100})
    room = await dm(alice, adapter)

    exe = await alice.send_file(room, "tool.exe", b"MZ\x00\x01", mime="application/octet-stream")
    assert "unsupported file type" in await alice.reply_text(exe)
    big = await alice.send_file(room, "big.txt", b"word " * 100)
    assert "too large" in await alice.reply_text(big)
    assert "Nothing remembered" in await alice.answer(room, "!remember")


async def test_group_room_shares_a_scope_while_dms_stay_private(bot, users):
    alice, carol = await users("alice"), await users("carol")
    adapter = await bot(alice, carol)
    group = await three_person_room(alice, carol, adapter)

    assert "Remembered" in await alice.answer(group, "!teach The team meeting is on Thursday")
    assert "Thursday" in await carol.answer(group, "!remember")

    alice_dm = await dm(alice, adapter)
    assert "Remembered" in await alice.answer(alice_dm, "!teach My PIN hint is the cat's birthday")
    carol_dm = await dm(carol, adapter)
    assert "Nothing remembered" in await carol.answer(carol_dm, "!remember")
    assert "Thursday" not in await alice.answer(alice_dm, "!remember")
    assert "PIN" not in await carol.answer(group, "!remember")


async def test_group_room_answers_mentions_and_replies_and_ignores_the_rest(bot, users, fake_ollama):
    alice, carol = await users("alice"), await users("carol")
    adapter = await bot(alice, carol)
    me = adapter.client.user_id
    group = await three_person_room(alice, carol, adapter)

    chatter = await alice.send(group, "Carol, lunch at noon?")
    pill = f'<a href="https://matrix.to/#/{me}">Souvenir</a>: how are you?'
    mention = await alice.answer(
        group,
        "Souvenir: how are you?",
        format="org.matrix.custom.html",
        formatted_body=pill,
        done=lambda t: "how are you" in t,
    )
    assert "You said: how are you?" in mention
    by_id = await carol.answer(group, f"{me} what time is it?", done=lambda t: "time" in t)
    assert "what time is it" in by_id
    first_reply = next(m for m in alice.messages.values() if m.text == mention)
    follow_up = await alice.answer(
        group,
        "and tomorrow?",
        **{"m.relates_to": {"m.in_reply_to": {"event_id": first_reply.event_id}}},
        done=lambda t: "tomorrow" in t,
    )
    assert "and tomorrow?" in follow_up
    assert alice.replies_to(chatter) == []


async def test_answers_in_the_thread_it_was_asked_in(bot, users):
    alice = await users("alice")
    adapter = await bot(alice)
    room = await dm(alice, adapter)
    root = await alice.send(room, "!status")
    await alice.reply_text(root)
    event = await alice.send(room, "!help", **{"m.relates_to": {"rel_type": "m.thread", "event_id": root}})
    await alice.reply_text(event)
    reply = alice.replies_to(event)[0]
    assert reply.relates_to["rel_type"] == "m.thread" and reply.relates_to["event_id"] == root


async def test_long_answers_stream_by_few_paragraph_edits(bot, users, fake_ollama):
    alice = await users("alice")
    adapter = await bot(alice, edit_interval=0.3)
    paragraphs = [f"Paragraph {i} " + "word " * 25 for i in range(30)]  # within the 1,024 tokens of an answer
    fake_ollama.reply = "\n\n".join(p.strip() for p in paragraphs)
    fake_ollama.chunk_delay = 0.002
    room = await dm(alice, adapter)

    event = await alice.send(room, "Tell me a long story")
    await alice.reply_text(event, done=lambda t: "Paragraph 29" in t)
    message = alice.replies_to(event)[0]
    words = len(fake_ollama.reply.split(" "))
    assert message.edits < words / 10
    assert message.text.endswith(paragraphs[-1].strip())
    for version in message.versions[:-1]:
        assert version.rstrip().endswith("word")  # intermediate edits stop at a paragraph end


async def test_restart_keeps_the_device_and_does_not_answer_old_messages(bot, users, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    alice = await users("alice")
    adapter = await bot(alice)
    room = await dm(alice, adapter)
    first = await alice.send(room, "!teach The boiler was serviced in May")
    await alice.reply_text(first)
    device = adapter.client.device_id
    devices_before = sorted(d.id for d in (await adapter.client.devices()).devices)
    await adapter.stop()
    stored = json.loads((tmp_path / "data" / "matrix" / "session.json").read_text())
    assert stored["device_id"] == device and stored["next_batch"]

    while_down = await alice.send(room, "!remember boiler")
    again = await bot(alice)
    assert again.client.device_id == device
    assert "boiler" in await alice.reply_text(while_down)
    after = await alice.answer(room, "!status")
    assert "Memories: 1" in after
    assert len(alice.replies_to(first)) == 1
    assert stored["access_token"] not in caplog.text
    assert stored["access_token"] not in str(MatrixSettings())  # and settings never print secrets
    devices = await again.client.devices()
    assert sorted(d.id for d in devices.devices) == devices_before


async def test_invites_from_unknown_users_are_declined_and_their_messages_ignored(bot, users, fake_ollama):
    alice, mallory = await users("alice"), await users("mallory")
    adapter = await bot(alice)
    me = adapter.client.user_id
    room = await mallory.create_room(me)
    await mallory.wait_for(lambda: me not in mallory.client.rooms[room].users)
    assert room not in adapter.client.rooms

    group = await alice.create_room(me, mallory.user_id)
    await mallory.join(group)
    await alice.wait_for(
        lambda: group in adapter.client.rooms and len(adapter.client.rooms[group].users) == 3
    )
    denied = await mallory.answer(group, "!teach I own this bot")
    assert "not on my list" in denied
    assert "Nothing remembered" in await alice.answer(group, "!remember")


async def test_encrypted_dm_is_read_and_answered(bot, users):
    alice = await users("alice", encryption=True)
    adapter = await bot(alice)
    room = await dm(alice, adapter, encrypted=True)
    assert alice.client.rooms[room].encrypted

    taught = await alice.answer(room, "!teach The wifi password is on the fridge")
    assert "Remembered as #" in taught
    event = await alice.send_file(room, "secret.md", b"# Plan\nThe launch is on the 3rd of March.")
    assert "✅ secret.md" in await alice.reply_text(event, done=lambda t: "✅" in t or "❌" in t)
    assert "3rd of March" in await alice.answer(room, "!remember launch")
    replies = [m for m in alice.messages.values() if m.room_id == room]
    assert replies and all(m.encrypted for m in replies)  # every answer was sent encrypted


async def test_an_undecryptable_message_gets_a_notice_in_a_dm_and_silence_in_a_group(bot, users):
    alice, carol = await users("alice", encryption=True), await users("carol", encryption=True)
    adapter = await bot(alice, carol)
    room = await dm(alice, adapter, encrypted=True)
    notice = await alice.reply_text(await alice.send_undecryptable(room))
    assert "could not decrypt" in notice
    # In a group the message may not even be for the bot: it asks for the key and says nothing.
    group = await alice.create_room(adapter.client.user_id, carol.user_id, encrypted=True)
    await carol.join(group)
    await alice.wait_for(lambda: group in adapter.client.rooms and len(adapter.client.rooms[group].users) == 3)
    unreadable = await alice.send_undecryptable(group)
    asked = await alice.answer(group, "!remember")
    assert asked, "the bot reads the group (this answer comes after the unreadable event)"
    assert alice.replies_to(unreadable) == []
    assert not [m for m in alice.messages.values() if m.room_id == group and "decrypt" in m.text]


async def test_the_bot_name_inside_a_sentence_is_not_a_mention(bot, users, fake_ollama):
    alice, carol = await users("alice"), await users("carol")
    adapter = await bot(alice, carol)
    me = adapter.client.user_id
    group = await three_person_room(alice, carol, adapter)
    await adapter.client.set_displayname("Souvenir")
    await alice.wait_for(lambda: adapter.client.rooms[group].user_name(me) == "Souvenir")

    chatter = await alice.send(group, "On a ramené un souvenir de Rome")
    asked = await carol.answer(group, "Souvenir, quelle heure est-il ?", done=lambda t: "quelle heure" in t)
    assert "You said: quelle heure est-il ?" in asked
    assert alice.replies_to(chatter) == []
    assert [r["messages"][-1]["content"] for r in fake_ollama.chat_requests] == ["quelle heure est-il ?"]


async def test_a_file_in_a_shared_room_is_read_only_when_addressed(bot, users):
    alice, carol, mallory = await users("alice"), await users("carol"), await users("mallory")
    adapter = await bot(alice, carol)
    me = adapter.client.user_id
    group = await alice.create_room(me, carol.user_id, mallory.user_id)
    await carol.join(group)
    await mallory.join(group)
    await alice.wait_for(lambda: group in adapter.client.rooms and len(adapter.client.rooms[group].users) == 4)

    menu = await carol.send_file(group, "menu.txt", b"Friday: fish and chips.")
    junk = await mallory.send_file(group, "junk.txt", b"Buy my product.")
    kept = await alice.send_file(group, "recipes.txt", b"Pancakes need eggs.", caption=f"{me}: keep this")
    assert "✅ recipes.txt" in await alice.reply_text(kept, done=lambda t: "✅" in t)
    listed = await alice.answer(group, "!remember")
    assert "Pancakes" in listed and "fish" not in listed and "product" not in listed
    assert alice.replies_to(menu) == [] and alice.replies_to(junk) == []
    assert not any("not on my list" in m.text for m in alice.messages.values())


async def test_matrix_words_every_command_with_an_exclamation_mark(bot, users):
    alice, mallory = await users("alice"), await users("mallory")
    adapter = await bot(alice)
    me = adapter.client.user_id
    room = await dm(alice, adapter)
    help_text = await alice.answer(room, "!help")
    assert "!teach TEXT" in help_text and "!remember [QUERY]" in help_text
    assert "\n• teach" not in help_text

    shared = await alice.create_room(me, mallory.user_id)
    await mallory.join(shared)
    await alice.wait_for(lambda: shared in adapter.client.rooms and len(adapter.client.rooms[shared].users) == 3)
    line = await mallory.answer(shared, "!teach I own this bot")
    assert mallory.user_id not in line and "start" not in line, "no id or pairing text in a group"
    await alice.client.room_leave(shared)
    await mallory.wait_for(lambda: len(adapter.client.rooms[shared].users) == 2)
    refusal = await mallory.answer(shared, "hello")
    assert f"matrix:{mallory.user_id}" in refusal and "!start CODE" in refusal and "/start" not in refusal


# --- from a phone: photos (m.image) and voice messages (m.audio) -------------------------------


async def test_a_photo_of_a_french_page_is_read_and_comes_back_in_a_later_prompt(bot, users, fake_ollama):
    from bench.phone_media import FRENCH_LINES, draw_text

    alice = await users("alice", encryption=True)
    adapter = await bot(alice, language="fr")
    room = await dm(alice, adapter, encrypted=True)
    page = draw_text(FRENCH_LINES)
    event = await alice.send_file(room, "facture.png", page, mime="image/png", msgtype="m.image")
    reply = await alice.reply_text(event, done=lambda t: "✅" in t or "❌" in t, timeout=60)
    assert "📷 facture.png\u00a0: «\u00a0Facture n° 4827 du 12/03/2026\u202f»" in reply and "✅ facture.png" in reply, reply

    await alice.answer(room, "Combien dois-je pour l'électricité ?", done=lambda t: "You said" in t)
    prompt = fake_ollama.chat_requests[-1]["messages"][0]["content"]
    assert "73,45 €" in prompt and "facture.png" in prompt


async def test_an_image_without_text_stores_nothing(bot, users):
    from bench.phone_media import blank_photo

    alice = await users("alice")
    adapter = await bot(alice)
    room = await dm(alice, adapter)
    event = await alice.send_file(room, "wall.jpg", blank_photo(), mime="image/jpeg", msgtype="m.image")
    assert "no readable text" in await alice.reply_text(event, done=lambda t: "❌" in t, timeout=60)
    assert "Nothing remembered" in await alice.answer(room, "!remember")


async def test_a_voice_message_is_transcribed_and_a_spoken_teach_is_stored(bot, users, fake_ollama):
    from bench.phone_media import speak

    alice = await users("alice")
    adapter = await bot(alice)
    room = await dm(alice, adapter)
    note = speak("Teach: the spare key is under the blue flower pot.", "en")
    voice = {"org.matrix.msc3245.voice": {}}
    event = await alice.send_file(
        room, "Voice message.ogg", note, mime="audio/ogg", msgtype="m.audio", info={"duration": 4000}, **voice
    )
    taught = await alice.reply_text(event, done=lambda t: "Remembered" in t or "❌" in t, timeout=120)
    assert taught.startswith("🎤 ") and "Remembered as #" in taught, taught
    assert "blue flower pot" in (await alice.answer(room, "!remember key")).lower()

    question = speak("Where does my sister Alice live now? Is it Lisbon?", "en")
    event = await alice.send_file(
        room, "Voice message.ogg", question, mime="audio/ogg", msgtype="m.audio", **voice
    )
    heard = await alice.reply_text(event, done=lambda t: "You said" in t or "❌" in t, timeout=120)
    assert heard.startswith("🎤 ") and "lisbon" in heard.lower(), heard
    assert "lisbon" in fake_ollama.chat_requests[-1]["messages"][-1]["content"].lower()



async def test_the_core_messages_a_user_in_a_direct_room_opening_one_when_needed(bot, users):
    alice, bob = await users("alice"), await users("bob")
    adapter = await bot(alice)
    notifier = adapter._assistant.notifier
    room = await dm(alice, adapter)
    assert await notifier.tell(f"matrix:{alice.user_id}", "🔔 For Alice")
    await alice.wait_for(lambda: any(m.text == "🔔 For Alice" and m.room_id == room for m in alice.messages.values()))

    assert await notifier.tell(f"matrix:{bob.user_id}", "🔔 For Bob")  # no room yet: one is opened, Bob invited
    await bob.wait_for(lambda: bob.client.invited_rooms)
    invited = next(iter(bob.client.invited_rooms))
    await bob.join(invited)
    await bob.wait_for(lambda: any(m.text == "🔔 For Bob" for m in bob.messages.values()))
    assert await notifier.tell(f"matrix:{bob.user_id}", "🔔 Again")
    await bob.wait_for(lambda: any(m.text == "🔔 Again" for m in bob.messages.values()))
    assert {m.room_id for m in bob.messages.values()} == {invited}, "the same direct room is used again"


async def test_a_stranger_s_direct_chat_is_joined_so_they_can_ask_while_group_invites_are_declined(bot, users):
    alice, mallory = await users("alice"), await users("mallory")
    adapter = await bot(alice)
    room = await dm(mallory, adapter)
    refusal = await mallory.answer(room, "hello")
    assert mallory.user_id in refusal and "!request" in refusal


FAMILY_CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


async def test_strangers_open_a_direct_chat_and_are_let_in_by_invitation_or_request(bot, users):
    alice, bob, carol = await users("alice"), await users("bob"), await users("carol")
    adapter = await bot()  # nobody is listed in the settings
    access = adapter._assistant.access

    room = await dm(alice, adapter)  # a direct chat is accepted from anyone: they may ask there
    assert "owner" in await alice.answer(room, f"!start {access.new_pairing_code()}")
    invitation = await alice.answer(room, "!invite")
    code = FAMILY_CODE.search(invitation).group(0)
    assert "!start" in invitation

    bob_room = await dm(bob, adapter)
    assert "Welcome" in await bob.answer(bob_room, f"!start {code}")
    assert "Remembered" in await bob.answer(bob_room, "!teach Bob plays the cello")

    carol_room = await dm(carol, adapter)
    assert "!request" in await carol.answer(carol_room, "hello")
    assert "sent to the owner" in await carol.answer(carol_room, "!request Bob's sister")
    notice = await alice.wait_for(
        lambda: next((m.text for m in alice.messages.values() if "asks for access" in m.text), None)
    )
    assert carol.user_id in notice and "Bob's sister" in notice
    number = re.search(r"!approve (\d+)", notice).group(1)
    assert "is now a member" in await alice.answer(room, f"!approve {number}")
    await carol.wait_for(lambda: any("accepted" in m.text for m in carol.messages.values()))
    assert "Remembered" in await carol.answer(carol_room, "!teach Carol likes tea")
    assert await access.role(f"matrix:{carol.user_id}") == "member"


@pytest.mark.timeout(300)
async def test_an_encrypted_french_voice_message_and_video_are_heard(bot, users, fake_ollama):
    from bench.phone_media import speak, video_note

    alice = await users("alice", encryption=True)
    adapter = await bot(alice, language="fr")
    room = await dm(alice, adapter, encrypted=True)
    note = speak("Où est la clé de la voiture ?", "fr")
    voice = {"org.matrix.msc3245.voice": {}}
    event = await alice.send_file(
        room, "Voice message.ogg", note, mime="audio/ogg", msgtype="m.audio", info={"duration": 3000}, **voice
    )
    heard = await alice.reply_text(event, done=lambda t: "You said" in t or "❌" in t, timeout=120)
    assert heard.startswith("🎤 ") and "clé" in heard.lower() and "voiture" in heard.lower(), heard

    clip = video_note("Où est la clé de la voiture ?", "fr")
    event = await alice.send_file(room, "clip.mp4", clip, mime="video/mp4", msgtype="m.video", info={"duration": 5000})
    seen = await alice.reply_text(event, done=lambda t: "You said" in t or "❌" in t, timeout=120)
    assert seen.startswith("🎤 ") and "voiture" in seen.lower(), seen
    replies = [m for m in alice.messages.values() if m.room_id == room]
    assert replies and all(m.encrypted for m in replies)
    assert "Je n’ai encore rien retenu ici" in await alice.answer(room, "!souvenirs")


# --- memory from conversation ------------------------------------------------------------------------


async def test_a_statement_gets_an_annotation_and_forget_removes_it(bot, users):
    alice = await users("alice")
    adapter = await bot(alice)
    room = await dm(alice, adapter)
    said = await alice.send(room, "My daughter Chloe starts swimming lessons on Saturday at 10")
    await alice.wait_for(lambda: said in alice.reactions)
    assert alice.reactions[said] == [(adapter.client.user_id, "✍️")]
    assert "You said:" in await alice.reply_text(said)
    listed = await alice.answer(room, "!remember")
    assert "conversation" in listed and "Chloe" in listed
    asked = await alice.send(room, "what time is it?")
    await alice.reply_text(asked)
    assert asked not in alice.reactions
    assert "Forgot #1" in await alice.answer(room, "!forget 1")
    assert "Nothing remembered" in await alice.answer(room, "!remember")


async def test_in_a_group_room_the_default_is_explicit_and_chatter_is_never_stored(bot, users):
    alice, carol = await users("alice"), await users("carol")
    adapter = await bot(alice, carol)
    group = await three_person_room(alice, carol, adapter)
    chatter = await carol.send(group, "We moved to 4 Elm Street last month")
    named = await alice.send(group, f"{adapter.client.user_id}: My boss Sarah prefers reports on Fridays")
    assert "You said:" in await alice.reply_text(named)
    taught = await alice.answer(group, f"{adapter.client.user_id}: remember that the garage code is 7781")
    assert "Remembered as #1" in taught
    assert "admin" in await carol.answer(group, "!memory auto")
    listed = await alice.answer(group, "!remember")
    assert "7781" in listed and "Sarah" not in listed and "Elm" not in listed
    assert chatter not in alice.reactions and named not in alice.reactions
