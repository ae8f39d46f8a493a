"""End to end in French: the real python-telegram-bot against the local Bot API stand-in, a French
user (language_code fr) who types French command words and reads only French."""

from __future__ import annotations

import pytest

from adapters.telegram_bot import TelegramAdapter
from tests.e2e.telegram_fixtures import stand_in_settings
from tests.fakes.telegram_server import FakeTelegram
from tests.french_lint import faults

OWNER = 42
FRENCH_MENU = {"apprends", "corrige", "souvenirs", "oublie", "pourquoi", "etat", "exporte", "modele", "langue"}


@pytest.fixture
async def bot(telegram, make_app):
    """A started adapter on a French bot whose only allowed user is telegram:42."""
    app = await make_app(allowed_users=[f"telegram:{OWNER}"], language="fr")
    adapter = TelegramAdapter(stand_in_settings(telegram), app.assistant)
    await adapter.start()
    yield adapter, app
    await adapter.stop()


async def say(telegram: FakeTelegram, text: str, needle: str) -> str:
    """Send `text` as the French owner and return the bot's reply that contains `needle`."""
    before = len(telegram.chat_text(OWNER))
    telegram.push_message(text, language_code="fr")

    def answered() -> bool:
        return any(needle in t for t in telegram.chat_text(OWNER)[before:])

    await telegram.wait_for(answered, 20)
    return next(t for t in telegram.chat_text(OWNER)[before:] if needle in t)


async def test_the_menu_of_a_french_user_shows_french_command_names(telegram, bot):
    await telegram.wait_for(lambda: telegram.sent("getUpdates"))
    menus = {c.params.get("language_code"): c.params["commands"] for c in telegram.sent("setMyCommands")}
    french = {c["command"]: c["description"] for c in menus["fr"]}
    english = {c["command"] for c in menus["en"]}
    assert set(french) >= FRENCH_MENU, sorted(french)
    assert {"teach", "correct", "remember", "forget", "why", "status"} <= english
    assert not {"teach", "correct", "remember", "forget"} & set(french), "no English name in the French menu"
    assert all(name.isascii() and name.islower() for name in french), "Telegram takes [a-z0-9_] only"
    assert french["apprends"] == "Retenir un fait"


async def test_a_french_session_on_telegram_uses_only_french_words(telegram, fake_ollama, bot):
    replies = [
        await say(telegram, "/apprends Le code du portail est 2580.", "Retenu"),
        await say(telegram, "/retiens Ma sœur Clara est née le 12 mars 1990.", "Retenu"),
        await say(telegram, "/souvenirs", "fait appris"),
        await say(telegram, "/corrige Le code du portail est 2580 → Le code du portail est 4711.", "Correction"),
    ]
    fake_ollama.reply = "Le code du portail est 4711 [#3]."
    replies.append(await say(telegram, "Quel est le code du portail ?", "4711 [#3]"))
    replies += [
        await say(telegram, "/pourquoi", "Ma dernière réponse"),
        await say(telegram, "/etat", "État"),
        await say(telegram, "/état", "État"),
        await say(telegram, "/oublie 99", "Tapez /souvenirs"),
        await say(telegram, "/aprends x", "Vouliez-vous dire /apprends"),
        await say(telegram, "/aide", "Au quotidien"),
        await say(telegram, "/oublie 1", "oublié"),
    ]
    listing = replies[2]
    assert "fait appris · 0,8 —" in listing and "teaching" not in listing and "0.8" not in listing, listing
    assert "Remplacés" in replies[3] and "#1" in replies[3]
    assert "(correction)\u00a0: Le code du portail est 4711." in replies[5]
    assert "/apprends TEXTE" in replies[10] and "/teach" not in replies[10], "help names French commands"
    status = replies[6]
    assert "telegram:" not in status and "Plongements" not in status and "Ollama" not in status
    problems = {r: faults(r) for r in replies if faults(r)}
    assert problems == {}, problems
