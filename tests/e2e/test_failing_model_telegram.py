"""End to end on Telegram: a hung model answers one chat within the timeout while another chat is served."""

from __future__ import annotations

import pytest

from adapters.telegram_bot import TelegramAdapter
from tests.e2e.telegram_fixtures import TOKEN, stand_in_settings
from tests.fakes.telegram_server import FakeTelegram

SLOW_USER, QUICK_USER = 42, 43


@pytest.mark.timeout(60)
async def test_a_hung_model_does_not_hold_other_chats_and_answers_within_the_timeout(make_app, fake_ollama):
    fake_ollama.hang = lambda body: "slow" in body["messages"][-1]["content"]
    fake_ollama.reply = "Quick answer."
    app = await make_app(
        allowed_users=[f"telegram:{SLOW_USER}", f"telegram:{QUICK_USER}"], ollama={"timeout": 2.0}
    )
    async with FakeTelegram(TOKEN) as telegram:
        settings = stand_in_settings(telegram)
        adapter = TelegramAdapter(settings, app.assistant)
        await adapter.start()
        try:
            telegram.push_message("A slow question?", user_id=SLOW_USER)
            await telegram.wait_for(lambda: len(fake_ollama.chat_requests) == 1)
            telegram.push_message("A quick question?", user_id=QUICK_USER)
            await telegram.wait_for(lambda: "Quick answer." in telegram.chat_text(QUICK_USER))
            assert not any("did not answer" in text for text in telegram.chat_text(SLOW_USER))

            await telegram.wait_for(
                lambda: any("did not answer within 2 s" in t for t in telegram.chat_text(SLOW_USER)), 30
            )
            final = telegram.chat_text(SLOW_USER)[-1]
            assert "http" not in final and "127.0.0.1" not in final
        finally:
            await adapter.stop()
