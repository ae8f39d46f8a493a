"""The model pool's placement and health, on scripted servers and a hand-driven clock."""

from __future__ import annotations

import asyncio

import pytest

from core.errors import LLMUnavailable, ModelMissing
from core.llm.base import ChatMessage
from core.llm.fake import ScriptedChatModel
from core.llm.pool import ModelPool, Restart, Waiting
from core.llm.servers import ModelServer

ASK = [ChatMessage("user", "hello")]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Flaky(ScriptedChatModel):
    """A scripted server that can be switched off (refuses) or made to hang on its model list."""

    def __init__(self, reply: str, **kwargs) -> None:
        super().__init__(reply, **kwargs)
        self.asked = 0
        self.list_hangs = False

    async def stream(self, model, messages):
        self.asked += 1
        async for piece in super().stream(model, messages):
            yield piece

    async def list_models(self):
        if self.list_hangs:
            await asyncio.Event().wait()
        return await super().list_models()


async def _answer(pool: ModelPool, chat: str = "c") -> list:
    return [event async for event in pool.ask("llama3.2", ASK, chat=chat, owner="u")]


async def test_a_failed_server_is_left_alone_until_its_pause_is_over_then_used_again():
    clock = Clock()
    a, b = Flaky("from a"), Flaky("from b")
    pool = ModelPool([ModelServer(a, 1), ModelServer(b, 1)], recheck=30, clock=clock)
    a.reachable = False
    assert "".join(e for e in await _answer(pool) if isinstance(e, str)) == "from b"
    a.reachable = True
    for _ in range(3):
        assert "".join(e for e in await _answer(pool) if isinstance(e, str)) == "from b"
    assert a.asked == 0  # its model list failed: paused, not asked within 30 s
    clock.now = 31
    answers = {"".join(e for e in await _answer(pool, f"c{i}") if isinstance(e, str)) for i in range(4)}
    assert "from a" in answers


async def test_a_server_cut_mid_answer_is_replaced_and_the_answer_starts_again():
    class Cut(Flaky):
        async def stream(self, model, messages):
            yield "half"
            raise LLMUnavailable()

    pool = ModelPool([ModelServer(Cut("x"), 1), ModelServer(Flaky("whole answer"), 1)])
    events = await _answer(pool)
    assert events[0] == "half" and isinstance(events[1], Restart)
    assert "".join(e for e in events[2:] if isinstance(e, str)) == "whole answer"


async def test_no_server_with_the_model_fails_at_once_instead_of_waiting():
    pool = ModelPool([ModelServer(Flaky("x", models=["qwen3:8b"]), 1)])
    with pytest.raises(ModelMissing):
        await _answer(pool)
    down = ModelPool([ModelServer(Flaky("x", reachable=False), 1)])
    with pytest.raises(LLMUnavailable):
        await _answer(down)


async def test_a_model_list_that_hangs_never_holds_questions_back():
    clock = Clock()
    server = Flaky("answer")
    pool = ModelPool([ModelServer(server, 2)], models_ttl=60, clock=clock)
    await _answer(pool)
    server.list_hangs = True
    clock.now = 61  # the list is old: read again in the background
    events = await asyncio.wait_for(_answer(pool), 5)
    assert [e for e in events if not isinstance(e, Waiting)] == ["answer"]
    await pool.close()


class Closing(Flaky):
    """A server client that records its closing, or fails it with its address (credentials included)."""

    def __init__(self, reply: str, fails: bool = False) -> None:
        super().__init__(reply)
        self.host = "http://admin:s3cret@box1:11434"
        self.fails = fails
        self.closed = False

    async def close(self):
        if self.fails:
            raise OSError(f"{self.host}: connection reset")
        self.closed = True


async def test_a_client_that_fails_to_close_is_logged_without_credentials_and_the_next_one_still_closes(caplog):
    broken, fine = Closing("a", fails=True), Closing("b")
    pool = ModelPool([ModelServer(broken, 1), ModelServer(fine, 1)])
    await pool.close()
    assert fine.closed
    (line,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "box1:11434" in line and "OSError" in line
    assert "s3cret" not in line and "admin" not in line
