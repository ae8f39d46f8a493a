"""End to end: the real python-telegram-bot against a local Bot API stand-in, the real core and Ollama client."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime

import aiohttp
import pytest
from telegram import Chat, Message
from telegram.error import BadRequest

from adapters.telegram_bot import TelegramAdapter
from adapters.telegram_settings import TelegramSettings
from core.models import Reply
from core.scope import group_scope, user_scope
from tests.e2e.telegram_fixtures import stand_in_settings
from tests.fakes.ollama_server import answers_from_memory
from tests.fakes.telegram_server import BOT_USERNAME, FakeTelegram

OWNER = 42


@pytest.fixture
async def bot(telegram, make_app):
    """A started adapter wired to a fresh app whose only allowed user is telegram:42."""
    app = await make_app(allowed_users=[f"telegram:{OWNER}"])
    settings = stand_in_settings(telegram)
    adapter = TelegramAdapter(settings, app.assistant)
    await adapter.start()
    yield adapter, app
    await adapter.stop()


async def answer_in(telegram: FakeTelegram, chat_id: int, needle: str, timeout: float = 10.0) -> str:
    """Wait until a bot message in `chat_id` contains `needle`, and return it."""
    await telegram.wait_for(lambda: any(needle in text for text in telegram.chat_text(chat_id)), timeout)
    return next(text for text in telegram.chat_text(chat_id) if needle in text)


async def test_startup_registers_commands_in_english_and_french(telegram, bot):
    await telegram.wait_for(lambda: telegram.sent("getUpdates"))
    methods = [call.method for call in telegram.calls]
    assert methods[0] == "getMe"
    assert "deleteWebhook" in methods and "getUpdates" in methods
    languages = {call.params.get("language_code") for call in telegram.sent("setMyCommands")}
    assert {"en", "fr"} <= languages
    fr = next(c for c in telegram.sent("setMyCommands") if c.params.get("language_code") == "fr")
    commands = {c["command"]: c["description"] for c in fr.params["commands"]}
    assert "apprends" in commands and "aide" in commands, "French users see French names"
    assert commands["demarre"].startswith("Démarrer")
    en = next(c for c in telegram.sent("setMyCommands") if c.params.get("language_code") == "en")
    assert "teach" in {c["command"] for c in en.params["commands"]}


async def test_private_message_is_answered_by_streamed_edits_with_typing(telegram, fake_ollama, bot):
    fake_ollama.reply = "Paris is the capital of France. " * 3
    fake_ollama.chunk_delay = 0.05
    telegram.push_message("What is the capital of France?")
    await telegram.wait_for(lambda: telegram.chat_text(OWNER) and telegram.chat_text(OWNER)[-1] == fake_ollama.reply.strip())
    assert telegram.sent("sendChatAction")[0].params["action"] == "typing"
    (sent,) = telegram.sent("sendMessage")  # one message, grown by edits
    assert "parse_mode" not in sent.params
    edits = [call.params["text"] for call in telegram.sent("editMessageText")]
    assert len(edits) >= 2
    assert edits[-1] == fake_ollama.reply.strip()
    assert all(fake_ollama.reply.startswith(edit) for edit in [sent.params["text"], *edits])
    assert len(sent.params["text"]) < len(edits[-1])


async def test_markup_like_answer_is_sent_as_plain_text(telegram, fake_ollama, bot):
    fake_ollama.reply = "Use *bold* or _x_ <b>tags</b> [link](http://x) `code"
    telegram.push_message("formatting?")
    await telegram.wait_for(
        lambda: telegram.chat_text(OWNER) and telegram.chat_text(OWNER)[-1] == fake_ollama.reply
    )


async def test_long_answer_is_split_at_4096_characters(telegram, fake_ollama, bot):
    fake_ollama.reply = ("word " * 1000).strip()  # 1,000 tokens: within the 1,024 an answer may have
    fake_ollama.chunk_words = 200
    telegram.push_message("say a lot")
    await telegram.wait_for(lambda: sum(len(t.split()) for t in telegram.chat_text(OWNER)) >= 1000)
    assert len(fake_ollama.reply) > 4096
    assert len(telegram.chat_text(OWNER)) == 2
    assert all(len(t) <= 4096 for t in telegram.chat_text(OWNER))


async def test_stranger_is_refused_and_can_pair_with_start_code(telegram, bot):
    _adapter, app = bot
    telegram.push_message("hello", user_id=99)
    assert "telegram:99" in await answer_in(telegram, 99, "telegram:99")
    telegram.push_message("/start WRONG", user_id=99)
    await telegram.wait_for(lambda: len(telegram.chat_text(99)) == 2)
    assert not await app.assistant.access.is_allowed("telegram:99")
    code = app.assistant.access.new_pairing_code()
    telegram.push_message(f"/start {code}", user_id=99)
    await telegram.wait_for(lambda: len(telegram.chat_text(99)) == 3)
    assert await app.assistant.access.is_allowed("telegram:99")


async def test_edited_messages_are_not_answered_again(telegram, fake_ollama, bot):
    telegram.push_message("first version", edited=True)
    telegram.push_message("second message")
    await answer_in(telegram, OWNER, "You said: second message")
    questions = [r["messages"][-1]["content"] for r in fake_ollama.chat_requests]
    assert questions == ["second message"]
    assert not any("first version" in text for text in telegram.chat_text(OWNER))


async def test_french_user_gets_french_replies(telegram, bot):
    telegram.push_message("/start", language_code="fr")
    await answer_in(telegram, OWNER, "Bonjour")


async def test_teach_in_private_writes_the_user_scope(telegram, bot):
    _adapter, app = bot
    telegram.push_message("/teach My cat is called Miso")
    await answer_in(telegram, OWNER, "#")
    assert await app.store.memories.count_live(user_scope("telegram", OWNER)) == 1


async def test_taught_fact_is_used_by_a_streamed_answer(telegram, fake_ollama, bot):
    fake_ollama.reply = answers_from_memory("Miso")
    telegram.push_message("/teach My cat is called Miso")
    await answer_in(telegram, OWNER, "#")
    telegram.push_message("What is my cat called?")
    await answer_in(telegram, OWNER, "From memory: Miso.")
    assert telegram.sent("editMessageText"), "the answer should stream by edits"
    assert telegram.chat_text(OWNER)[-1] == "From memory: Miso."


async def test_private_and_group_memories_stay_apart(telegram, fake_ollama, bot):
    group = -2002
    telegram.push_message("/teach My PIN is 9876")
    await answer_in(telegram, OWNER, "#")
    telegram.push_message(f"/teach@{BOT_USERNAME} The wifi code is 1234", chat_id=group, chat_type="group")
    await answer_in(telegram, group, "#")
    fake_ollama.reply = answers_from_memory("9876")
    telegram.push_message(f"@{BOT_USERNAME} what is my PIN?", chat_id=group, chat_type="group")
    await answer_in(telegram, group, "nothing about")
    fake_ollama.reply = answers_from_memory("1234")
    telegram.push_message("What is the wifi code?")
    await answer_in(telegram, OWNER, "nothing about")
    telegram.push_message(f"@{BOT_USERNAME} What is the wifi code?", chat_id=group, chat_type="group")
    await answer_in(telegram, group, "From memory: 1234.")


async def test_group_answers_only_commands_mentions_and_replies(telegram, fake_ollama, bot):
    _adapter, app = bot
    group = -1001
    telegram.push_message("just chatting among humans", chat_id=group, chat_type="supergroup")
    telegram.push_message(
        f"/teach@{BOT_USERNAME} The wifi code is 1234", chat_id=group, chat_type="supergroup"
    )
    await answer_in(telegram, group, "#")
    assert await app.store.memories.count_live(group_scope("telegram", "chat", group)) == 1
    assert await app.store.memories.count_live(user_scope("telegram", OWNER)) == 0
    telegram.push_message(f"@{BOT_USERNAME} hello there", chat_id=group, chat_type="supergroup")
    await answer_in(telegram, group, "You said")
    telegram.push_message("and a reply", chat_id=group, chat_type="group", reply_to_bot=True)
    await answer_in(telegram, group, "and a reply")
    questions = [r["messages"][-1]["content"] for r in fake_ollama.chat_requests]
    assert not any("among humans" in q for q in questions)
    assert all(f"@{BOT_USERNAME}" not in q for q in questions)


async def test_supported_document_is_downloaded_ingested_and_retrievable(telegram, fake_ollama, bot):
    _adapter, app = bot
    telegram.add_file("doc1", b"Souvenir keeps notes.\n\nThe boat is blue.")
    document = {
        "file_id": "doc1",
        "file_unique_id": "u1",
        "file_name": "notes.txt",
        "mime_type": "text/plain",
        "file_size": 40,
    }
    telegram.push_message(document=document)
    await answer_in(telegram, OWNER, "✅")
    assert telegram.downloads == ["doc1"]
    assert await app.store.memories.count_live(user_scope("telegram", OWNER)) >= 1
    fake_ollama.reply = answers_from_memory("The boat is blue")
    telegram.push_message("What colour is the boat?")
    await answer_in(telegram, OWNER, "From memory: The boat is blue.")


async def test_unsupported_or_oversized_document_is_refused_without_download(telegram, bot):
    _adapter, app = bot
    telegram.add_file("exe", b"MZ...")
    telegram.add_file("big", b"x" * 10)
    telegram.push_message(
        document={"file_id": "exe", "file_unique_id": "u2", "file_name": "setup.exe", "file_size": 5}
    )
    await answer_in(telegram, OWNER, "setup.exe")
    telegram.push_message(
        document={
            "file_id": "big",
            "file_unique_id": "u3",
            "file_name": "huge.txt",
            "file_size": 50 * 1024 * 1024,
        }
    )
    await answer_in(telegram, OWNER, "huge.txt")
    assert telegram.sent("getFile") == [] and telegram.downloads == []
    assert await app.store.memories.count_live(user_scope("telegram", OWNER)) == 0


async def test_flood_control_429_is_waited_and_retried(telegram, bot):
    telegram.fail_next["sendMessage"] = 1
    telegram.push_message("/start")
    await answer_in(telegram, OWNER, "Souvenir")
    assert len(telegram.sent("sendMessage")) == 2


async def test_transient_network_error_is_retried(telegram, bot):
    telegram.bad_gateway_next.add("sendMessage")
    telegram.push_message("/start")
    await answer_in(telegram, OWNER, "Souvenir")
    assert len(telegram.sent("sendMessage")) == 2, "the failed send was retried once"


def bound_message(adapter: TelegramAdapter, chat_id: int) -> Message:
    """A message of the owner's private chat, bound to the adapter's real bot."""
    chat = Chat(id=chat_id, type="private")
    chat.set_bot(adapter._app.bot)
    message = Message(message_id=1, date=datetime.now(UTC), chat=chat)
    message.set_bot(adapter._app.bot)
    return message


async def test_edit_with_identical_text_is_ignored(telegram, bot):
    adapter, _app = bot
    telegram.started.add(OWNER)  # a bot may message a user only once they have written to it
    sent = await adapter._app.bot.send_message(OWNER, "same")
    with pytest.raises(BadRequest, match="not modified"):
        await sent.edit_text("same")

    async def snapshots():
        yield "same"

    edit = await adapter.edit_ignoring_unchanged(sent, "same")
    await adapter.render(bound_message(adapter, OWNER), Reply(updates=snapshots()))
    assert edit is None
    assert telegram.chat_text(OWNER) == ["same", "same"]


async def test_export_sends_the_chats_memory_as_a_document(telegram, bot):
    telegram.push_message("/teach The spare key is under the blue pot")
    await answer_in(telegram, OWNER, "#")
    telegram.push_message("/export jsonl")
    await telegram.wait_for(lambda: telegram.sent("sendDocument"))
    document = telegram.sent("sendDocument")[0].params["document"]
    assert document["filename"].endswith(".jsonl")
    records = [json.loads(line) for line in document["data"].decode().splitlines()]
    assert any(
        "blue pot" in message["content"] for record in records for message in record["messages"]
        if message["role"] == "assistant"
    )


async def test_webhook_url_selects_webhook_mode(make_app):
    app = await make_app()
    polling = TelegramAdapter(TelegramSettings(token="1:x"), app.assistant)
    webhook = TelegramAdapter(
        TelegramSettings(token="1:x", webhook_url="https://bot.example.org/tg"),
        app.assistant,
    )
    assert not polling.uses_webhook and webhook.uses_webhook


async def test_webhook_mode_receives_updates_posted_by_telegram(telegram, make_app):
    app = await make_app(allowed_users=[f"telegram:{OWNER}"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = stand_in_settings(
        telegram,
        webhook_url=f"http://127.0.0.1:{port}/telegram-hook",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret="s3cret",
    )
    adapter = TelegramAdapter(settings, app.assistant)
    await adapter.start()
    try:
        registered = telegram.sent("setWebhook")[0].params
        assert registered["url"] == f"http://127.0.0.1:{port}/telegram-hook"
        assert registered["secret_token"] == "s3cret"
        assert not telegram.sent("getUpdates")
        telegram.started.add(OWNER)  # the update below is OWNER writing to the bot in private
        update = {
            "update_id": 1,
            "message": {
                "message_id": 5,
                "date": 0,
                "chat": {"id": OWNER, "type": "private"},
                "from": {"id": OWNER, "is_bot": False, "first_name": "Ada", "language_code": "en"},
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/telegram-hook"
            async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as r:
                assert r.status == 403
            async with http.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
            ) as r:
                assert r.status == 200
        await answer_in(telegram, OWNER, "Souvenir")
    finally:
        await adapter.stop()


def boat_document(file_id: str = "boat") -> dict:
    """A one-chunk text document served by the stand-in."""
    return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": "boat.txt", "file_size": 30}


async def test_ids_count_per_chat_and_a_document_is_forgotten_by_its_own_label(telegram, bot):
    _adapter, app = bot
    mine = user_scope("telegram", OWNER)
    telegram.push_message("/teach The boat needs new sails")
    assert "#1" in await answer_in(telegram, OWNER, "Remembered")
    telegram.add_file("boat", b"The boat is moored at pontoon C.")
    telegram.push_message(document=boat_document())
    done = await answer_in(telegram, OWNER, "✅ boat.txt")
    assert "boat.txt: 1 memory," in done, "one memory, not '1 memories'"
    assert "/forget doc 1" in done
    telegram.push_message("/forget doc 1")
    assert "boat.txt" in await answer_in(telegram, OWNER, "Forgot document 1")
    assert [m.text for m in await app.store.memories.all_memories(mine)] == ["The boat needs new sails"]
    telegram.push_message("/forget 1")
    await answer_in(telegram, OWNER, "Forgot #1: The boat needs new sails")
    assert await app.store.memories.count_live(mine) == 0

    group = -3003
    telegram.push_message(f"/teach@{BOT_USERNAME} The club meets on Sundays", chat_id=group, chat_type="group")
    assert "#1." in await answer_in(telegram, group, "Remembered"), "a group's first memory is #1"


async def test_remember_query_pages_give_the_true_total_and_a_working_next_page(telegram, bot):
    for i in range(12):
        telegram.push_message(f"/teach Garden note {i}: water the tomatoes")
        await telegram.wait_for(lambda n=i: sum("Remembered" in t for t in telegram.chat_text(OWNER)) == n + 1)
    telegram.push_message("/remember tomatoes")
    first = await answer_in(telegram, OWNER, "Memories 1–10")
    assert "of 12" in first
    assert "More: /remember tomatoes page 2" in first
    telegram.push_message("/remember tomatoes page 2")
    second = await answer_in(telegram, OWNER, "Memories 11–12 of 12")
    assert second.count("Garden note") == 2 and "More:" not in second


async def test_stranger_in_a_group_gets_one_short_line_without_id_or_pairing(telegram, fake_ollama, bot):
    group = -4004
    telegram.push_message(f"/teach@{BOT_USERNAME} I own this bot", chat_id=group, chat_type="group", user_id=99)
    line = await answer_in(telegram, group, "direct chat")
    assert "telegram:99" not in line and "start" not in line and "SOUVENIR_" not in line
    telegram.add_file("junk", b"junk text")
    telegram.push_message(
        f"@{BOT_USERNAME} here", chat_id=group, chat_type="group", user_id=99, document=boat_document("junk")
    )
    telegram.push_message("/start", chat_id=group, chat_type="group", user_id=42)
    await answer_in(telegram, group, "Hello")
    assert len(telegram.chat_text(group)) == 2, "the stranger's file got no public answer"
    assert telegram.downloads == [] and not fake_ollama.chat_requests


async def test_group_file_is_read_only_when_it_names_or_answers_the_bot(telegram, bot):
    _adapter, app = bot
    group = -5005
    telegram.add_file("menu", b"Friday menu: fish and chips.")
    telegram.push_message(chat_id=group, chat_type="group", document=boat_document("menu"))
    telegram.push_message(f"@{BOT_USERNAME}", chat_id=group, chat_type="group", document=boat_document("menu"))
    await answer_in(telegram, group, "✅")
    assert telegram.downloads == ["menu"], "the unaddressed file was never downloaded"
    assert await app.store.memories.count_live(group_scope("telegram", "chat", group)) == 1


async def test_language_command_is_kept_per_chat_and_help_uses_slash_syntax(telegram, bot):
    telegram.push_message("/language fr", language_code="en")
    await answer_in(telegram, OWNER, "Désormais je réponds en français")
    telegram.push_message("/help", language_code="en")
    help_text = await answer_in(telegram, OWNER, "Voici ce que je sais faire")
    assert "/apprends TEXTE" in help_text and "/oublie N | doc N" in help_text
    telegram.push_message("/language", chat_id=-6006, chat_type="group", language_code="en")
    assert "English" in await answer_in(telegram, -6006, "language")
    menu = {c.params.get("language_code"): c.params["commands"] for c in telegram.sent("setMyCommands")}
    assert any(c["command"] == "langue" for c in menu["fr"])




# --- from a phone: photos and voice notes ------------------------------------------------------


def _photo_sizes(telegram: FakeTelegram, file_id: str, data: bytes) -> list[dict]:
    """A Telegram photo: a thumbnail and the full size (the adapter must take the largest)."""
    telegram.add_file(f"{file_id}-thumb", b"not the photo")
    telegram.add_file(file_id, data)
    thumb = {"file_id": f"{file_id}-thumb", "file_unique_id": f"t{file_id}", "width": 90, "height": 24}
    full = {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 1400, "height": 380}
    return [{**thumb, "file_size": 13}, {**full, "file_size": len(data)}]


def _voice(telegram: FakeTelegram, file_id: str, data: bytes, duration: int = 4) -> dict:
    telegram.add_file(file_id, data)
    return {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "duration": duration,
        "mime_type": "audio/ogg",
        "file_size": len(data),
    }


async def test_a_photo_of_a_french_page_is_read_and_comes_back_in_a_later_prompt(telegram, fake_ollama, bot):
    from bench.phone_media import FRENCH_LINES, draw_text

    _adapter, app = bot
    photo = _photo_sizes(telegram, "p1", draw_text(FRENCH_LINES))
    telegram.push_message("Facture EDF", photo=photo, language_code="fr")
    reply = await answer_in(telegram, OWNER, "document n°", timeout=60)
    assert reply.startswith("📷 photo du ") and "«\u00a0Facture n° 4827 du 12/03/2026\u202f»" in reply, reply
    assert telegram.downloads == ["p1"], "the largest size is the one read"
    stored = await app.store.memories.all_memories(user_scope("telegram", OWNER))
    assert stored[0].text.startswith("Facture EDF") and "Électricité : 73,45 €" in stored[0].text

    telegram.push_message("Combien coûte l'électricité ?", language_code="fr")
    await answer_in(telegram, OWNER, "You said: Combien")
    prompt = fake_ollama.chat_requests[-1]["messages"][0]["content"]
    assert "73,45 €" in prompt and "15 avril" in prompt


async def test_a_photo_without_text_stores_nothing(telegram, bot):
    from bench.phone_media import blank_photo

    _adapter, app = bot
    telegram.push_message(photo=_photo_sizes(telegram, "wall", blank_photo()))
    reply = await answer_in(telegram, OWNER, "❌", timeout=60)
    assert "no readable text" in reply and "Nothing was stored" in reply
    assert await app.store.memories.count_live(user_scope("telegram", OWNER)) == 0


async def test_a_french_voice_note_is_transcribed_shown_and_asked(telegram, fake_ollama, bot):
    from bench.phone_media import speak

    _adapter, app = bot
    await app.memory.teaching.teach(user_scope("telegram", OWNER), "La clé de la voiture est accrochée près de la porte.")
    note = speak("Où est la clé de la voiture ?", "fr")
    telegram.push_message(voice=_voice(telegram, "v1", note), language_code="fr")
    reply = await answer_in(telegram, OWNER, "You said:", timeout=120)
    heard = reply.split("\n\n", 1)[0]
    assert heard.startswith("🎤 ") and "clé" in heard.lower() and "voiture" in heard.lower(), reply
    messages = fake_ollama.chat_requests[-1]["messages"]
    assert "clé" in messages[-1]["content"].lower() and "voiture" in messages[-1]["content"].lower()
    assert "La clé de la voiture est accrochée" in messages[0]["content"]


async def test_a_spoken_teach_stores_a_teaching(telegram, bot):
    from bench.phone_media import speak

    _adapter, app = bot
    note = speak("Teach: the spare key is under the blue flower pot.", "en")
    telegram.push_message(voice=_voice(telegram, "v2", note))
    reply = await answer_in(telegram, OWNER, "Remembered", timeout=120)
    assert reply.startswith("🎤 ")
    stored = await app.store.memories.all_memories(user_scope("telegram", OWNER))
    assert [m.kind.value for m in stored] == ["teaching"]
    assert "spare key is under the blue flower pot" in stored[0].text.lower()


async def test_a_voice_note_over_the_limit_is_refused_without_download(telegram, bot):
    telegram.push_message(voice=_voice(telegram, "long", b"OggS...", duration=3600))
    reply = await answer_in(telegram, OWNER, "too long")
    assert "limit is 300 s" in reply
    assert "long" not in telegram.downloads


async def test_the_core_messages_a_user_directly_once_they_have_written_to_the_bot(telegram, bot):
    _adapter, app = bot
    notifier = app.assistant.notifier
    telegram.push_message("/start")
    await answer_in(telegram, OWNER, "Hello")
    assert await notifier.tell(f"telegram:{OWNER}", "🔔 A notice from the core")
    assert telegram.chat_text(OWNER)[-1] == "🔔 A notice from the core"
    assert not await notifier.tell("telegram:5555", "nobody opened this chat"), "403 from Telegram: False, no crash"
    assert notifier.invite_link("telegram", "ABCD-EFGH-JKLM") == f"https://t.me/{BOT_USERNAME}?start=ABCD-EFGH-JKLM"


# --- from a phone, second round: video notes, scanned PDFs, what a voice note may not do ------------


def _video_note(telegram: FakeTelegram, file_id: str, data: bytes, duration: int = 5) -> dict:
    """A round video note as the Bot API describes it: no name, no media type, a square length."""
    telegram.add_file(file_id, data)
    return {"file_id": file_id, "file_unique_id": f"u{file_id}", "length": 240, "duration": duration,
            "file_size": len(data)}  # fmt: skip


async def test_a_round_video_note_is_heard_like_a_voice_note_and_nothing_of_it_is_kept(
    telegram, fake_ollama, bot
):
    from bench.phone_media import video_note

    _adapter, app = bot
    note = video_note("Où est la clé de la voiture ?", "fr")
    telegram.push_message(video_note=_video_note(telegram, "vn1", note), language_code="fr")
    reply = await answer_in(telegram, OWNER, "You said:", timeout=120)
    heard = reply.split("\n\n", 1)[0]
    assert heard.startswith("🎤 ") and "clé" in heard.lower() and "voiture" in heard.lower(), reply
    assert telegram.downloads == ["vn1"]
    assert "voiture" in fake_ollama.chat_requests[-1]["messages"][-1]["content"].lower()
    assert await app.store.documents.count(user_scope("telegram", OWNER)) == 0


async def test_a_video_message_without_sound_or_over_the_limit_is_refused(telegram, bot):
    from bench.phone_media import video_note

    silent = video_note("", "fr", sound=False)
    telegram.add_file("mute", silent)
    video = {"file_id": "mute", "file_unique_id": "umute", "width": 240, "height": 240, "duration": 3,
             "mime_type": "video/mp4", "file_name": "chantier.mp4", "file_size": len(silent)}  # fmt: skip
    telegram.push_message(video=video, language_code="fr")
    reply = await answer_in(telegram, OWNER, "chantier.mp4", timeout=60)
    assert "aucun son" in reply, reply

    long = {**video, "file_id": "long", "file_unique_id": "ulong", "duration": 3600}
    telegram.push_message(video=long)
    assert "limit is 300 s" in await answer_in(telegram, OWNER, "too long")
    assert "long" not in telegram.downloads


async def test_a_scanned_pdf_is_read_page_by_page_with_progress(telegram, bot):
    from bench.phone_media import scanned_pdf

    _adapter, app = bot
    data = scanned_pdf(
        [("Chaudière révisée le 12 mars", "par Marc, le plombier."), (), ("Toiture refaite en 2019",)],
        text_pages={1: "Typed page: the spare boiler key hangs in the garage."},
    )
    telegram.add_file("scan", data)
    document = {"file_id": "scan", "file_unique_id": "uscan", "file_name": "maison.pdf",
                "mime_type": "application/pdf", "file_size": len(data)}  # fmt: skip
    telegram.push_message(document=document, language_code="fr")
    done = await answer_in(telegram, OWNER, "✅", timeout=120)
    assert "maison.pdf" in done, done
    shown = [call.params.get("text", "") for call in telegram.sent("editMessageText")]
    assert any("page scannée 1 sur 2" in text for text in shown), shown
    stored = sorted(await app.store.memories.all_memories(user_scope("telegram", OWNER)), key=lambda m: m.id)
    text = " ".join(m.text for m in stored)
    assert text.index("plombier") < text.index("spare boiler key") < text.index("Toiture")


async def test_a_refused_spoken_command_still_shows_what_was_heard(telegram, bot):
    from bench.phone_media import speak

    note = speak("Forget. The old address.", "en")
    telegram.push_message(voice=_voice(telegram, "v3", note))
    reply = await answer_in(telegram, OWNER, "🎤", timeout=120)
    heard, _, rest = reply.partition("\n\n")
    assert heard.lower().startswith("🎤 forget"), reply  # what was heard comes first…
    assert rest.startswith("What should I forget? Send /forget N"), reply  # …then why the command was refused


# --- memory from conversation ------------------------------------------------------------------------


async def memories_of(app, scope: str) -> list:
    return await app.store.memories.all_memories(scope)


async def test_a_statement_is_remembered_with_a_reaction_and_forget_removes_it(telegram, bot):
    _, app = bot
    update = telegram.push_message("Je pars à Lyon le 14 février pour le mariage de Paul.", language_code="fr")
    key = (OWNER, telegram.message_of[update])
    await telegram.wait_for(lambda: key in telegram.reactions)
    assert telegram.reactions[key] == ["✍"]  # Telegram's list has it without the variation selector
    assert telegram.chat_text(OWNER)[-1].startswith("You said:"), "the message is still answered"
    (memory,) = await memories_of(app, user_scope("telegram", OWNER))
    assert memory.kind.value == "conversation" and memory.author == f"telegram:{OWNER}"
    telegram.push_message("Quelle heure est-il ?", language_code="fr")
    await answer_in(telegram, OWNER, "Quelle heure")
    assert len(telegram.reactions) == 1, "a question is not remembered"
    telegram.push_message(f"/forget {memory.number}", language_code="fr")
    await answer_in(telegram, OWNER, "🗑️")
    assert await memories_of(app, user_scope("telegram", OWNER)) == []


async def test_where_reactions_are_off_a_short_line_says_it_was_noted(telegram, bot):
    telegram.reactions_disabled.add(OWNER)
    telegram.push_message("Ma fille s'appelle Léa, elle a 7 ans.", language_code="fr")
    line = await answer_in(telegram, OWNER, "✍️ Noté sous le n°\u00a01")
    assert "/oublie 1" in line
    assert telegram.reactions == {}


async def test_explicit_phrasings_in_telegram_teach_and_forget_after_oui(telegram, bot):
    _, app = bot
    telegram.push_message("retiens que le code wifi est TRUC-42", language_code="fr")
    assert "Retenu sous le n°\u00a01" in await answer_in(telegram, OWNER, "Retenu")
    telegram.push_message("oublie ce que je t’ai dit sur le wifi", language_code="fr")
    await answer_in(telegram, OWNER, "Répondez")
    assert len(await memories_of(app, user_scope("telegram", OWNER))) == 1
    telegram.push_message("oui", language_code="fr")
    await answer_in(telegram, OWNER, "🗑️ Oublié")
    assert await memories_of(app, user_scope("telegram", OWNER)) == []


async def test_in_a_group_the_default_is_explicit_and_unaddressed_chatter_is_never_stored(telegram, bot):
    _, app = bot
    group = -1001
    scope = group_scope("telegram", "chat", group)
    chatter = telegram.push_message("Je pars à Lyon le 14 février", chat_id=group, chat_type="group", language_code="fr")
    telegram.push_message(
        f"@{BOT_USERNAME} Mamie arrive samedi par le train de 10h", chat_id=group, chat_type="group", language_code="fr"
    )
    await answer_in(telegram, group, "You said:")
    assert await memories_of(app, scope) == [], "explicit by default in a group: a statement is not stored"
    assert telegram.reactions == {}
    assert all("Lyon" not in text for text in telegram.chat_text(group))
    assert (group, telegram.message_of[chatter]) not in telegram.reactions
    telegram.push_message(
        f"@{BOT_USERNAME} retiens que la fête est samedi", chat_id=group, chat_type="group", language_code="fr"
    )
    await answer_in(telegram, group, "Retenu sous le n°\u00a01")
    telegram.push_message("/memory auto", chat_id=group, chat_type="group", language_code="fr")
    await answer_in(telegram, group, "administrateur")  # a member may not change the group's setting
    telegram.push_message(f"/start {app.assistant.access.new_pairing_code()}", language_code="fr")
    await telegram.wait_for(lambda: len(telegram.chat_text(OWNER)) >= 1)  # paired: the owner is an admin
    telegram.push_message("/memory auto", chat_id=group, chat_type="group", language_code="fr")
    await answer_in(telegram, group, "Désormais")
    telegram.push_message(
        f"@{BOT_USERNAME} Mamie arrive samedi par le train de 10h", chat_id=group, chat_type="group", language_code="fr"
    )
    await telegram.wait_for(lambda: any(chat == group for chat, _ in telegram.reactions))
    telegram.push_message("On a déménagé à Nantes", chat_id=group, chat_type="group", language_code="fr")
    telegram.push_message("/remember", chat_id=group, chat_type="group", language_code="fr")
    await answer_in(telegram, group, "Mamie arrive samedi")  # the listing, answered after the chatter was read
    texts = [m.text for m in await memories_of(app, scope)]
    assert texts == ["La fête est samedi", "Mamie arrive samedi par le train de 10h"], "unaddressed: never stored"


async def test_a_spoken_forget_waits_for_a_yes(telegram, bot):
    from bench.phone_media import speak

    _adapter, app = bot
    scope = user_scope("telegram", OWNER)
    await app.memory.teaching.teach(scope, "The old address was 12 Baker Street.")
    note = speak("Forget. Number one.", "en")
    telegram.push_message(voice=_voice(telegram, "v4", note))
    asked = await answer_in(telegram, OWNER, "🎤", timeout=120)
    assert "❓ Forget memory #1?" in asked and await app.store.memories.count_live(scope) == 1, asked
    telegram.push_message("yes")
    await answer_in(telegram, OWNER, "Forgot #1", timeout=30)
    assert await app.store.memories.count_live(scope) == 0


async def test_an_iphone_heic_photo_sent_as_a_file_is_read(telegram, bot):
    import io

    from PIL import Image
    from pillow_heif import register_heif_opener

    from bench.phone_media import FRENCH_LINES, draw_text

    register_heif_opener()
    heic = io.BytesIO()
    Image.open(io.BytesIO(draw_text(FRENCH_LINES))).save(heic, format="HEIF", quality=90)
    telegram.add_file("heic", heic.getvalue())
    document = {"file_id": "heic", "file_unique_id": "uheic", "file_name": "IMG_4827.HEIC",
                "mime_type": "image/heic", "file_size": len(heic.getvalue())}  # fmt: skip
    telegram.push_message(document=document, language_code="fr")
    reply = await answer_in(telegram, OWNER, "✅", timeout=60)
    assert "📷 IMG_4827.HEIC" in reply and "Facture n° 4827" in reply, reply
    _adapter, app = bot
    stored = await app.store.memories.all_memories(user_scope("telegram", OWNER))
    assert "73,45 €" in stored[0].text
