"""The stand-in Ollama answers like the real server (0.24) in every point docs/ollama.md lists."""

import hashlib
import json

import httpx
import ollama
import pytest

from tests.fakes.ollama_server import ModelSpec, count_tokens


@pytest.fixture
async def http(fake_ollama):
    async with httpx.AsyncClient(base_url=fake_ollama.url) as client:
        yield client


async def test_version_tags_and_names(fake_ollama, http):
    assert (await http.get("/api/version")).json() == {"version": "0.24.0"}
    listed = (await http.get("/api/tags")).json()["models"][0]
    assert listed["model"] == "llama3.2:latest"
    assert {"family", "parameter_size", "quantization_level"} <= listed["details"].keys()
    client = ollama.AsyncClient(host=fake_ollama.url)
    answer = await client.chat(model="llama3.2", messages=[{"role": "user", "content": "hi"}])
    assert answer.model == "llama3.2"  # echoed as sent
    with pytest.raises(ollama.ResponseError) as missing:
        await client.chat(model="llama3.2:3b", messages=[{"role": "user", "content": "hi"}])
    assert missing.value.status_code == 404


async def test_show_has_a_text_parameters_block_and_the_context_length(fake_ollama, http):
    fake_ollama.spec("llama3.2").parameters = {"num_ctx": 4096, "stop": ["<|im_end|>"]}
    shown = (await http.post("/api/show", json={"model": "llama3.2"})).json()
    assert isinstance(shown["parameters"], str)
    assert shown["parameters"].split("\n")[0].split() == ["num_ctx", "4096"]
    assert '"<|im_end|>"' in shown["parameters"]
    info = shown["model_info"]
    assert info[f"{info['general.architecture']}.context_length"] == 131072
    assert {"modelfile", "template", "system", "details", "capabilities", "modified_at"} <= shown.keys()
    assert (await ollama.AsyncClient(host=fake_ollama.url).show("llama3.2")).modelinfo is not None


async def test_not_found_is_worded_differently_by_endpoint(http):
    for path, body in [
        ("/api/chat", {"model": "x", "messages": []}),
        ("/api/generate", {"model": "x", "prompt": "hi"}),
        ("/api/show", {"model": "x"}),
    ]:
        answer = await http.post(path, json=body)
        assert (answer.status_code, answer.json()) == (404, {"error": "model 'x' not found"})
    deleted = await http.request("DELETE", "/api/delete", json={"model": "x"})
    assert (deleted.status_code, deleted.json()) == (404, {"error": "model 'x' not found"})
    embedded = await http.post("/api/embed", json={"model": "x", "input": "hi"})
    assert embedded.status_code == 404
    assert embedded.json() == {"error": 'model "x" not found, try pulling it first'}
    copied = await http.post("/api/copy", json={"source": "x", "destination": "y"})
    assert copied.status_code == 404


async def test_embed_answers_even_for_a_chat_model(fake_ollama):
    answer = await ollama.AsyncClient(host=fake_ollama.url).embed(model="llama3.2", input=["a", "b"])
    assert len(answer.embeddings) == 2


async def test_chat_streams_ndjson_without_blank_lines_and_ends_with_counters(http):
    body = {"model": "llama3.2", "messages": [{"role": "user", "content": "one two"}]}
    answer = await http.post("/api/chat", json=body)  # `stream` left out: streamed
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    lines = answer.text.split("\n")
    assert lines[-1] == "" and "" not in lines[:-1]
    parts = [json.loads(line) for line in lines[:-1]]
    assert all(not p["done"] for p in parts[:-1])
    assert parts[-1]["done"] and parts[-1]["done_reason"] == "stop"
    assert {"prompt_eval_count", "eval_count", "eval_duration"} <= parts[-1].keys()
    single = (await http.post("/api/chat", json={**body, "stream": False})).json()
    assert single["done"] and single["message"]["role"] == "assistant"


async def test_the_context_is_num_ctx_default_4096_cut_like_the_real_server(fake_ollama, http):
    long = "word " * 4100  # 4,100 tokens for the stand-in: each alone overflows 4096
    messages = [
        {"role": "system", "content": "Persona."},
        {"role": "user", "content": long},
        {"role": "assistant", "content": long},
        {"role": "user", "content": "last"},
    ]
    await http.post("/api/chat", json={"model": "llama3.2", "messages": messages, "stream": False})
    seen = fake_ollama.prompts[-1]
    assert seen.num_ctx == 4096 and seen.dropped_messages == 2  # oldest turns dropped silently
    assert [m["content"] for m in seen.messages] == ["Persona.", "last"]  # system and latest kept

    fake_ollama.spec("llama3.2").context_length = 2048
    body = {"model": "llama3.2", "messages": messages[:2], "options": {"num_ctx": 8192}, "stream": False}
    await http.post("/api/chat", json=body)
    seen = fake_ollama.prompts[-1]
    assert seen.num_ctx == 2048  # clamped to what the model was trained for
    assert seen.truncated_tokens > 0 and seen.seen_tokens == 2048  # the latest message cut itself
    assert count_tokens("Persona.") and "Persona." not in seen.messages[0]["content"]


async def test_create_streams_unless_told_not_to_and_maps_its_failures(fake_ollama, http):
    streamed = await http.post("/api/create", json={"model": "mine", "from": "llama3.2"})
    statuses = [json.loads(line)["status"] for line in streamed.text.splitlines()]
    assert streamed.status_code == 200 and statuses[-1] == "success" and len(statuses) > 1
    quiet = await http.post("/api/create", json={"name": "mine2", "from": "llama3.2", "stream": False})
    assert quiet.json() == {"status": "success"} and "mine2:latest" in fake_ollama.models

    async def refused(body: dict) -> tuple[int, str]:
        answer = await http.post("/api/create", json={"stream": False, **body})
        return answer.status_code, answer.json()["error"]

    assert await refused({"from": "llama3.2"}) == (400, "model is required")
    assert await refused({"model": "m", "modelfile": "FROM llama3.2"}) == (
        400,
        "neither 'from' or 'files' was specified",
    )
    status, error = await refused({"model": "m", "from": "absent-model"})
    assert (
        status == 500 and error.startswith('pull model manifest: Get "https://') and "no such host" in error
    )
    status, error = await refused({"model": "m", "files": {"model.gguf": "sha256:" + "0" * 64}})
    assert status == 500
    streamed_error = await http.post("/api/create", json={"model": "m", "from": "absent-model"})
    assert streamed_error.status_code == 200 and "error" in json.loads(streamed_error.text.splitlines()[-1])


async def test_blobs_and_adapters_are_checked_like_the_real_server(fake_ollama, http):
    data = b"\x00\x01 not a gguf file"
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    assert (await http.head(f"/api/blobs/{digest}")).status_code == 404
    assert (await http.post(f"/api/blobs/{digest}", content=data)).status_code == 201
    assert (await http.post(f"/api/blobs/{digest}", content=data)).status_code == 200
    assert (await http.head(f"/api/blobs/{digest}")).status_code == 200
    wrong = await http.post(f"/api/blobs/{digest}", content=b"other bytes")
    assert wrong.status_code == 400 and wrong.json()["error"].startswith("digest mismatch, expected")

    body = {"model": "m", "from": "llama3.2", "adapters": {"adapter.bin": digest}, "stream": False}
    refused = await http.post("/api/create", json=body)
    assert (refused.status_code, refused.json()) == (400, {"error": "supplied file was not in GGUF format"})

    client = ollama.AsyncClient(host=fake_ollama.url)
    peft = {}
    for name, content in (("adapter_model.safetensors", b"\x08\x00weights"), ("adapter_config.json", b"{}")):
        peft[name] = "sha256:" + hashlib.sha256(content).hexdigest()
        await http.post(f"/api/blobs/{peft[name]}", content=content)
    fake_ollama.specs["qwen:latest"] = ModelSpec(arch="qwen2")
    fake_ollama.models.append("qwen:latest")
    with pytest.raises(ollama.ResponseError) as unsupported:
        await client.create(model="q", from_="qwen", adapters=peft)
    assert (unsupported.value.status_code, unsupported.value.error) == (400, "unsupported architecture")
    assert (await client.create(model="l", from_="llama3.2", adapters=peft)).status == "success"
