"""A family of four lets itself in on Telegram: the real python-telegram-bot, the Bot API stand-in, the real core."""

from __future__ import annotations

import asyncio
import re

import pytest

from adapters.telegram_bot import TelegramAdapter
from tests.e2e.telegram_fixtures import stand_in_settings
from tests.fakes.telegram_server import BOT_USERNAME, FakeTelegram

pytestmark = pytest.mark.timeout(120)

OWNER, PAUL, LEA, ZOE = 42, 43, 44, 45
STRANGER, GUESSER = 66, 77
GROUP = -1001
CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


@pytest.fixture
async def start_bot(telegram, make_app):
    """`await start_bot()`: the app (same data directory each time) and a started adapter."""
    running: list[tuple[TelegramAdapter, object]] = []

    async def start():
        app = await make_app()
        adapter = TelegramAdapter(stand_in_settings(telegram), app.assistant)
        await adapter.start()
        running.append((adapter, app))
        return adapter, app

    yield start
    for adapter, _ in running:
        await adapter.stop()


async def said(telegram: FakeTelegram, chat_id: int, needle: str, *, after: int = 0) -> str:
    """The first bot message in `chat_id` (from index `after`) containing `needle`, once it is there."""
    await telegram.wait_for(lambda: any(needle in t for t in telegram.chat_text(chat_id)[after:]))
    return next(t for t in telegram.chat_text(chat_id)[after:] if needle in t)


async def ask(telegram: FakeTelegram, text: str, user: int, needle: str, **where) -> str:
    """Send `text` as `user` and wait for a new bot message containing `needle` in that chat."""
    chat = where.get("chat_id", user)
    before = len(telegram.chat_text(chat))
    telegram.push_message(text, user_id=user, **where)
    return await said(telegram, chat, needle, after=before)


async def test_a_family_of_four_lets_itself_in_from_the_chat(telegram, start_bot, fake_ollama):
    adapter, app = await start_bot()
    in_group = {"chat_id": GROUP, "chat_type": "group"}

    # The owner pairs with the code printed at start.
    code = app.assistant.access.new_pairing_code()
    await ask(telegram, f"/start {code}", OWNER, "owner", first_name="Marie")

    # Paul is invited: he opens the t.me link, which sends /start CODE.
    invitation = await ask(telegram, "/invite", OWNER, "Invitation")
    paul_code = CODE.search(invitation).group(0)
    assert f"https://t.me/{BOT_USERNAME}?start={paul_code}" in invitation
    await ask(telegram, f"/start {paul_code}", PAUL, "Welcome", first_name="Paul")
    await ask(telegram, "/teach Paul's bike is blue", PAUL, "Remembered")

    # Léa asks; the owner gets one message naming her, approves, and she is told.
    refusal = await ask(telegram, "bonjour", LEA, "/request", first_name="Léa", language_code="en")
    assert "telegram:44" in refusal
    await ask(telegram, "/request I am the cousin", LEA, "sent to the owner", first_name="Léa")
    notice = await said(telegram, OWNER, "asks for access")
    assert "Léa (telegram:44)" in notice and "I am the cousin" in notice
    number = re.search(r"/approve (\d+)", notice).group(1)
    await ask(telegram, f"/approve {number}", OWNER, "is now a member")
    await said(telegram, LEA, "accepted")
    await ask(telegram, "/teach Léa arrives on Friday", LEA, "Remembered", first_name="Léa")

    # Zoé is only in the family group: closed, she is refused; opened, she uses the group's memory.
    assert "not on my list" in await ask(telegram, "/remember", ZOE, "not on my list", **in_group)
    await ask(telegram, "/group open", OWNER, "This group is open", **in_group)
    await ask(telegram, "/teach The boat leaves at 9", ZOE, "Remembered", first_name="Zoé", **in_group)
    assert "not on my list" in await ask(telegram, "/remember", ZOE, "not on my list")

    # A stranger's repeated requests reach the owner once.
    notices_before = sum("asks for access" in t for t in telegram.chat_text(OWNER))
    for _ in range(3):
        await ask(telegram, "/request", STRANGER, "request", first_name="Someone")
    await telegram.wait_for(lambda: len(telegram.chat_text(STRANGER)) == 3)
    assert sum("asks for access" in t for t in telegram.chat_text(OWNER)) == notices_before + 1

    # A restart in the middle keeps every role and the open group.
    await adapter.stop()
    await app.close()
    adapter, app = await start_bot()
    members = await ask(telegram, "/members", OWNER, "People who can use")
    assert "Marie (telegram:42) — owner" in members
    assert "Paul (telegram:43) — member" in members and "Léa (telegram:44) — member" in members
    assert "Someone (telegram:66)" in members  # still waiting for an answer
    await ask(telegram, "/remember boat", ZOE, "boat leaves", **in_group)

    # A removed member is refused at once.
    await ask(telegram, "/remove Paul", OWNER, "no longer has access")
    assert "not on my list" in await ask(telegram, "/remember", PAUL, "not on my list")
    assert not await app.assistant.access.is_allowed("telegram:43")


async def test_a_run_of_wrong_codes_stops_being_answered_and_the_owner_is_told_once(telegram, start_bot):
    _, app = await start_bot()
    await ask(telegram, f"/start {app.assistant.access.new_pairing_code()}", OWNER, "owner")
    attempts = app.assistant.access.rules.guesses.attempts
    for n in range(attempts):
        await ask(telegram, f"/start ABCD-EFGH-JK{n:02d}", GUESSER, "not valid", first_name="Mallory")
    alert = await said(telegram, OWNER, "wrong codes")
    assert "Mallory (telegram:77)" in alert
    for text in ("/start ABCD-EFGH-JKLM", "hello", "/request"):
        telegram.push_message(text, user_id=GUESSER)
    await asyncio.sleep(1.0)
    await ask(telegram, "/help", OWNER, "teach")
    assert len(telegram.chat_text(GUESSER)) == attempts
    assert sum("wrong codes" in t for t in telegram.chat_text(OWNER)) == 1


async def test_a_code_sent_in_a_group_is_not_taken_there(telegram, start_bot):
    _, app = await start_bot()
    code = app.assistant.access.new_pairing_code()
    text = await ask(telegram, f"/start {code}", OWNER, "direct chat", chat_id=GROUP, chat_type="group")
    assert "everyone in this group" in text
    assert not await app.assistant.access.is_allowed("telegram:42")


async def test_a_french_family_uses_the_french_command_names(telegram, start_bot):
    _, app = await start_bot()
    code = app.assistant.access.new_pairing_code()
    await ask(telegram, f"/start {code}", OWNER, "propriétaire", first_name="Marie", language_code="fr")
    refusal = await ask(telegram, "bonjour", LEA, "/demander", first_name="Léa", language_code="fr")
    assert "telegram:44" in refusal
    await ask(telegram, "/demander c’est Léa", LEA, "Votre demande a été transmise", first_name="Léa", language_code="fr")
    notice = await said(telegram, OWNER, "demande l’accès")
    number = re.search(r"/accepter (\d+)", notice).group(1)
    await ask(telegram, f"/accepter {number}", OWNER, "est maintenant membre", language_code="fr")
    await said(telegram, LEA, "acceptée")
    listing = await ask(telegram, "/membres", OWNER, "Personnes qui peuvent", language_code="fr")
    assert "Léa (telegram:44) — membre" in listing
