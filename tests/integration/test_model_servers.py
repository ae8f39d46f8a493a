"""Several model servers: Ollama and OpenAI-compatible stand-ins, with the real `ollama` client and httpx."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAIServer
from tests.requests import request, say

pytestmark = pytest.mark.timeout(120)
ANSWER = "The gate code is twenty five eighty."


async def _ask(app, text: str, user: int) -> str:
    incoming = request(text, platform="telegram", user=str(user), scope=f"telegram:user:{user}")
    return await (await app.assistant.handle(incoming)).final_text()


def _users(n: int) -> list[str]:
    return [f"telegram:{i}" for i in range(n)]


async def test_an_openai_compatible_server_streams_the_answer_and_lists_its_models(make_app, caplog):
    caplog.set_level(logging.DEBUG)
    async with FakeOpenAIServer(ANSWER, models=["smol"], flavour="vllm", api_key="s3cret-key") as server:
        app = await make_app(
            ollama={"servers": [f"openai {server.url} 2"], "model": "smol", "api_key": "s3cret-key"}
        )
        snapshots = [s async for s in (await app.assistant.handle(request("What is the gate code?"))).updates]
        assert snapshots[-1] == ANSWER and len(snapshots) > 3  # streamed word by word
        sent = server.requests[-1]
        assert sent["stream"] is True and sent["model"] == "smol"
        assert sent["messages"][0]["role"] == "system" and sent["messages"][-1]["content"].endswith("gate code?")
        assert "smol" in await say(app, command="model")
        assert set(server.auth) == {"Bearer s3cret-key"}
    assert "s3cret-key" not in caplog.text


@pytest.mark.parametrize(
    ("switch", "expected"),
    [
        ({"status_error": (500, "CUDA error: an illegal memory access")}, "failed on its server (Ollama error 500)"),
        ({"cut_after_chunks": 3}, "The answer was interrupted: The connection to the language model was cut"),
        ({"error_after_chunks": 3}, "The answer was interrupted: The language model stopped with an error"),
    ],
)
async def test_an_openai_compatible_servers_failures_reach_the_user_plainly(make_app, switch, expected):
    async with FakeOpenAIServer(ANSWER, models=["smol"]) as server:
        for name, value in switch.items():
            setattr(server, name, value)
        app = await make_app(ollama={"servers": [f"openai {server.url}/v1"], "model": "smol"})
        await app.memory.teaching.teach("console:user:local", "The gate code is 2580.")
        text = await say(app, "What is the gate code?")
        assert expected in text


async def test_a_model_the_vllm_server_does_not_serve_is_named_and_memory_still_answers(make_app):
    async with FakeOpenAIServer(ANSWER, models=["smol"], flavour="vllm") as server:
        app = await make_app(ollama={"servers": [f"openai {server.url}"], "model": "llama3.2"})
        await app.memory.teaching.teach("console:user:local", "The gate code is 2580.")
        text = await say(app, "What is the gate code?")
        assert "llama3.2" in text and "2580" in text
        assert server.requests == []  # known missing from /v1/models: never asked


@pytest.mark.parametrize("flavour", ["llama.cpp", "llama-server"])  # each with its own refusal body
async def test_a_server_with_a_smaller_context_than_said_is_asked_again_with_a_prompt_that_fits(make_app, flavour):
    async with FakeOpenAIServer(ANSWER, models=["smol"], n_ctx=700, flavour=flavour) as server:
        app = await make_app(ollama={"servers": [f"openai {server.url}"], "model": "smol", "num_ctx": 4096})
        for i in range(12):
            await app.memory.teaching.teach("console:user:local", f"Gate fact {i}: " + "the gate code is 2580 " * 12)
        text = await say(app, "What is the gate code?")
        assert text == ANSWER
        asked = [r["stream"] for r in server.requests]  # llama.cpp says why it refused a stream only unstreamed
        assert asked == ([True, False, True] if flavour == "llama.cpp" else [True, True])  # refused, then fitted


async def test_requests_go_only_to_servers_that_have_the_model(make_app):
    async with FakeOllama(ANSWER, models=["qwen3:8b"]) as other, FakeOllama(ANSWER) as right:
        app = await make_app(
            ollama={"servers": [other.url, right.url]}, allowed_users=_users(6)
        )
        answers = await asyncio.gather(*(_ask(app, "What is the gate code?", i) for i in range(6)))
        assert answers == [ANSWER] * 6
        assert other.chat_requests == [] and len(right.chat_requests) == 6


async def test_both_servers_share_the_load_up_to_their_parallelism(make_app):
    async with FakeOllama(ANSWER) as one, FakeOpenAIServer(ANSWER, models=["llama3.2"]) as two:
        for server in (one, two):
            server.parallel = 3
            server.chunk_delay = 0.05
        app = await make_app(
            ollama={"servers": [f"{one.url} 1", f"openai {two.url} 3"]}, allowed_users=_users(8)
        )
        answers = await asyncio.gather(*(_ask(app, "What is the gate code?", i) for i in range(8)))
        assert answers == [ANSWER] * 8
        assert one.max_active == 1 and two.max_active <= 3
        assert len(one.chat_requests) >= 1 and len(two.requests) >= 3


async def test_a_server_killed_mid_run_loses_no_question_and_is_used_again_once_back(make_app):
    first = FakeOllama(ANSWER)
    await first.__aenter__()
    async with FakeOllama(ANSWER) as second:
        for server in (first, second):
            server.chunk_delay = 0.05
        app = await make_app(
            ollama={"servers": [f"{first.url} 2", f"{second.url} 2"], "recheck": 1.0}, allowed_users=_users(12)
        )
        asks = [asyncio.create_task(_ask(app, "What is the gate code?", i)) for i in range(12)]
        while len(first.chat_requests) < 2:  # until the first server is answering two questions
            await asyncio.sleep(0.01)
        port = first.port
        await first.__aexit__(None, None, None)  # killed: its streams are cut, its port refuses
        answers = await asyncio.gather(*asks)
        assert answers == [ANSWER] * 12  # every question answered, the cut ones again from the start
        assert sum(1 for s in app.llm.view().servers if not s.up) == 1

        async with FakeOllama(ANSWER, port=port) as back:  # the same box comes back
            await asyncio.sleep(1.1)
            before = len(second.chat_requests)
            answers = await asyncio.gather(*(_ask(app, "And the wifi?", i) for i in range(4)))
            assert answers == [ANSWER] * 4
            assert back.chat_requests and len(second.chat_requests) - before < 4


async def test_the_single_host_setting_of_earlier_versions_still_works(make_app, fake_ollama):
    fake_ollama.reply = ANSWER
    app = await make_app()  # SOUVENIR_OLLAMA__HOST only
    assert [s.name for s in app.llm.servers] == [fake_ollama.url]
    assert await say(app, "What is the gate code?") == ANSWER


@pytest.mark.parametrize(
    ("language", "told"),
    [
        ("en", "The language model gave an empty answer; try asking in other words."),
        ("fr", "Le modèle de langage a donné une réponse vide\u202f; reformulez votre question."),
    ],
)
async def test_an_empty_answer_from_the_model_is_said_and_memory_answers_instead(make_app, language, told):
    async with FakeOpenAIServer("", models=["smol"]) as server:  # small models stop at once, often
        app = await make_app(ollama={"servers": [f"openai {server.url}"], "model": "smol"}, language=language)
        await app.memory.teaching.teach("console:user:local", "The gate code is 2580.")
        text = await say(app, "What is the gate code?")
        assert told in text and "2580" in text  # not silence


async def test_an_answer_stops_at_the_answer_budget_however_much_the_model_rambles(make_app):
    rambling = " ".join(["blah"] * 500)
    async with FakeOpenAIServer(rambling, models=["smol"]) as server:
        app = await make_app(ollama={"servers": [f"openai {server.url}"], "model": "smol", "answer_tokens": 100})
        assert await say(app, "Tell me everything.") == " ".join(["blah"] * 100)
        assert server.requests[-1]["max_tokens"] == 100


async def test_a_server_that_refuses_the_key_is_left_aside_and_another_answers(make_app):
    async with FakeOpenAIServer(ANSWER, models=["smol"], api_key="its-own-key") as locked, FakeOpenAIServer(
        ANSWER, models=["smol"]
    ) as open_one:
        app = await make_app(
            ollama={"servers": [f"openai {locked.url}", f"openai {open_one.url}"], "model": "smol", "api_key": "k"}
        )
        assert await say(app, "What is the gate code?") == ANSWER
        assert [s.up for s in app.llm.view().servers] == [False, True] and locked.requests == []
