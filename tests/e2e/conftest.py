"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.e2e.telegram_fixtures import TOKEN
from tests.fakes.telegram_server import FakeTelegram


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    """A running Bot API stand-in."""
    async with FakeTelegram(TOKEN) as server:
        yield server
