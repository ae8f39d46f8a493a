"""A stand-in Ollama server on 127.0.0.1 speaking the protocol of the official client (see notes)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

from aiohttp import web

from tests.fakes.local_http import serve_locally

Reply = str | Callable[[list[dict]], str]


def answers_from_memory(fact: str) -> Callable[[list[dict]], str]:
    """A reply that repeats `fact` only when the prompt's memories (the system message) contain it."""

    def reply(messages: list[dict]) -> str:
        system = messages[0]["content"]
        return f"From memory: {fact}." if fact in system else "I have nothing about that."

    return reply


def _echo_reply(messages: list[dict]) -> str:
    """Default answer: repeats the question so tests can see it arrived."""
    return f"You said: {messages[-1]['content']}"


class FakeOllama:
    """`async with FakeOllama() as ollama:` serves /api/chat, /api/tags, /api/show, /api/create, /api/blobs.

    Set `reply` (text or function of the messages), `chunk_delay`, `models`, `fail_after_chunks`
    (an error line mid-stream). Every request body is recorded.
    """

    def __init__(self, reply: Reply = _echo_reply, *, models: list[str] | None = None) -> None:
        self.reply: Reply = reply
        self.models = models if models is not None else ["llama3.2:latest"]
        self.chunk_delay = 0.0
        self.chunk_words = 1
        self.fail_after_chunks: int | None = None
        self.chat_requests: list[dict] = []
        self.create_requests: list[dict] = []
        self.blobs: dict[str, bytes] = {}
        self._runner: web.AppRunner | None = None
        self.url = ""

    def _known(self, name: str) -> bool:
        return name in self.models or f"{name}:latest" in self.models

    async def __aenter__(self) -> FakeOllama:
        app = web.Application(client_max_size=1024**3)
        app.router.add_post("/api/chat", self._chat)
        app.router.add_get("/api/tags", self._tags)
        app.router.add_post("/api/show", self._show)
        app.router.add_post("/api/create", self._create)
        app.router.add_post("/api/blobs/{digest}", self._blob)
        app.router.add_head("/api/blobs/{digest}", self._blob_exists)
        app.router.add_get("/", self._root)
        self._runner, self.url = await serve_locally(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text="Ollama is running")

    async def _tags(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "models": [
                    {
                        "model": m,
                        "name": m,
                        "modified_at": "2026-01-01T00:00:00Z",
                        "size": 1,
                        "digest": "0" * 64,
                        "details": {"format": "gguf", "family": "llama", "parameter_size": "1B"},
                    }
                    for m in self.models
                ]
            }
        )

    async def _show(self, request: web.Request) -> web.Response:
        body = await request.json()
        if not self._known(body.get("model", "")):
            return web.json_response({"error": f"model '{body.get('model')}' not found"}, status=404)
        return web.json_response(
            {
                "modelfile": "",
                "parameters": "",
                "template": "",
                "model_info": None,
                "details": {"family": "llama"},
            }
        )

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.chat_requests.append(body)
        model = body.get("model", "")
        if not self._known(model):
            return web.json_response(
                {"error": f"model '{model}' not found, try pulling it first"}, status=404
            )
        messages = body.get("messages", [])
        text = self.reply(messages) if callable(self.reply) else self.reply
        if not body.get("stream", True):
            return web.json_response(self._final(model, text, done_message=True))
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        words = text.split(" ")
        step = max(1, self.chunk_words)
        for n, start in enumerate(range(0, len(words), step)):
            if self.fail_after_chunks is not None and n >= self.fail_after_chunks:
                await response.write(
                    json.dumps({"error": "model runner has unexpectedly stopped"}).encode() + b"\n"
                )
                await response.write_eof()
                return response
            piece = " ".join(words[start : start + step])
            piece = piece if start == 0 else " " + piece
            chunk = {
                "model": model,
                "created_at": _now(),
                "message": {"role": "assistant", "content": piece},
                "done": False,
            }
            await response.write(json.dumps(chunk).encode() + b"\n")
            if self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
        await response.write(json.dumps(self._final(model, "", done_message=False)).encode() + b"\n")
        await response.write_eof()
        return response

    def _final(self, model: str, text: str, *, done_message: bool) -> dict:
        return {
            "model": model,
            "created_at": _now(),
            "message": {"role": "assistant", "content": text},
            "done": True,
            "done_reason": "stop",
            "total_duration": 1000,
            "prompt_eval_count": 1,
            "eval_count": 1,
            "eval_duration": 1000,
        }

    async def _create(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.create_requests.append(body)
        base = body.get("from")
        if base and not self._known(base):
            return web.json_response({"error": f"model '{base}' not found"}, status=404)
        missing = [d for d in (body.get("adapters") or {}).values() if d not in self.blobs]
        if missing:
            return web.json_response({"error": f"blob {missing[0]} not found"}, status=400)
        name = body["model"] if ":" in body["model"] else f"{body['model']}:latest"
        if name not in self.models:
            self.models.append(name)
        if not body.get("stream", False):
            return web.json_response({"status": "success"})
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        for status in ("using existing layer", "writing manifest", "success"):
            await response.write(json.dumps({"status": status}).encode() + b"\n")
        await response.write_eof()
        return response

    async def _blob(self, request: web.Request) -> web.Response:
        self.blobs[request.match_info["digest"]] = await request.read()
        return web.Response(status=201)

    async def _blob_exists(self, request: web.Request) -> web.Response:
        return web.Response(status=200 if request.match_info["digest"] in self.blobs else 404)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
