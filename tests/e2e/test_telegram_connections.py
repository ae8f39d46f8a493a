"""The real python-telegram-bot, through Souvenir's bounded request, against the local Bot API stand-in:
at most N requests in flight, the others wait their turn (none lost), and long polling has its own connection."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot
from telegram.error import TimedOut

from adapters.telegram_request import SEND_CONNECTIONS, BoundedRequest, application_builder
from tests.e2e.telegram_fixtures import TOKEN, stand_in_settings
from tests.fakes.telegram_server import FakeTelegram

pytestmark = pytest.mark.timeout(60)


class SlowTelegram(FakeTelegram):
    """A Bot API whose "typing…" takes a while, counting how many are in progress at once."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.delay = 0.05
        self.active = self.most = 0

    async def _m_sendChatAction(self, params: dict):
        self.active += 1
        self.most = max(self.most, self.active)
        try:
            await asyncio.sleep(self.delay)
            return await super()._m_sendChatAction(params)
        finally:
            self.active -= 1


def _bot(telegram: FakeTelegram, request: BoundedRequest) -> Bot:
    return Bot(TOKEN, base_url=f"{telegram.url}/bot", request=request)


async def test_at_most_n_requests_are_in_flight_and_every_other_one_waits_its_turn():
    async with SlowTelegram(TOKEN) as telegram:
        async with _bot(telegram, BoundedRequest(connections=3)) as bot:
            done = await asyncio.gather(*(bot.send_chat_action(chat_id=n, action="typing") for n in range(1, 13)))
        assert done == [True] * 12
        assert telegram.most == 3
        assert len(telegram.sent("sendChatAction")) == 12


async def test_a_request_that_finds_no_free_connection_in_time_times_out_as_a_full_pool_does():
    async with SlowTelegram(TOKEN) as telegram:
        telegram.delay = 1.0
        async with _bot(telegram, BoundedRequest(connections=1, wait=0.2)) as bot:
            first = asyncio.create_task(bot.send_chat_action(chat_id=1, action="typing"))
            await asyncio.sleep(0.05)
            with pytest.raises(TimedOut):
                await bot.send_chat_action(chat_id=2, action="typing")
            assert await first is True
        assert [c.params["chat_id"] for c in telegram.sent("sendChatAction")] == [1]


async def test_the_adapter_sends_through_a_bounded_pool_and_long_polls_on_its_own_connection():
    async with FakeTelegram(TOKEN) as telegram:
        app = application_builder(stand_in_settings(telegram)).build()
        sends, polls = app.bot.request, app.bot._request[0]
        assert isinstance(sends, BoundedRequest) and sends._client_kwargs["limits"].max_connections == SEND_CONNECTIONS
        assert polls is not sends and polls._client_kwargs["limits"].max_connections == 1
