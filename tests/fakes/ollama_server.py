"""A stand-in Ollama server on 127.0.0.1 that behaves like the real one (0.24) wherever Souvenir can tell.

What it mirrors is listed in docs/ollama.md: the endpoints and their answers, the different not-found
messages, `/api/show` with a text `parameters` block and `model_info["<arch>.context_length"]`, create
(streamed NDJSON unless `stream` is false, a missing `from` answered by a failed pull, adapters checked
like the real converter), blobs (201 / 200 / digest mismatch), and the context window: a prompt longer
than `num_ctx` tokens is cut silently, first by dropping the oldest non-system messages, then by
cutting tokens after the first NUM_KEEP, exactly as the real server does. Failure switches imitate a
broken server: an HTTP error, an HTML page from a proxy, a connection cut mid-stream, a hang.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from aiohttp import web

from tests.fakes.local_http import serve_locally

Reply = str | Callable[[list[dict]], str]

VERSION = "0.24.0"
DEFAULT_NUM_CTX = 4096  # what the real server logs as default_num_ctx on a machine without GPU memory
NUM_KEEP = 4  # tokens the runner keeps at the start when it truncates a prompt
MESSAGE_OVERHEAD = 5  # template tokens around each message (<|im_start|>role\n ... <|im_end|>\n)
SAFETENSORS_ADAPTER_ARCHES = ("llama", "gemma2")  # what the server's adapter converter handles
HTML_PAGE = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
_TOKEN = re.compile(r"[A-Za-z]{1,4}|\d|\n|[^\sA-Za-z\d]")


def count_tokens(text: str) -> int:
    """The stand-in's tokenizer: letters in pieces of up to four, each digit, symbol and newline one token."""
    return len(_TOKEN.findall(text))


def capped(text: str, num_predict: int | None) -> tuple[str, str]:
    """The answer cut at `num_predict` tokens (as the server stops generating) and its done_reason."""
    limit = -1 if num_predict is None else int(num_predict)
    if limit < 0 or count_tokens(text) <= limit:  # -1 (the default): no cap
        return text, "stop"
    return text[: _token_starts(text)[limit]], "length"


def _token_starts(text: str) -> list[int]:
    return [m.start() for m in _TOKEN.finditer(text)]


@dataclass
class ModelSpec:
    """What the server knows about one model: architecture, context length, Modelfile parts."""

    arch: str = "llama"
    context_length: int = 131072
    parameter_size: str = "3.2B"
    quantization: str = "Q4_K_M"
    system: str = ""
    template: str = "{{ .Prompt }}"
    parameters: dict = field(default_factory=dict)
    messages: list[dict] = field(default_factory=list)
    capabilities: list[str] = field(default_factory=lambda: ["completion"])


@dataclass
class PromptSeen:
    """One chat request as the model saw it after the server fitted it to the context."""

    num_ctx: int
    sent_tokens: int
    seen_tokens: int
    dropped_messages: int
    truncated_tokens: int
    messages: list[dict]

    @property
    def cut(self) -> bool:
        """Whether the server silently removed anything."""
        return bool(self.dropped_messages or self.truncated_tokens)


def answers_from_memory(fact: str) -> Callable[[list[dict]], str]:
    """A reply that repeats `fact` only when the prompt's memories (the system message) contain it."""

    def reply(messages: list[dict]) -> str:
        system = messages[0]["content"]
        return f"From memory: {fact}." if fact in system else "I have nothing about that."

    return reply


def _echo_reply(messages: list[dict]) -> str:
    """Default answer: repeats the question so tests can see it arrived."""
    return f"You said: {messages[-1]['content']}"


def _full_name(name: str) -> str:
    return name if ":" in name else f"{name}:latest"


def fit_to_context(messages: list[dict], num_ctx: int) -> PromptSeen:
    """What the real server does with a prompt: drop old messages, then cut tokens, silently."""
    cost = [count_tokens(m.get("content", "")) + MESSAGE_OVERHEAD for m in messages]
    sent = sum(cost)
    last = len(messages) - 1
    start = last
    for i in range(last - 1, -1, -1):  # newest first, system messages always kept
        systems = sum(cost[j] for j in range(i) if messages[j].get("role") == "system")
        if systems + sum(cost[i:]) > num_ctx:
            break
        start = i
    kept = [m for j, m in enumerate(messages[:start]) if m.get("role") == "system"] + messages[start:]
    dropped = len(messages) - len(kept)
    seen = [dict(m) for m in kept]
    total = sum(count_tokens(m.get("content", "")) + MESSAGE_OVERHEAD for m in seen)
    discard = max(0, total - num_ctx)
    truncated = discard
    for message in seen:  # the runner keeps NUM_KEEP tokens (template) and cuts what follows
        if discard <= 0:
            break
        starts = _token_starts(message.get("content", ""))
        take = min(discard, len(starts))
        message["content"] = message["content"][starts[take] :] if take < len(starts) else ""
        discard -= take
    return PromptSeen(num_ctx, sent, total - truncated, dropped, truncated, seen)


class FakeOllama:
    """`async with FakeOllama() as ollama:` serves the Ollama API on a free loopback port.

    Set `reply` (text or function of the messages the model sees), `chunk_delay`, `chunk_words`,
    `models` (names), `specs` (name -> ModelSpec), `default_num_ctx`. Failure switches:
    `fail_after_chunks` (an error line mid-stream), `cut_after_chunks` (the connection closed mid-
    stream), `status_error` ((status, message) for every chat), `html_page` (a proxy's 200 HTML page
    everywhere), `hang` (True or a predicate on the chat body: never answer). Every request body is
    recorded; `prompts` holds what the model saw for each chat. `parallel` (like OLLAMA_NUM_PARALLEL)
    makes the server work on that many chats at once and hold the others, silent, until a slot
    frees, as the real scheduler does; `active` and `max_active` count the chats being worked on.
    """

    def __init__(self, reply: Reply = _echo_reply, *, models: list[str] | None = None, port: int = 0) -> None:
        self.reply: Reply = reply
        self.port = port
        self.models = models if models is not None else ["llama3.2:latest"]
        self.specs: dict[str, ModelSpec] = {}
        self.default_num_ctx = DEFAULT_NUM_CTX
        self.chunk_delay = 0.0
        self.chunk_words = 1
        self.fail_after_chunks: int | None = None
        self.cut_after_chunks: int | None = None
        self.status_error: tuple[int, str] | None = None
        self.html_page = False
        self.hang: bool | Callable[[dict], bool] = False
        self.parallel: int | None = None
        self.active = 0
        self.max_active = 0
        self.started: list[float] = []  # when each chat got a slot (loop time)
        self._slots: asyncio.Semaphore | None = None
        self.chat_requests: list[dict] = []
        self.create_requests: list[dict] = []
        self.show_requests: list[str] = []
        self.prompts: list[PromptSeen] = []
        self.blobs: dict[str, bytes] = {}
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    def spec(self, name: str) -> ModelSpec:
        """The spec of an installed model (a default llama one unless set)."""
        return self.specs.setdefault(_full_name(name), ModelSpec())

    def _known(self, name: str) -> bool:
        return bool(name) and _full_name(name) in self.models

    async def __aenter__(self) -> FakeOllama:
        app = web.Application(client_max_size=1024**3, middlewares=[self._proxy_page])
        app.router.add_get("/", self._root)
        app.router.add_get("/api/version", self._version)
        app.router.add_post("/api/chat", self._chat)
        app.router.add_post("/api/generate", self._generate)
        app.router.add_post("/api/embed", self._embed)
        app.router.add_get("/api/tags", self._tags)
        app.router.add_post("/api/show", self._show)
        app.router.add_delete("/api/delete", self._delete)
        app.router.add_post("/api/copy", self._copy)
        app.router.add_post("/api/create", self._create)
        app.router.add_post("/api/blobs/{digest}", self._blob)
        app.router.add_head("/api/blobs/{digest}", self._blob_exists)
        self._runner, self.url = await serve_locally(app, self.port)
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._released.set()
        if self._runner:
            await self._runner.shutdown()
            await self._runner.cleanup()

    @web.middleware
    async def _proxy_page(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        if self.html_page:
            return web.Response(text=HTML_PAGE, content_type="text/html")
        return await handler(request)

    # --- plain endpoints -------------------------------------------------------------------

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text="Ollama is running")

    async def _version(self, request: web.Request) -> web.Response:
        return web.json_response({"version": VERSION})

    def _details(self, name: str) -> dict:
        spec = self.spec(name)
        return {
            "parent_model": "",
            "format": "gguf",
            "family": spec.arch,
            "families": [spec.arch],
            "parameter_size": spec.parameter_size,
            "quantization_level": spec.quantization,
        }

    async def _tags(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "models": [
                    {
                        "name": m,
                        "model": m,
                        "modified_at": "2026-01-01T00:00:00Z",
                        "size": 1,
                        "digest": hashlib.sha256(m.encode()).hexdigest(),
                        "details": self._details(m),
                    }
                    for m in self.models
                ]
            }
        )

    def _not_found(self, name: str) -> web.Response:
        return web.json_response({"error": f"model '{name}' not found"}, status=404)

    async def _show(self, request: web.Request) -> web.Response:
        body = await request.json()
        name = body.get("model") or body.get("name") or ""
        self.show_requests.append(name)
        if not self._known(name):
            return self._not_found(name)
        spec = self.spec(name)
        return web.json_response(
            {
                "license": "",
                "modelfile": f'# Modelfile generated by "ollama show"\nFROM {_full_name(name)}\n',
                "parameters": parameters_block(spec.parameters),
                "template": spec.template,
                "system": spec.system,
                "messages": spec.messages,
                "details": self._details(name),
                "model_info": {
                    "general.architecture": spec.arch,
                    "general.parameter_count": 3_212_749_888,
                    f"{spec.arch}.context_length": spec.context_length,
                    f"{spec.arch}.embedding_length": 3072,
                },
                "capabilities": spec.capabilities,
                "modified_at": "2026-01-01T00:00:00Z",
            }
        )

    async def _delete(self, request: web.Request) -> web.Response:
        name = (await request.json()).get("model", "")
        if not self._known(name):
            return self._not_found(name)
        self.models.remove(_full_name(name))
        return web.Response(status=200)

    async def _copy(self, request: web.Request) -> web.Response:
        body = await request.json()
        source, target = body.get("source", ""), body.get("destination", "")
        if not self._known(source):
            return self._not_found(source)
        self.specs[_full_name(target)] = replace(self.spec(source))
        if _full_name(target) not in self.models:
            self.models.append(_full_name(target))
        return web.Response(status=200)

    async def _embed(self, request: web.Request) -> web.Response:
        body = await request.json()
        name = body.get("model", "")
        if not self._known(name):
            return web.json_response({"error": f'model "{name}" not found, try pulling it first'}, status=404)
        inputs = body.get("input", [])
        inputs = [inputs] if isinstance(inputs, str) else inputs
        vectors = [[b / 255 for b in hashlib.sha256(text.encode()).digest()[:8]] for text in inputs]
        return web.json_response({"model": name, "embeddings": vectors, "prompt_eval_count": 1})

    async def _generate(self, request: web.Request) -> web.Response:
        body = await request.json()
        name = body.get("model", "")
        if not self._known(name):
            return self._not_found(name)
        text = self._answer([{"role": "user", "content": body.get("prompt", "")}])
        return web.json_response(
            {"model": name, "created_at": _now(), "response": text, "done": True, "done_reason": "stop"}
        )

    # --- chat ------------------------------------------------------------------------------

    def _answer(self, messages: list[dict]) -> str:
        return self.reply(messages) if callable(self.reply) else self.reply

    def _hangs(self, body: dict) -> bool:
        return self.hang(body) if callable(self.hang) else bool(self.hang)

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        if self.parallel is None:
            return await self._chat_now(request)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.parallel)
        async with self._slots:  # the real scheduler holds the request, sending nothing, until a runner is free
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self.started.append(asyncio.get_running_loop().time())
            try:
                return await self._chat_now(request)
            finally:
                self.active -= 1

    async def _chat_now(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.chat_requests.append(body)
        model = body.get("model", "")
        if self._hangs(body):
            await self._released.wait()
            return web.Response(status=503)
        if not self._known(model):
            return self._not_found(model)
        if self.status_error is not None:
            status, message = self.status_error
            return web.json_response({"error": message}, status=status)
        num_ctx = int((body.get("options") or {}).get("num_ctx") or self.default_num_ctx)
        num_ctx = min(num_ctx, self.spec(model).context_length)  # the server clamps to the model's
        seen = fit_to_context(body.get("messages", []), num_ctx)
        self.prompts.append(seen)
        text, reason = capped(self._answer(seen.messages), (body.get("options") or {}).get("num_predict"))
        if not body.get("stream", True):
            return web.json_response(self._final(model, text, seen.seen_tokens, reason))
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
            if self.cut_after_chunks is not None and n >= self.cut_after_chunks:
                request.transport.abort()  # the connection drops: no final chunk, no `done`
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
        await response.write(json.dumps(self._final(model, "", seen.seen_tokens, reason)).encode() + b"\n")
        await response.write_eof()
        return response

    def _final(self, model: str, text: str, prompt_tokens: int, reason: str = "stop") -> dict:
        return {
            "model": model,
            "created_at": _now(),
            "message": {"role": "assistant", "content": text},
            "done": True,
            "done_reason": reason,
            "total_duration": 1000,
            "load_duration": 10,
            "prompt_eval_count": prompt_tokens,
            "prompt_eval_duration": 100,
            "eval_count": max(1, count_tokens(text)),
            "eval_duration": 1000,
        }

    # --- create and blobs ------------------------------------------------------------------

    async def _create(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.create_requests.append(body)
        stream = body.get("stream", True) is not False
        name = body.get("model") or body.get("name")
        if not name:
            return web.json_response({"error": "model is required"}, status=400)
        base = body.get("from")
        if not base and not body.get("files"):
            return web.json_response({"error": "neither 'from' or 'files' was specified"}, status=400)
        failure = self._create_failure(body)
        if failure is not None:
            status, message = failure
            if stream:  # the real server has already answered 200 and reports the error as a line
                return await self._ndjson(request, [{"status": "parsing modelfile"}, {"error": message}])
            return web.json_response({"error": message}, status=status)
        spec = replace(self.spec(base)) if base else ModelSpec()
        spec.system = body.get("system", spec.system)
        spec.template = body.get("template", spec.template)
        spec.parameters = {**spec.parameters, **(body.get("parameters") or {})}
        spec.messages = body.get("messages") or spec.messages
        self.specs[_full_name(name)] = spec
        if _full_name(name) not in self.models:
            self.models.append(_full_name(name))
        if not stream:
            return web.json_response({"status": "success"})
        statuses = ["parsing modelfile", "using existing layer", "writing manifest", "success"]
        return await self._ndjson(request, [{"status": s} for s in statuses])

    def _create_failure(self, body: dict) -> tuple[int, str] | None:
        """The (status, error) the real server answers for a create it cannot do, or None."""
        base = body.get("from")
        for digest in [*(body.get("files") or {}).values(), *(body.get("adapters") or {}).values()]:
            if digest not in self.blobs:
                path = f"/root/.ollama/models/blobs/{digest.replace(':', '-')}"
                return 500, f"open {path}: no such file or directory"
        if base and not self._known(base):
            repo, _, tag = _full_name(base).partition(":")
            return 500, (
                f'pull model manifest: Get "https://registry.ollama.ai/v2/library/{repo}/manifests/{tag}": '
                "dial tcp: lookup registry.ollama.ai on 127.0.0.53:53: no such host"
            )
        adapters = body.get("adapters") or {}
        if adapters:
            return self._adapter_failure(adapters, self.spec(base) if base else ModelSpec())
        return None

    def _adapter_failure(self, adapters: dict[str, str], base: ModelSpec) -> tuple[int, str] | None:
        """Like the real converter: safetensors for some architectures, else one GGUF file."""
        kind = ""
        for name, digest in adapters.items():
            if name.endswith(".safetensors"):
                kind = "safetensors"
                break
            if name.endswith(".gguf") or _looks_binary(self.blobs[digest]):
                kind = "gguf"
                break
        if kind == "safetensors":
            if "adapter_config.json" not in adapters:
                return 400, "open adapter_config.json: file does not exist"
            if base.arch not in SAFETENSORS_ADAPTER_ARCHES:
                return 400, "unsupported architecture"
            return None
        if kind == "gguf":
            if not all(self.blobs[d].startswith(b"GGUF") for d in adapters.values()):
                return 400, "supplied file was not in GGUF format"
            return None
        return 400, "unknown type"

    async def _ndjson(self, request: web.Request, lines: list[dict]) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        for line in lines:
            await response.write(json.dumps(line).encode() + b"\n")
        await response.write_eof()
        return response

    async def _blob(self, request: web.Request) -> web.Response:
        digest = request.match_info["digest"]
        data = await request.read()
        actual = "sha256:" + hashlib.sha256(data).hexdigest()
        if actual != digest:
            return web.json_response(
                {"error": f'digest mismatch, expected "{digest}", got "{actual}"'}, status=400
            )
        if digest in self.blobs:
            return web.Response(status=200)
        self.blobs[digest] = data
        return web.Response(status=201)

    async def _blob_exists(self, request: web.Request) -> web.Response:
        return web.Response(status=200 if request.match_info["digest"] in self.blobs else 404)


def _looks_binary(data: bytes) -> bool:
    """What Go's http.DetectContentType calls application/octet-stream, roughly: not text."""
    head = data[:512]
    return b"\x00" in head or not head.decode("utf-8", "ignore").strip()


def parameters_block(parameters: dict) -> str:
    """Parameters the way `/api/show` prints them: one `name value` line each, strings quoted."""
    lines = []
    for key, value in parameters.items():
        for item in value if isinstance(value, list) else [value]:
            shown = json.dumps(item) if isinstance(item, str) else str(item)
            lines.append(f"{key:<30} {shown}")
    return "\n".join(lines)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
