"""A stand-in OpenAI-compatible chat server on 127.0.0.1 (llama.cpp's server, or vLLM), as the real ones answer.

What it mirrors (docs/scaling.md, /work/shared/notes/openai-compatible.md): `GET /v1/models` as a list
object; `POST /v1/chat/completions` streaming Server-Sent Events (`data: {json}` and a blank line per
chunk, a first delta with the role only, content deltas, `finish_reason` on the last chunk, then
`data: [DONE]`; an empty answer has no content chunk at all) or one `chat.completion`; a prompt
longer than the context refused with HTTP 400 and an error object (code `context_length_exceeded`,
"maximum context length is N tokens"), except a streamed one on llama.cpp (below); a malformed body
→ 500 with an error object; an unknown path → 404 `{"detail":"Not Found"}`. Checked against the
real llama-cpp-python 0.3.36 by tests/integration/test_openai_contract.py. `flavour="llama.cpp"`
answers any model name with its one model (as llama-cpp-python does) and refuses a *streamed*
prompt over its context with HTTP 200 and an empty event stream (the 400 comes only unstreamed);
`flavour="vllm"` refuses an
unknown one with 404 `{"object":"error","message":"The model `x` does not exist.",...}` and reports
`max_model_len` in its model list; `flavour="llama-server"` (llama.cpp's own C++ server) refuses a
long prompt with its `exceed_context_size_error` body (the limit in `n_ctx`) and lists the model's
training context (`meta.n_ctx_train`), not the server's. With `api_key` set, a request without that bearer key gets 401 (`{"detail":"Invalid API key"}`, vLLM's
`{"error":"Unauthorized"}`).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from aiohttp import web

from tests.fakes.local_http import serve_locally
from tests.fakes.ollama_server import Reply, count_tokens

MESSAGE_OVERHEAD = 5


class FakeOpenAIServer:
    """`async with FakeOpenAIServer(models=["smol"]) as server:` serves the API at `server.url` (+ /v1).

    Switches: `reply`, `chunk_delay`, `n_ctx`, `parallel` (requests beyond it wait, silent),
    `status_error` ((status, message) for every chat), `cut_after_chunks` (connection dropped),
    `error_after_chunks` (an error object inside the stream, as vLLM sends). Records `requests`
    (bodies) and `auth` (Authorization headers seen).
    """

    def __init__(
        self,
        reply: Reply = "OK.",
        *,
        models: list[str] | None = None,
        flavour: str = "llama.cpp",
        n_ctx: int = 2048,
        api_key: str | None = None,
        port: int = 0,
    ) -> None:
        self.reply = reply
        self.models = models or ["/models/gemma-3-270m-it-Q4_K_M.gguf"]
        self.flavour = flavour
        self.n_ctx = n_ctx
        self.api_key = api_key
        self.port = port
        self.chunk_delay = 0.0
        self.parallel: int | None = None
        self.status_error: tuple[int, str] | None = None
        self.cut_after_chunks: int | None = None
        self.error_after_chunks: int | None = None
        self.requests: list[dict] = []
        self.auth: list[str] = []
        self.active = 0
        self.max_active = 0
        self._slots: asyncio.Semaphore | None = None
        self._open: set[asyncio.Transport] = set()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> FakeOpenAIServer:
        app = web.Application(middlewares=[self._check_key])
        app.router.add_get("/v1/models", self._models)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_route("*", "/{path:.*}", _not_found)
        self._runner, self.url = await serve_locally(app, self.port)
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Stop serving (once)."""
        runner, self._runner = self._runner, None
        if runner:
            await runner.shutdown()
            await runner.cleanup()

    async def kill(self) -> None:
        """A crash: every open connection cut at once, then the port refuses."""
        for transport in self._open:
            transport.abort()
        await self.stop()

    @web.middleware
    async def _check_key(self, request: web.Request, handler) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        self.auth.append(header)
        if self.api_key and header != f"Bearer {self.api_key}":
            refusal = {"error": "Unauthorized"} if self.flavour == "vllm" else {"detail": "Invalid API key"}
            return web.json_response(refusal, status=401)
        transport = request.transport
        if transport is not None:
            self._open.add(transport)
        try:
            return await handler(request)
        finally:
            self._open.discard(transport)

    async def _models(self, request: web.Request) -> web.Response:
        data = []
        for name in self.models:
            entry = {"id": name, "object": "model", "owned_by": "me", "permissions": []}
            if self.flavour == "vllm":
                entry.update(created=int(time.time()), root=name, parent=None, max_model_len=self.n_ctx)
            elif self.flavour == "llama-server":  # the training context, not the server's --ctx-size
                entry.update(created=int(time.time()), owned_by="llamacpp", meta={"n_ctx_train": 32768})
                del entry["permissions"]
            data.append(entry)
        return web.json_response({"object": "list", "data": data})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        if self.parallel is None:
            return await self._chat_now(request)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.parallel)
        async with self._slots:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            try:
                return await self._chat_now(request)
            finally:
                self.active -= 1

    async def _chat_now(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
            messages = body["messages"]
            assert isinstance(messages, list) and all("role" in m and "content" in m for m in messages)
        except (json.JSONDecodeError, KeyError, AssertionError, TypeError) as error:
            return _error(500, f"1 validation error: {error}", "internal_server_error")
        self.requests.append(body)
        model = str(body.get("model", ""))
        if self.flavour == "vllm" and model not in self.models:
            return web.json_response(
                {"object": "error", "message": f"The model `{model}` does not exist.", "type": "NotFoundError", "param": None, "code": 404},
                status=404,
            )
        if self.status_error is not None:
            status, message = self.status_error
            return _error(status, message, "internal_server_error")
        prompt = sum(count_tokens(m["content"]) + MESSAGE_OVERHEAD for m in messages)
        if prompt > self.n_ctx and self.flavour == "llama-server":
            message = f"request ({prompt} tokens) exceeds the available context size ({self.n_ctx} tokens), try increasing it"
            error = {"code": 400, "message": message, "type": "exceed_context_size_error", "n_prompt_tokens": prompt, "n_ctx": self.n_ctx}
            return web.json_response({"error": error}, status=400)
        if prompt > self.n_ctx and self.flavour == "llama.cpp" and body.get("stream"):
            # llama-cpp-python 0.3.36 fails inside its event stream: headers sent, no event, no [DONE].
            response = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8"})
            await response.prepare(request)
            await response.write_eof()
            return response
        if prompt > self.n_ctx:
            return _error(
                400,
                f"This model's maximum context length is {self.n_ctx} tokens. However, you requested "
                f"{prompt} tokens ({prompt} in the messages, {body.get('max_tokens')} in the completion). "
                "Please reduce the length of the messages or completion.",
                "invalid_request_error",
                param="messages",
                code="context_length_exceeded",
            )
        text = self.reply(messages) if callable(self.reply) else self.reply
        ident = f"chatcmpl-{uuid.uuid4()}"
        if not body.get("stream"):
            return web.json_response(
                {
                    "id": ident,
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": prompt, "completion_tokens": count_tokens(text), "total_tokens": prompt + count_tokens(text)},
                }
            )
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store"})
        await response.prepare(request)

        async def event(delta: dict, finish: str | None = None) -> None:
            chunk = {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            }
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())

        await event({"role": "assistant"})
        words = text.split(" ") if text else []  # an empty answer: no content chunk at all
        limit = body.get("max_tokens")
        finish = "length" if isinstance(limit, int) and 0 < limit < len(words) else "stop"
        words = words[:limit] if finish == "length" else words
        for n, word in enumerate(words):
            if self.cut_after_chunks is not None and n >= self.cut_after_chunks:
                request.transport.abort()
                return response
            if self.error_after_chunks is not None and n >= self.error_after_chunks:
                error = {"error": {"message": "the engine died", "type": "InternalServerError", "code": 500}}
                await response.write(f"data: {json.dumps(error)}\n\n".encode())
                await response.write_eof()
                return response
            await event({"content": word if n == 0 else " " + word})
            if self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
        await event({}, finish)
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response


async def _not_found(request: web.Request) -> web.Response:
    return web.json_response({"detail": "Not Found"}, status=404)  # FastAPI's answer (llama-cpp-python, vLLM)


def _error(status: int, message: str, kind: str, *, param: str | None = None, code: str | None = None) -> web.Response:
    return web.json_response({"error": {"message": message, "type": kind, "param": param, "code": code}}, status=status)
