"""End to end: the real discord.py against a local REST + gateway stand-in, the real core and Ollama client."""

from __future__ import annotations

import logging
import re

import discord
import pytest
import yarl

from adapters.discord_bot import DiscordAdapter
from bot.settings import DiscordSettings
from core.scope import group_scope, user_scope
from tests.fakes.discord_server import FakeDiscord, user
from tests.fakes.ollama_server import answers_from_memory

TOKEN = "TEST.discord.token"
ALICE = user(1, "alice")
BOB = user(2, "bob")
MALLORY = user(3, "mallory")


@pytest.fixture
async def discord_server(monkeypatch):
    """A running Discord stand-in, with discord.py pointed at it for this test only."""
    async with FakeDiscord(TOKEN) as server:
        monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
        yield server


def settings_for(server: FakeDiscord, **overrides) -> DiscordSettings:
    """Adapter settings for the stand-in."""
    values = {"token": TOKEN, "edit_interval": 0.0}
    return DiscordSettings(**(values | overrides))


def adapter_for(settings: DiscordSettings, app) -> DiscordAdapter:
    """An adapter that does not wait 2 s for guilds the stand-in never streams."""
    return DiscordAdapter(settings, app.assistant, client_options={"guild_ready_timeout": 0.05})


@pytest.fixture
async def bot(discord_server, make_app):
    """A started adapter whose allowed users are alice and bob."""
    app = await make_app(allowed_users=["discord:1", "discord:2"])
    adapter = adapter_for(settings_for(discord_server), app)
    await adapter.start()
    yield adapter, app
    await adapter.stop()


async def settled(server: FakeDiscord, messages, needle: str) -> str:
    """Wait until one of `messages()` contains `needle`; return its content."""
    await server.wait_for(lambda: any(needle in s.content for s in messages()))
    return next(s.content for s in messages() if needle in s.content)


async def test_start_syncs_commands_to_the_guild_with_french_descriptions(discord_server, bot):
    commands = {c["name"]: c for c in discord_server.commands[str(discord_server.guild_id)]}
    assert {
        "teach",
        "correct",
        "forget",
        "remember",
        "why",
        "status",
        "export",
        "model",
        "reset",
        "help",
    } <= set(commands)
    assert [o["name"] for o in commands["correct"]["options"]] == ["wrong", "right"]
    assert commands["ingest"]["options"][0]["type"] == 11
    assert commands["teach"]["description_localizations"]["fr"] != commands["teach"]["description"]
    assert commands["teach"]["name_localizations"]["fr"] == "apprends", "French clients see French names"
    assert commands["status"]["name_localizations"]["fr"] == "etat"
    assert "global" not in discord_server.commands


async def test_slash_teach_then_mention_streams_an_answer_using_the_fact(discord_server, fake_ollama, bot):
    token = await discord_server.push_interaction(ALICE, "teach", {"text": "The wifi password is hunter2"})
    confirmation = await settled(discord_server, lambda: discord_server.for_interaction(token), "#")
    assert discord_server.callbacks[0]["type"] == 5
    assert confirmation
    fake_ollama.reply = answers_from_memory("hunter2")
    fake_ollama.chunk_delay = 0.01
    await discord_server.push_message(BOB, "what is the wifi password?", mention_bot=True)
    channel = discord_server.channel_id
    text = await settled(discord_server, lambda: discord_server.in_channel(channel), "hunter2.")
    assert text == "From memory: hunter2."
    assert discord_server.in_channel(channel)[-1].edits >= 1, "the answer streams by editing one message"
    assert discord_server.requests("POST", f"/channels/{channel}/typing")


async def test_french_locale_gets_french_answers(discord_server, bot):
    _, app = bot
    # /teach can no longer be sent empty (its option is required): a bad /forget id shows the usage.
    token = await discord_server.push_interaction(ALICE, "forget", {"id": "abc"}, locale="fr")
    await discord_server.wait_for(lambda: any(s.content for s in discord_server.for_interaction(token)))
    assert discord_server.for_interaction(token)[0].content == app.assistant.text("fr", "forget.usage")


async def test_sync_global_setting_also_registers_global_commands(discord_server, make_app):
    app = await make_app(allowed_users=["discord:1"])
    adapter = adapter_for(settings_for(discord_server, sync_global=True), app)
    await adapter.start()
    await adapter.stop()
    assert "teach" in {c["name"] for c in discord_server.commands["global"]}


async def test_guild_ignores_messages_not_addressed_to_the_bot_but_answers_replies(
    discord_server, fake_ollama, bot
):
    fake_ollama.reply = "Sure."
    await discord_server.push_message(ALICE, "just chatting with friends")
    await discord_server.push_message(ALICE, "hello bot", mention_bot=True)
    channel = discord_server.channel_id
    await settled(discord_server, lambda: discord_server.in_channel(channel), "Sure.")
    assert len(discord_server.in_channel(channel)) == 1
    first = discord_server.in_channel(channel)[0].id
    fake_ollama.reply = "Again."
    await discord_server.push_message(ALICE, "and this?", reply_to=first)
    await settled(discord_server, lambda: discord_server.in_channel(channel), "Again.")


async def test_slash_ingest_with_an_attachment_reports_progress_and_stores_the_document(discord_server, bot):
    _, app = bot
    file = discord_server.add_file("notes.txt", b"The boat is called Mistral. It sleeps four.\n")
    token = await discord_server.push_interaction(ALICE, "ingest", attachment=file)
    await settled(discord_server, lambda: discord_server.for_interaction(token), "✅ notes.txt")
    assert "notes.txt" in discord_server.downloads
    assert discord_server.for_interaction(token)[0].edits >= 2, "progress shown by editing the response"
    hits = await app.memory.reading.search(group_scope("discord", "guild", discord_server.guild_id), "boat Mistral")
    assert any("Mistral" in h.memory.text for h in hits)


async def test_dm_attachment_is_ingested_into_the_personal_scope(discord_server, bot):
    _, app = bot
    file = discord_server.add_file("diary.md", b"# Diary\nMy cat is named Pixel.\n")
    await discord_server.push_message(ALICE, "", guild=False, attachments=[file])
    dm = 700 + 1
    await settled(discord_server, lambda: discord_server.in_channel(dm), "✅ diary.md")
    mine = await app.memory.reading.search(user_scope("discord", 1), "cat Pixel")
    assert any("Pixel" in h.memory.text for h in mine)
    guild = await app.memory.reading.search(group_scope("discord", "guild", discord_server.guild_id), "cat Pixel")
    assert not guild


async def test_unsupported_attachment_is_refused_before_download(discord_server, bot):
    file = discord_server.add_file("tool.exe", b"MZ" + b"\0" * 100, content_type="application/x-msdownload")
    await discord_server.push_message(ALICE, "", guild=False, attachments=[file])
    text = await settled(discord_server, lambda: discord_server.in_channel(701), "tool.exe")
    assert "tool.exe" not in discord_server.downloads
    assert "unsupported" in text


async def test_an_image_attachment_is_read_and_its_text_stored(discord_server, bot):
    from bench.phone_media import ENGLISH_LINES, draw_text

    _adapter, app = bot
    file = discord_server.add_file("bill.png", draw_text(ENGLISH_LINES), content_type="image/png")
    await discord_server.push_message(ALICE, "", guild=False, attachments=[file])
    text = await settled(discord_server, lambda: discord_server.in_channel(701), "✅")
    assert "📷 bill.png: “Invoice 5931 dated 04/11/2026”" in text, text
    stored = await app.store.memories.all_memories(user_scope("discord", 1))
    assert "Plumbing repair: 218 dollars due" in stored[0].text


async def test_oversized_attachment_is_refused_before_download(discord_server, make_app):
    app = await make_app(allowed_users=["discord:1"], limits={"max_upload_bytes": 1000})
    adapter = adapter_for(settings_for(discord_server), app)
    await adapter.start()
    try:
        file = discord_server.add_file("big.txt", b"word " * 1000)
        await discord_server.push_message(ALICE, "", guild=False, attachments=[file])
        text = await settled(discord_server, lambda: discord_server.in_channel(701), "big.txt")
    finally:
        await adapter.stop()
    assert "too large" in text
    assert "big.txt" not in discord_server.downloads


async def test_per_channel_scope_setting_uses_the_channel_scope(discord_server, make_app):
    app = await make_app(allowed_users=["discord:1"])
    settings = settings_for(discord_server, per_channel_scope=True)
    adapter = adapter_for(settings, app)
    await adapter.start()
    try:
        token = await discord_server.push_interaction(
            ALICE, "teach", {"text": "Channel fact: deploys on Friday"}
        )
        await settled(discord_server, lambda: discord_server.for_interaction(token), "#")
    finally:
        await adapter.stop()
    hits = await app.memory.reading.search(
        group_scope("discord", "channel", discord_server.channel_id), "deploys Friday"
    )
    assert any("Friday" in h.memory.text for h in hits)
    assert not await app.memory.reading.search(
        group_scope("discord", "guild", discord_server.guild_id), "deploys Friday"
    )


async def test_guild_scope_is_shared_while_dm_scopes_stay_private(discord_server, bot):
    _, app = bot
    t1 = await discord_server.push_interaction(ALICE, "teach", {"text": "Team standup is at 9:30"})
    await settled(discord_server, lambda: discord_server.for_interaction(t1), "#")
    t2 = await discord_server.push_interaction(
        ALICE, "teach", {"text": "My locker code is 4417"}, guild=False
    )
    await settled(discord_server, lambda: discord_server.for_interaction(t2), "#")
    t3 = await discord_server.push_interaction(BOB, "remember", {"text": "standup"})
    listed = await settled(discord_server, lambda: discord_server.for_interaction(t3), "9:30")
    assert "4417" not in listed
    t4 = await discord_server.push_interaction(BOB, "remember", {"text": "locker"}, guild=False)
    await discord_server.wait_for(lambda: any(s.content for s in discord_server.for_interaction(t4)))
    assert all("4417" not in s.content for s in discord_server.for_interaction(t4))
    assert all("9:30" not in s.content for s in discord_server.for_interaction(t4))
    alice = await app.memory.reading.search(user_scope("discord", 1), "locker code")
    assert any("4417" in h.memory.text for h in alice)


async def test_remember_in_a_guild_is_ephemeral(discord_server, bot):
    t1 = await discord_server.push_interaction(ALICE, "teach", {"text": "The printer is on floor 3"})
    await settled(discord_server, lambda: discord_server.for_interaction(t1), "#")
    t2 = await discord_server.push_interaction(ALICE, "remember")
    await settled(discord_server, lambda: discord_server.for_interaction(t2), "floor 3")
    assert discord_server.callbacks[-1]["data"]["flags"] & 64
    assert all(s.ephemeral for s in discord_server.for_interaction(t2))
    assert not discord_server.for_interaction(t1)[0].ephemeral


async def test_unknown_user_is_refused_with_the_core_wording(discord_server, fake_ollama, bot):
    _, app = bot
    fake_ollama.reply = "should not be said"
    await discord_server.push_message(MALLORY, "hi", guild=False)
    denied = app.assistant.text("en", "access.denied", user="discord:3").split("discord:3")[0][:20]
    text = await settled(discord_server, lambda: discord_server.in_channel(703), denied)
    assert "discord:3" in text
    token = await discord_server.push_interaction(MALLORY, "teach", {"text": "I own this bot"})
    await settled(discord_server, lambda: discord_server.for_interaction(token), denied)
    assert not fake_ollama.chat_requests
    assert all("should not be said" not in s.content for s in discord_server.sent.values())


async def test_long_answer_is_split_at_2000_characters(discord_server, fake_ollama, bot):
    paragraph = "word " * 180  # 4-letter words: 5 paragraphs stay within the 1,024 tokens an answer may have
    fake_ollama.reply = "\n\n".join([paragraph.strip()] * 5) + " END"
    assert len(fake_ollama.reply) > 4500
    await discord_server.push_message(ALICE, "tell me everything", guild=False)
    await settled(discord_server, lambda: discord_server.in_channel(701), "END")
    parts = discord_server.in_channel(701)
    assert len(parts) >= 3
    assert all(len(p.content) <= 2000 for p in parts)
    assert "".join(p.content for p in parts).replace("\n", "").replace(" ", "") == fake_ollama.reply.replace(
        "\n", ""
    ).replace(" ", "")


async def test_rate_limit_is_waited_out_without_crashing(discord_server, fake_ollama, bot):
    fake_ollama.reply = "Answer after the rate limit."
    discord_server.fail_next[("POST", "create_message")] = 1
    await discord_server.push_message(ALICE, "hello", guild=False)
    await settled(discord_server, lambda: discord_server.in_channel(701), "rate limit")
    assert len(discord_server.requests("POST", "/channels/701/messages")) >= 2
    fake_ollama.reply = "Still alive."
    await discord_server.push_message(ALICE, "again", guild=False)
    await settled(discord_server, lambda: discord_server.in_channel(701), "Still alive")


async def test_export_is_sent_as_an_attachment(discord_server, bot):
    t1 = await discord_server.push_interaction(ALICE, "teach", {"text": "Paris is in France"}, guild=False)
    await settled(discord_server, lambda: discord_server.for_interaction(t1), "#")
    token = await discord_server.push_interaction(ALICE, "export", guild=False)
    await discord_server.wait_for(lambda: any(s.files for s in discord_server.for_interaction(token)))
    files = next(s.files for s in discord_server.for_interaction(token) if s.files)
    assert any(b"Paris is in France" in data for data in files.values())


async def test_bad_token_surfaces_as_a_login_error(discord_server, make_app):
    app = await make_app()
    settings = settings_for(discord_server, token="wrong-token")
    adapter = adapter_for(settings, app)
    with pytest.raises(RuntimeError) as error:
        await adapter.start()
    assert "login failed" in str(error.value)
    assert "wrong-token" not in str(error.value)


async def test_stranger_in_a_server_is_refused_only_to_them(discord_server, fake_ollama, bot):
    token = await discord_server.push_interaction(MALLORY, "teach", {"text": "I own this bot"})
    refusal = await settled(discord_server, lambda: discord_server.for_interaction(token), "discord:3")
    assert "/start CODE" in refusal
    assert discord_server.callbacks[-1]["data"]["flags"] & 64, "deferred privately"
    assert all(s.ephemeral for s in discord_server.for_interaction(token))
    await discord_server.push_message(MALLORY, "hello bot", mention_bot=True)
    fake_ollama.reply = "Hi alice."
    await discord_server.push_message(ALICE, "hello bot", mention_bot=True)
    channel = discord_server.channel_id
    await settled(discord_server, lambda: discord_server.in_channel(channel), "Hi alice.")
    public = discord_server.in_channel(channel, ephemeral=False)
    assert [s.content for s in public] == ["Hi alice."], "nothing public for the stranger"


async def test_slash_options_are_declared_required_described_and_localised(discord_server, bot):
    commands = {c["name"]: c for c in discord_server.commands[str(discord_server.guild_id)]}
    text = commands["teach"]["options"][0]
    assert text["required"] is True
    assert text["description"] != "…" and text["description_localizations"]["fr"] != text["description"]
    assert all(o["required"] for o in commands["correct"]["options"])
    assert all(o["description"] != "…" for c in commands.values() for o in c.get("options", []))
    assert not commands["remember"]["options"][0].get("required")
    ingest = {o["name"]: o for o in commands["ingest"]["options"]}
    assert ingest["file"]["type"] == 11 and ingest["url"]["type"] == 3  # a file or a link, either one
    assert not ingest["file"].get("required") and not ingest["url"].get("required")


async def test_global_sync_registers_each_command_once(discord_server, make_app):
    app = await make_app(allowed_users=["discord:1"])
    adapter = adapter_for(settings_for(discord_server, sync_global=True), app)
    await adapter.start()
    await adapter.stop()
    assert "teach" in {c["name"] for c in discord_server.commands["global"]}
    assert str(discord_server.guild_id) not in discord_server.commands, "not also per server"


async def test_a_refused_message_ends_the_answer_with_one_log_line(discord_server, fake_ollama, bot, caplog):
    caplog.set_level(logging.WARNING)
    fake_ollama.reply = "One two three four five six seven eight nine ten."
    fake_ollama.chunk_words = 1
    fake_ollama.chunk_delay = 0.01
    discord_server.refuse_next[("POST", "create_message")] = 1
    await discord_server.push_message(ALICE, "hello", guild=False)

    def ended() -> bool:
        return any("refused" in r.getMessage() or r.levelno >= logging.ERROR for r in caplog.records)

    await discord_server.wait_for(ended)
    assert [r.levelno for r in caplog.records] == [logging.WARNING], [r.getMessage() for r in caplog.records]
    fake_ollama.reply = "Still here."
    await discord_server.push_message(ALICE, "again", guild=False)
    await settled(discord_server, lambda: discord_server.in_channel(701), "Still here.")


async def test_the_core_messages_a_user_directly_in_their_dm_channel(discord_server, bot):
    _adapter, app = bot
    assert await app.assistant.notifier.tell("discord:2", "🔔 A notice from the core")
    channel = discord_server.dm_channel(2)
    await discord_server.wait_for(lambda: discord_server.in_channel(channel))
    assert [s.content for s in discord_server.in_channel(channel)] == ["🔔 A notice from the core"]
    (opened,) = discord_server.requests("POST", "/users/@me/channels")
    assert str(opened.body["recipient_id"]) == "2"


FAMILY_CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


async def test_a_family_lets_itself_in_by_invitation_and_by_request(discord_server, make_app):
    app = await make_app()
    adapter = adapter_for(settings_for(discord_server), app)
    await adapter.start()
    server = discord_server

    def dm(author: dict):
        return lambda: server.in_channel(server.dm_channel(int(author["id"])))

    try:
        code = app.assistant.access.new_pairing_code()
        token = await server.push_interaction(ALICE, "start", {"code": code}, guild=False)
        await settled(server, lambda: server.for_interaction(token), "owner")

        # An invitation made in the server is shown to the owner only; Bob uses it in a DM.
        token = await server.push_interaction(ALICE, "invite")
        invitation = await settled(server, lambda: server.for_interaction(token), "Invitation")
        assert all(s.ephemeral for s in server.for_interaction(token))
        await server.push_message(BOB, f"/start {FAMILY_CODE.search(invitation).group(0)}", guild=False)
        await settled(server, dm(BOB), "Welcome")

        # Mallory asks; Alice gets one DM naming her, approves with a slash command, Mallory is told.
        token = await server.push_interaction(MALLORY, "request", {"text": "Bob's sister"}, guild=False)
        await settled(server, lambda: server.for_interaction(token), "sent to the owner")
        notice = await settled(server, dm(ALICE), "asks for access")
        assert "mallory (discord:3)" in notice and "Bob's sister" in notice
        assert server.requests("POST", "/users/@me/channels")
        number = re.search(r"/approve (\d+)", notice).group(1)
        token = await server.push_interaction(ALICE, "approve", {"request": number}, guild=False)
        await settled(server, lambda: server.for_interaction(token), "is now a member")
        await settled(server, dm(MALLORY), "accepted")
        assert await app.assistant.access.role("discord:2") == "member"
        assert await app.assistant.access.role("discord:3") == "member"
    finally:
        await adapter.stop()


async def test_a_video_attachment_is_heard_and_a_scanned_pdf_is_read(discord_server, fake_ollama, bot):
    from bench.phone_media import scanned_pdf, video_note

    _adapter, app = bot

    async def reply_with(needle: str) -> str:
        sent = lambda: discord_server.in_channel(701)  # noqa: E731
        await discord_server.wait_for(lambda: any(needle in s.content for s in sent()), timeout=120)
        return next(s.content for s in sent() if needle in s.content)

    note = video_note("Where does my sister Alice live now?", "en")
    clip = discord_server.add_file("clip.mp4", note, content_type="video/mp4")
    await discord_server.push_message(ALICE, "", guild=False, attachments=[clip])
    text = await reply_with("You said")
    assert text.startswith("🎤 ") and "alice" in text.lower(), text
    assert await app.store.memories.count_live(user_scope("discord", 1)) == 0

    pages = [("Plumbing repair: 218 dollars", "paid on 4 November.")]
    scan = discord_server.add_file("receipt.pdf", scanned_pdf(pages), content_type="application/pdf")
    await discord_server.push_message(ALICE, "", guild=False, attachments=[scan])
    await reply_with("✅ receipt.pdf")
    stored = await app.store.memories.all_memories(user_scope("discord", 1))
    assert "218 dollars" in " ".join(m.text for m in stored)


# --- memory from conversation ------------------------------------------------------------------------


async def test_a_statement_gets_a_reaction_and_a_slash_forget_removes_it(discord_server, bot):
    _, app = bot
    message = await discord_server.push_message(
        ALICE, "My daughter Chloe starts swimming lessons on Saturday at 10", guild=False
    )
    await discord_server.wait_for(lambda: (701, message) in discord_server.reactions)
    assert discord_server.reactions[(701, message)] == ["✍️"]
    assert discord_server.requests("PUT", f"/messages/{message}/reactions/")
    (memory,) = await app.store.memories.all_memories(user_scope("discord", 1))
    assert memory.kind.value == "conversation"
    question = await discord_server.push_message(ALICE, "what time is it?", guild=False)
    await settled(discord_server, lambda: discord_server.in_channel(701), "what time is it")
    assert (701, question) not in discord_server.reactions
    token = await discord_server.push_interaction(ALICE, "forget", {"id": str(memory.number)}, guild=False)
    await settled(discord_server, lambda: discord_server.for_interaction(token), "Forgot")
    assert await app.store.memories.all_memories(user_scope("discord", 1)) == []


async def test_without_the_reaction_permission_a_short_line_says_it_was_noted(discord_server, bot):
    discord_server.refuse_next[("PUT", "reaction")] = 1
    await discord_server.push_message(ALICE, "I'm allergic to penicillin", guild=False)
    line = await settled(discord_server, lambda: discord_server.in_channel(701), "✍️ Noted as #1")
    assert "forget 1" in line and discord_server.reactions == {}


async def test_in_a_guild_statements_wait_for_an_admin_and_chatter_is_never_stored(discord_server, bot):
    _, app = bot
    channel, scope = discord_server.channel_id, group_scope("discord", "guild", discord_server.guild_id)
    await discord_server.push_message(ALICE, "We're flying to Lisbon on March 3rd")
    await discord_server.push_message(ALICE, "My boss Sarah prefers reports on Friday mornings", mention_bot=True)
    await settled(discord_server, lambda: discord_server.in_channel(channel), "You said:")
    assert await app.store.memories.all_memories(scope) == [] and discord_server.reactions == {}
    await discord_server.push_message(ALICE, "remember that the garage code is 7781", mention_bot=True)
    await settled(discord_server, lambda: discord_server.in_channel(channel), "Remembered as #1")
    token = await discord_server.push_interaction(BOB, "memory", {"mode": "auto"})
    await settled(discord_server, lambda: discord_server.for_interaction(token), "admin")
    code = app.assistant.access.new_pairing_code()
    token = await discord_server.push_interaction(ALICE, "start", {"code": code}, guild=False)
    await discord_server.wait_for(lambda: discord_server.for_interaction(token))
    token = await discord_server.push_interaction(ALICE, "memory", {"mode": "auto"})
    await settled(discord_server, lambda: discord_server.for_interaction(token), "From now on")
    said = await discord_server.push_message(ALICE, "My boss Sarah prefers reports on Friday mornings", mention_bot=True)
    await discord_server.wait_for(lambda: (channel, said) in discord_server.reactions)
    await discord_server.push_message(BOB, "We moved to 4 Elm Street last month")
    token = await discord_server.push_interaction(BOB, "remember")
    await settled(discord_server, lambda: discord_server.for_interaction(token), "Sarah")
    texts = [m.text for m in await app.store.memories.all_memories(scope)]
    assert texts == ["The garage code is 7781", "My boss Sarah prefers reports on Friday mornings"]
