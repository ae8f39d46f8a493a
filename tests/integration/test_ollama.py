"""The real ollama client against the stand-in server: streaming, failures, and what the user sees."""

import pytest

from core.errors import LLMUnavailable, ModelMissing
from core.llm import ChatMessage
from core.llm.ollama_chat import OllamaChatModel
from tests.fakes.local_http import closed_port
from tests.requests import say


async def test_answer_streams_in_chunks(fake_ollama):
    fake_ollama.reply = "one two three four"
    model = OllamaChatModel(fake_ollama.url)
    parts = [p async for p in model.stream("llama3.2", [ChatMessage("user", "hi")])]
    assert parts == ["one", " two", " three", " four"]
    assert fake_ollama.chat_requests[0]["stream"] is True
    assert fake_ollama.chat_requests[0]["messages"] == [{"role": "user", "content": "hi"}]


async def test_missing_model_and_refused_connection_are_user_errors(fake_ollama):
    with pytest.raises(ModelMissing):
        [p async for p in OllamaChatModel(fake_ollama.url).stream("nope", [ChatMessage("user", "hi")])]
    closed = OllamaChatModel(f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(LLMUnavailable):
        [p async for p in closed.stream("llama3.2", [ChatMessage("user", "hi")])]
    assert await closed.is_reachable() is False
    assert await OllamaChatModel(fake_ollama.url).list_models() == ["llama3.2:latest"]


async def test_mid_stream_error_keeps_the_partial_answer_and_says_so(make_app, fake_ollama):
    app = await make_app()
    fake_ollama.reply = "The answer is forty two indeed"
    fake_ollama.fail_after_chunks = 3
    text = await say(app, "What is the answer?")
    assert text.startswith("The answer is")
    assert "interrupted" in text
    assert (await app.store.interactions.recent_interactions("console:user:local", "console:user:local", 1))[0].output == text


async def test_without_ollama_talk_answers_from_memory(make_app):
    app = await make_app(ollama_host=f"http://127.0.0.1:{closed_port()}", language="fr")
    await app.memory.teaching.teach("console:user:local", "Le code du portail est 2580.")
    text = await say(app, "Quel est le code du portail ?")
    assert "le modèle de langage ne répond pas" in text and "2580" in text


async def test_a_missing_model_names_the_pull_command(make_app):
    app = await make_app(ollama={"model": "qwen3:8b"})
    text = await say(app, "hello")
    assert "ollama pull qwen3:8b" in text


async def test_model_command_lists_and_switches_per_chat(make_app, fake_ollama):
    fake_ollama.models.append("mistral:latest")
    app = await make_app()
    listing = await say(app, command="model")
    assert "llama3.2" in listing and "mistral:latest" in listing
    assert "ollama pull" in await say(app, command="model", args="unknown-model")
    assert "mistral" in await say(app, command="model", args="mistral")
    await say(app, "hi")
    assert fake_ollama.chat_requests[-1]["model"] == "mistral"
    await say(app, "hi", chat="other-chat")
    assert fake_ollama.chat_requests[-1]["model"] == "llama3.2"


async def test_recent_turns_are_in_the_prompt_until_reset(make_app, fake_ollama):
    app = await make_app()
    await say(app, "My name is Inès.")
    await say(app, "What is my name?")
    contents = [m["content"] for m in fake_ollama.chat_requests[-1]["messages"]]
    assert "My name is Inès." in contents
    await say(app, command="reset")
    await say(app, "What is my name?")
    contents = [m["content"] for m in fake_ollama.chat_requests[-1]["messages"]]
    assert "My name is Inès." not in contents


async def test_a_reader_failure_the_error_mapping_does_not_know_is_logged_not_swallowed(fake_ollama, caplog):
    class Broken(OllamaChatModel):
        async def _produce(self, model, messages, options, queue):
            raise RuntimeError("a bug while reading the stream")

    with pytest.raises(LLMUnavailable):  # the asker hears the model went silent, as before
        [p async for p in Broken(fake_ollama.url, timeout=0.3).stream("llama3.2", [ChatMessage("user", "hi")])]
    (line,) = [r.getMessage() for r in caplog.records if r.name == "core.llm.ollama_chat"]
    assert "RuntimeError" in line and fake_ollama.url in line


async def test_an_answer_stops_at_the_configured_length_instead_of_running_on(make_app, fake_ollama):
    """A rambling model would hold a server slot until its context is full: num_predict caps it."""
    from tests.fakes.ollama_server import count_tokens

    app = await make_app(ollama={"answer_tokens": 64})
    fake_ollama.reply = " ".join(["blah"] * 500)
    text = await say(app, "Tell me everything")
    assert fake_ollama.chat_requests[-1]["options"]["num_predict"] == 64
    assert 0 < count_tokens(text) <= 64
