"""One contract for OpenAI-compatible servers, run against the stand-in always and a real llama.cpp server on request.

What Souvenir relies on (the model list, Server-Sent Events, the 400 for a prompt over the context, a
server dying mid-answer) is checked against both, so the stand-in can be no kinder than the real
server. The real one: SOUVENIR_REAL_LLAMA=1 with llama-cpp-python[server] and the small Gemma model
installed (tests/llama_cpp_server.py); it is never part of a default run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest

from core.llm.base import ChatMessage
from core.llm.openai_chat import LLMContextExceeded, OpenAIChatModel
from tests.fakes.openai_server import FakeOpenAIServer
from tests.http_tap import Tap
from tests.llama_cpp_server import ALIAS, N_CTX, LlamaCppServer, why_not
from tests.requests import request

pytestmark = pytest.mark.timeout(600)
REAL = why_not()
# Greedy decoding (temperature 0) makes the real model's answers repeatable: with this build and model,
# CAPITAL gets words, and COUNTING alone gets an empty answer, but within Souvenir's prompt a long
# ramble (up to the answer cap): the kill tests cut it.
CAPITAL = [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "What is the capital of France?"}]
COUNTING = "Count from 1 to 300, one number per line, and nothing else."
STORY = " ".join(str(n) for n in range(1, 301))  # the stand-in's answer: long, as the real model's ramble
SHORT = {"temperature": 0.0, "max_tokens": 24}


@dataclass
class Served:
    """One running server: its root URL, the model it lists, and a crash."""

    url: str
    model: str
    kill: Callable[[], Awaitable[None]]
    fake: FakeOpenAIServer | None = None  # None: the real server


@pytest.fixture(
    params=["stand-in", pytest.param("llama.cpp", marks=pytest.mark.skipif(REAL is not None, reason=str(REAL)))]
)
async def start(request, tmp_path) -> AsyncIterator[Callable[..., Awaitable[Served]]]:
    """`await start(api_key=None)`: one more server of the kind under test, stopped at the end."""
    stops: list[Callable[[], Awaitable[None]]] = []

    async def stand_in(api_key: str | None = None) -> Served:
        fake = FakeOpenAIServer(STORY, models=[ALIAS], n_ctx=N_CTX, api_key=api_key)
        fake.chunk_delay = 0.01
        await fake.__aenter__()
        stops.append(fake.stop)
        return Served(fake.url, ALIAS, fake.kill, fake)

    async def real(api_key: str | None = None) -> Served:
        server = LlamaCppServer(tmp_path, api_key=api_key)
        stops.append(lambda: asyncio.to_thread(server.stop))
        await asyncio.to_thread(server.wait_ready)
        return Served(server.url, server.model, lambda: asyncio.to_thread(server.kill))

    yield stand_in if request.param == "stand-in" else real
    for stop in stops:
        await stop()


def _messages(question: str) -> list[ChatMessage]:
    return [ChatMessage("system", "You are a helpful assistant."), ChatMessage("user", question)]


async def _events(url: str, body: dict) -> tuple[httpx.Response, list[str]]:
    """POST a chat request and keep the raw lines of its answer."""
    client = httpx.AsyncClient(base_url=url, timeout=120, trust_env=False)
    async with client, client.stream("POST", "/v1/chat/completions", json=body) as response:
        lines = [line async for line in response.aiter_lines()]
    return response, lines


async def test_the_model_list_names_the_model_souvenir_asks_for(start):
    served = await start()
    async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
        response = await client.get(f"{served.url}/v1/models")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    listed = response.json()
    assert listed["object"] == "list"
    assert [(m["id"], m["object"], m["owned_by"]) for m in listed["data"]] == [(ALIAS, "model", "me")]
    assert "max_model_len" not in listed["data"][0]  # llama.cpp says nothing of its context
    backend = OpenAIChatModel(served.url + "/v1/")
    try:
        assert await backend.list_models() == [ALIAS]
        assert await backend.context_window(ALIAS) == backend.max_context  # unknown until a refusal names it
        assert await backend.is_reachable()
    finally:
        await backend.close()


async def test_a_streamed_answer_is_server_sent_events_read_in_order_up_to_done(start):
    served = await start()
    backend = OpenAIChatModel(served.url, options=SHORT)
    tap = Tap()
    backend._client = httpx.AsyncClient(base_url=backend.host, transport=tap, timeout=120)
    try:
        deltas = [d async for d in backend.stream(ALIAS, [ChatMessage(**m) for m in CAPITAL])]
    finally:
        await backend.close()

    lines = tap.raw.decode().splitlines()  # what the server sent for that answer
    events = [line for line in lines if line]
    assert all(line.startswith("data: ") for line in events)
    assert all(line == "" for line in lines[1::2])  # one blank line after each event
    assert events[-1] == "data: [DONE]"
    chunks = [json.loads(line[6:]) for line in events[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"} and len({c["id"] for c in chunks}) == 1
    choices = [c["choices"][0] for c in chunks]
    assert choices[0]["delta"] == {"role": "assistant"} and choices[0]["finish_reason"] is None
    assert all(set(c["delta"]) == {"content"} for c in choices[1:-1]) and choices[-1]["delta"] == {}
    assert all(c["finish_reason"] is None for c in choices[:-1])
    assert choices[-1]["finish_reason"] == "length"  # 24 tokens at most
    pieces = [c["delta"]["content"] for c in choices[1:-1]]
    assert len(pieces) > 4 and "".join(pieces).strip()
    assert deltas == [p for p in pieces if p]  # every piece, in order, nothing else


async def test_an_empty_answer_is_the_role_chunk_then_the_finish_with_no_content(start):
    served = await start()
    if served.fake:
        served.fake.reply = ""
    body = {"model": ALIAS, "messages": [{"role": "user", "content": COUNTING}], "stream": True, **SHORT}
    response, lines = await _events(served.url, body)
    assert response.status_code == 200
    chunks = [json.loads(line[6:]) for line in lines if line.startswith("data: {")]
    assert [c["choices"][0]["delta"] for c in chunks] == [{"role": "assistant"}, {}]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and lines[-2:] == ["data: [DONE]", ""]
    backend = OpenAIChatModel(served.url, options=SHORT)
    try:
        assert [d async for d in backend.stream(ALIAS, [ChatMessage("user", COUNTING)])] == []  # no error here
    finally:
        await backend.close()


async def test_a_prompt_over_the_context_is_refused_with_400_and_the_real_limit(start):
    served = await start()
    long = "Please remember this sentence about the garden gate and the blue door. " * 300
    body = {"model": ALIAS, "messages": [{"role": "user", "content": long}], "stream": True}
    response, lines = await _events(served.url, body)  # streamed, as Souvenir asks: no status, no event
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    assert lines == []
    response, lines = await _events(served.url, {**body, "stream": False})  # unstreamed: the refusal
    assert response.status_code == 400 and response.headers["content-type"].startswith("application/json")
    error = json.loads("".join(lines))["error"]
    assert error["code"] == "context_length_exceeded" and error["type"] == "invalid_request_error"
    assert error["param"] == "messages"
    assert error["message"].startswith(f"This model's maximum context length is {N_CTX} tokens. However, you requested ")
    assert " in the messages, None in the completion)" in error["message"]

    backend = OpenAIChatModel(served.url, max_context=4096)
    try:
        with pytest.raises(LLMContextExceeded) as refused:
            _ = [d async for d in backend.stream(ALIAS, _messages(long))]
        assert refused.value.params == {"status": 400}
        assert await backend.context_window(ALIAS) == N_CTX  # read from the refusal, asked for unstreamed
    finally:
        await backend.close()


async def test_a_malformed_request_and_an_unknown_path_get_the_servers_error_bodies(start):
    served = await start()
    async with httpx.AsyncClient(base_url=served.url, timeout=30, trust_env=False) as client:
        malformed = await client.post("/v1/chat/completions", json={"model": ALIAS, "messages": [{"role": "user"}]})
        missing = await client.get("/health")
    assert malformed.status_code == 500 and malformed.json()["error"]["type"] == "internal_server_error"
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}


async def _ask(app, text: str, kill: Served | None = None) -> str:
    """The answer's final text; with `kill`, that server crashes once the first words are shown."""
    reply = await app.assistant.handle(request(text))
    text = ""
    async for snapshot in reply.updates:
        if kill is not None and snapshot.strip() and not snapshot.startswith("⏳"):
            await kill.kill()
            kill = None
        text = snapshot
    return text


def _pool_settings(served: list[Served], **more) -> dict:
    servers = [f"openai {s.url} 1" for s in served]
    return {"servers": servers, "model": ALIAS, "temperature": 0.0, "recheck": 60.0, "answer_tokens": 96, **more}


FAILURES = {  # what the user reads when the model failed (besides an empty answer, which small models give)
    "en": ("context", "was cut", "not reachable", "failed on its server"),
    "fr": ("contexte", "coupée", "ne répond pas", "rencontré une erreur"),
}


def _failed(answer: str, language: str = "en") -> bool:
    return not answer.strip() or any(words in answer for words in FAILURES[language])


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_souvenir_answers_through_the_pool_and_fits_a_prompt_the_server_refused(start, make_app, language):
    served = await start()
    app = await make_app(ollama=_pool_settings([served], num_ctx=8192), language=language)
    for i in range(30):
        await app.memory.teaching.teach("console:user:local", f"Garden fact {i}: the blue gate opens at {i} o'clock, " * 4)
    question = "When does the blue gate open? " + "Please answer about the garden gate. " * 400
    answer = await _ask(app, question)
    assert not _failed(answer, language)  # refused once (2,048 < 8,192), then asked with a prompt that fits
    assert served.fake is None or answer == " ".join(STORY.split()[:96])  # capped at answer_tokens
    assert await app.llm.context_window(ALIAS) == N_CTX


@pytest.mark.parametrize(
    ("language", "told"),
    [
        ("en", "too small a context for this question, even shortened; tell whoever runs Souvenir"),
        ("fr", "un contexte trop petit pour cette question, même raccourcie\u202f; prévenez la personne qui gère Souvenir"),
    ],
)
async def test_a_prompt_that_never_fits_tells_the_user_plainly(start, make_app, language, told):
    served = await start()
    persona = "You are Souvenir. Always be kind, precise and brief. " * 400  # an admin's mistake: 4,000+ tokens
    app = await make_app(ollama=_pool_settings([served]), language=language, persona=persona)
    await app.memory.teaching.teach("console:user:local", "The blue gate code is 2580.")
    answer = await _ask(app, "What is the blue gate code?")
    assert told in answer and "2580" in answer  # the refusal named, and the memories shown instead
    assert "Traceback" not in answer and "context_length_exceeded" not in answer


@pytest.mark.parametrize(
    ("language", "told"),
    [("en", "The connection to the language model was cut"), ("fr", "La liaison avec le modèle de langage a été coupée")],
)
async def test_a_server_killed_mid_answer_leaves_the_user_a_clear_notice(start, make_app, language, told):
    served = await start()
    app = await make_app(ollama=_pool_settings([served]), language=language)
    answer = await _ask(app, COUNTING, kill=served)
    assert told in answer and answer.rsplit("\n\n", 1)[0].strip()  # the words so far, then the notice


async def test_with_two_servers_the_other_answers_when_one_is_killed_mid_answer(start, make_app):
    one, two = await start(), await start()
    app = await make_app(ollama=_pool_settings([one, two]))
    cut = await _ask(app, COUNTING, kill=one)  # the pool's first server takes it
    assert not _failed(cut) and "interrupted" not in cut  # started again on the other server, whole
    assert two.fake is None or cut == " ".join(STORY.split()[:96])
    assert [s.up for s in app.llm.view().servers] == [False, True]
    again = await _ask(app, COUNTING)
    assert not _failed(again)


@pytest.mark.parametrize(
    ("language", "told"),
    [
        ("en", "The model server refused Souvenir's access key; tell whoever runs Souvenir."),
        ("fr", "Le serveur du modèle a refusé la clé d’accès de Souvenir\u202f; prévenez la personne qui gère Souvenir."),
    ],
)
async def test_a_key_the_server_refuses_is_named_and_the_right_key_is_answered(start, make_app, tmp_path, language, told):
    served = await start(api_key="s3cret-key")
    async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
        refused = await client.get(f"{served.url}/v1/models", headers={"Authorization": "Bearer wrong-key"})
    assert refused.status_code == 401 and refused.json() == {"detail": "Invalid API key"}

    wrong = await make_app(ollama=_pool_settings([served], api_key="wrong-key"), language=language)
    await wrong.memory.teaching.teach("console:user:local", "The blue gate code is 2580.")
    answer = await _ask(wrong, "What is the blue gate code?")
    assert told in answer and "2580" in answer and "wrong-key" not in answer
    right = await make_app(ollama=_pool_settings([served], api_key="s3cret-key"), data_dir=tmp_path / "right")
    assert not _failed(await _ask(right, COUNTING))
