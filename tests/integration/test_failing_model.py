"""A failing model: every question still gets a clear answer in the user's language, never a traceback."""

import asyncio
import logging

import pytest

from tests.fakes.local_http import closed_port
from tests.requests import request, say

SCOPE = "console:user:local"
TIMEOUT = 1.0  # the configured silence limit in these tests (the default is 60 s)


def _assert_clean(text: str, url: str, caplog) -> None:
    """No host, URL or raw server error reaches the user, and nothing was logged as a crash."""
    host = url.split("//", 1)[1]
    for leaked in (host, "http://", "127.0.0.1", "Traceback", "JSONDecodeError", "<html", "status code"):
        assert leaked not in text
    assert not [r for r in caplog.records if r.exc_info], "a failure was logged as a crash"


async def _app(make_app, **overrides):
    overrides["ollama"] = {"timeout": TIMEOUT, **overrides.get("ollama", {})}
    app = await make_app(**overrides)
    await app.memory.teaching.teach(SCOPE, "The gate code is 2580.")
    return app


async def test_a_server_error_says_what_it_means_and_answers_from_memory(make_app, fake_ollama, caplog):
    app = await _app(make_app)
    fake_ollama.status_error = (500, "llama runner process has terminated: exit status 2")
    text = await say(app, "What is the gate code?")
    assert "failed on its server (Ollama error 500)" in text and "2580" in text
    assert "not reachable" not in text and "llama runner" not in text
    assert "llama runner process has terminated" in caplog.text  # the operator finds it in the log
    _assert_clean(text, fake_ollama.url, caplog)


async def test_a_model_too_big_for_the_machine_is_named(make_app, fake_ollama, caplog):
    app = await _app(make_app, language="fr")
    fake_ollama.status_error = (
        500,
        "model requires more system memory (5.6 GiB) than is available (2.1 GiB)",
    )
    text = await say(app, "Quel est le code du portail ?")
    assert "trop gros pour la mémoire" in text and "llama3.2" in text and "2580" in text
    _assert_clean(text, fake_ollama.url, caplog)


async def test_a_missing_model_names_the_pull_command_and_still_answers_from_memory(
    make_app, fake_ollama, caplog
):
    app = await _app(make_app, ollama={"model": "qwen3:8b", "timeout": TIMEOUT})
    text = await say(app, "What is the gate code?")
    assert "ollama pull qwen3:8b" in text and "2580" in text
    _assert_clean(text, fake_ollama.url, caplog)


async def test_an_html_page_from_a_proxy_is_not_a_crash(make_app, fake_ollama, caplog):
    app = await _app(make_app)
    fake_ollama.html_page = True
    text = await say(app, "What is the gate code?")
    assert "Something other than Ollama answered" in text and "2580" in text
    assert "something went wrong" not in text
    _assert_clean(text, fake_ollama.url, caplog)
    french = await say(app, "Quel est le code du portail ?", language="fr")
    assert "une autre page a répondu à sa place" in french and "Ollama" not in french
    assert "Ollama" in await say(app, command="model")  # listing models does not crash either


async def test_a_stream_cut_half_way_keeps_the_partial_answer_and_marks_it(make_app, fake_ollama, caplog):
    app = await _app(make_app)
    fake_ollama.reply = "The gate code is 2580 and the shed code is 1357."
    fake_ollama.cut_after_chunks = 4
    text = await say(app, "What is the gate code?")
    assert text.startswith("The gate code is")
    assert "1357" not in text
    assert "The answer was interrupted: The connection to the language model was cut" in text
    logged = (await app.store.interactions.recent_interactions(SCOPE, SCOPE, 1))[0]
    assert logged.output == text
    _assert_clean(text, fake_ollama.url, caplog)


async def test_a_server_that_goes_away_is_reported_without_its_address(make_app, caplog):
    port = closed_port()
    app = await _app(make_app, ollama_host=f"http://127.0.0.1:{port}", language="fr")
    text = await say(app, "Quel est le code du portail ?")
    assert "le modèle de langage ne répond pas" in text and "2580" in text
    assert str(port) not in text and "Ollama" not in text, "a family member reads no server name"
    assert "did not answer: error.llm_unreachable" in caplog.text, "the technical detail goes to the log"
    _assert_clean(text, f"http://127.0.0.1:{port}", caplog)


@pytest.mark.timeout(30)
async def test_a_hung_server_gets_an_answer_within_the_timeout_while_other_chats_are_served(
    make_app, fake_ollama, caplog
):
    app = await _app(make_app)
    fake_ollama.hang = lambda body: "slow" in body["messages"][-1]["content"]
    fake_ollama.reply = "Quick answer."

    hung = asyncio.create_task(
        app.assistant.handle(request("A slow question about the gate code?", chat="chat-a"))
    )
    hung_text = asyncio.create_task(_final(hung))
    other = await (await app.assistant.handle(request("Hello?", chat="chat-b"))).final_text()
    taught = await (
        await app.assistant.handle(request(command="teach", args="The boat is blue."))
    ).final_text()
    assert other == "Quick answer." and "Remembered" in taught
    assert not hung_text.done()  # the other chat was served while the first still waited

    text = await asyncio.wait_for(hung_text, 20 * TIMEOUT)
    assert f"did not answer within {TIMEOUT:g} s" in text and "2580" in text
    _assert_clean(text, fake_ollama.url, caplog)


async def _final(handled) -> str:
    return await (await handled).final_text()


async def test_the_default_silence_limit_is_at_most_a_minute(make_app):
    app = await make_app()
    assert app.settings.ollama.timeout <= 60
    assert [s.backend.timeout for s in app.llm.servers] == [app.settings.ollama.timeout]


async def test_an_error_line_mid_answer_is_marked_and_logged(make_app, fake_ollama, caplog):
    caplog.set_level(logging.WARNING)
    app = await _app(make_app)
    fake_ollama.reply = "The gate code is 2580 indeed"
    fake_ollama.fail_after_chunks = 3
    text = await say(app, "What is the gate code?")
    assert text.startswith("The gate code")
    assert "interrupted: The language model stopped with an error on its server." in text
    assert "model runner has unexpectedly stopped" not in text
    assert "model runner has unexpectedly stopped" in caplog.text
    _assert_clean(text, fake_ollama.url, caplog)


async def test_credentials_in_the_ollama_address_reach_neither_the_user_nor_the_log(make_app, caplog):
    caplog.set_level(logging.INFO)
    host = f"http://souvenir:s3cret-pass@127.0.0.1:{closed_port()}"
    app = await _app(make_app, ollama_host=host)
    text = await say(app, "What is the gate code?")
    assert "not reachable" in text and "2580" in text
    assert "s3cret-pass" not in text and "s3cret-pass" not in caplog.text
    assert "Ollama at http://127.0.0.1:" in caplog.text  # the operator still sees where it looked
