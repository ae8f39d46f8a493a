"""A stand-in Telegram Bot API server on 127.0.0.1, speaking the protocol python-telegram-bot uses."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.local_http import serve_locally

BOT_ID = 7000
BOT_USERNAME = "souvenir_test_bot"
# The emoji a bot may react with by default (Bot API, ReactionTypeEmoji); any other is REACTION_INVALID.
REACTION_EMOJI = frozenset(
    ["👍", "👎", "❤", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢", "🎉", "🤩", "🤮", "💩", "🙏", "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳", "❤\u200d🔥", "🌚", "🌭", "💯", "🤣", "⚡", "🍌", "🏆", "💔", "🤨", "😐", "🍓", "🍾", "💋", "🖕", "😈", "😴", "😭", "🤓", "👻", "👨\u200d💻", "👀", "🎃", "🙈", "😇", "😨", "🤝", "✍", "🤗", "🫡", "🎅", "🎄", "☃", "💅", "🤪", "🗿", "🆒", "💘", "🙉", "🦄", "😘", "💊", "🙊", "😎", "👾", "🤷\u200d♂", "🤷", "🤷\u200d♀", "😡"]
)


@dataclass
class Call:
    """One Bot API request: method, decoded parameters, time it arrived."""

    method: str
    params: dict
    at: float = field(default_factory=time.monotonic)


class FakeTelegram:
    """`async with FakeTelegram(token) as tg:` serves /bot<token>/<method> and /file/bot<token>/<path>.

    Push updates with `tg.push_message(...)`; every call is recorded in `tg.calls`; `tg.files` maps
    file_id to bytes; `tg.fail_next[method] = retry_after` answers the next call of that method with 429;
    `tg.bad_gateway_next.add(method)` answers it with 502, as a proxy in front of the Bot API does.
    `tg.reactions[(chat_id, message_id)]` holds the bot's reaction on a user's message
    (setMessageReaction replaces it; an emoji outside REACTION_EMOJI is refused, as Telegram does);
    `tg.reactions_disabled` holds chats where reactions are turned off.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.files: dict[str, bytes] = {}
        self.downloads: list[str] = []
        self.fail_next: dict[str, int] = {}
        self.bad_gateway_next: set[str] = set()
        self.messages: dict[tuple[int, int], str] = {}
        self.received: set[tuple[int, int]] = set()
        self.message_of: dict[int, int] = {}
        """update_id → the pushed message's message_id."""
        self.reactions: dict[tuple[int, int], list[str]] = {}
        self.reactions_disabled: set[int] = set()
        self.served_at: dict[int, float] = {}
        self.started: set[int] = set()
        """Users who wrote to the bot in a private chat: the only ones a bot may message first."""
        self._updates: list[dict] = []
        self._next_update = 1
        self._next_message = 100
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> FakeTelegram:
        app = web.Application(client_max_size=100 * 1024**2)
        app.router.add_post("/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner, self.url = await serve_locally(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._new_update.set()
        if self._runner:
            await self._runner.cleanup()

    # --- scripting -------------------------------------------------------------------------------

    def push_message(
        self,
        text: str | None = None,
        *,
        user_id: int = 42,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str | None = "en",
        first_name: str = "Ada",
        document: dict | None = None,
        photo: list[dict] | None = None,
        voice: dict | None = None,
        video_note: dict | None = None,
        video: dict | None = None,
        reply_to_bot: bool = False,
        edited: bool = False,
    ) -> int:
        """Queue a message update; returns its update_id."""
        chat_id = chat_id if chat_id is not None else user_id
        if chat_type == "private":
            self.started.add(user_id)
        message: dict = {
            "message_id": self._message_id(),
            "date": int(time.time()),
            "chat": {
                "id": chat_id,
                "type": chat_type,
                **({"title": "Group"} if chat_type != "private" else {}),
            },
            "from": {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code},
        }
        if language_code is None:
            del message["from"]["language_code"]
        media = {"document": document, "photo": photo, "voice": voice, "video_note": video_note, "video": video}
        captioned = any(value is not None for value in media.values())
        if text is not None:
            message["caption" if captioned else "text"] = text
            if text.startswith("/"):
                length = len(text.split(" ", 1)[0])
                key = "caption_entities" if captioned else "entities"
                message[key] = [{"type": "bot_command", "offset": 0, "length": length}]
        message.update({key: value for key, value in media.items() if value is not None})
        if reply_to_bot:
            message["reply_to_message"] = {
                "message_id": 1,
                "date": int(time.time()),
                "chat": message["chat"],
                "from": self._me(),
                "text": "earlier answer",
            }
        update_id = self._next_update
        self._next_update += 1
        self.received.add((chat_id, message["message_id"]))
        self.message_of[update_id] = message["message_id"]
        if edited:
            message["edit_date"] = int(time.time())
        self._updates.append({"update_id": update_id, "edited_message" if edited else "message": message})
        self._new_update.set()
        return update_id

    def add_file(self, file_id: str, data: bytes) -> None:
        """Make a file downloadable through getFile."""
        self.files[file_id] = data

    def sent(self, method: str) -> list[Call]:
        """The recorded calls of one method."""
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, predicate, timeout: float = 10.0) -> None:
        """Wait until `predicate()` is true."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met; calls: " + ", ".join(c.method for c in self.calls))
            await asyncio.sleep(0.02)

    def chat_text(self, chat_id: int) -> list[str]:
        """The current text of every bot message in a chat, oldest first."""
        return [text for (chat, _), text in sorted(self.messages.items()) if chat == chat_id]

    # --- protocol --------------------------------------------------------------------------------

    def _message_id(self) -> int:
        self._next_message += 1
        return self._next_message

    def _me(self) -> dict:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Souvenir", "username": BOT_USERNAME}

    async def _params(self, request: web.Request) -> dict:
        """Decode form or multipart parameters; non-string values arrive JSON-encoded."""
        params: dict = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.filename:
                    params[part.name] = {"filename": part.filename, "data": bytes(await part.read())}
                else:
                    params[part.name] = await part.text()
        elif request.content_type == "application/json":
            params = await request.json()
        else:
            params = dict(await request.post())
        for key, value in list(params.items()):
            if (isinstance(value, str) and value[:1] in "[{") or key in (
                "chat_id",
                "message_id",
                "offset",
                "timeout",
            ):
                with contextlib.suppress(TypeError, ValueError):
                    params[key] = json.loads(value)
        return params

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append(Call(method, params))
        if method in self.bad_gateway_next:
            self.bad_gateway_next.discard(method)
            return _error(502, "Bad Gateway")
        if method in self.fail_next:
            return _error(429, "Too Many Requests: retry later", retry_after=self.fail_next.pop(method))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        return await handler(params)

    async def _m_getMe(self, params: dict) -> web.Response:
        return _ok(self._me())

    async def _m_setMyCommands(self, params: dict) -> web.Response:
        return _ok(True)

    async def _m_deleteWebhook(self, params: dict) -> web.Response:
        return _ok(True)

    async def _m_setWebhook(self, params: dict) -> web.Response:
        return _ok(True)

    async def _m_sendChatAction(self, params: dict) -> web.Response:
        return _ok(True)

    async def _m_getUpdates(self, params: dict) -> web.Response:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        now = time.monotonic()
        for update in self._updates:
            self.served_at.setdefault(update["update_id"], now)
        return _ok(list(self._updates))

    async def _m_sendMessage(self, params: dict) -> web.Response:
        chat_id = int(params["chat_id"])
        if chat_id > 0 and chat_id not in self.started:
            return _error(403, "Forbidden: bot can't initiate conversation with a user")
        message_id = self._message_id()
        self.messages[(chat_id, message_id)] = params["text"]
        return _ok(self._bot_message(chat_id, message_id, params["text"]))

    async def _m_editMessageText(self, params: dict) -> web.Response:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            return _error(400, "Bad Request: message to edit not found")
        if self.messages[key] == params["text"]:
            return _error(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message",
            )
        self.messages[key] = params["text"]
        return _ok(self._bot_message(*key, params["text"]))

    async def _m_setMessageReaction(self, params: dict) -> web.Response:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.received and key not in self.messages:
            return _error(400, "Bad Request: MESSAGE_ID_INVALID")
        if key[0] in self.reactions_disabled:
            return _error(400, "Bad Request: REACTION_INVALID")
        reaction = params.get("reaction") or []
        if isinstance(reaction, str):
            reaction = json.loads(reaction)
        emoji = [r.get("emoji", "") for r in reaction if r.get("type") == "emoji"]
        if len(emoji) != len(reaction) or any(e not in REACTION_EMOJI for e in emoji):
            return _error(400, "Bad Request: REACTION_INVALID")
        self.reactions[key] = emoji
        return _ok(True)

    async def _m_getFile(self, params: dict) -> web.Response:
        file_id = params["file_id"]
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        return _ok(
            {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}",
            }
        )

    async def _m_sendDocument(self, params: dict) -> web.Response:
        chat_id = int(params["chat_id"])
        message_id = self._message_id()
        document = params["document"]
        result = self._bot_message(chat_id, message_id, None)
        result["document"] = {
            "file_id": f"sent{message_id}",
            "file_unique_id": f"us{message_id}",
            "file_name": document["filename"],
            "file_size": len(document["data"]),
        }
        return _ok(result)

    def _bot_message(self, chat_id: int, message_id: int, text: str | None) -> dict:
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": self._me(),
        }
        if text is not None:
            message["text"] = text
        return message

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].removeprefix("documents/")
        if file_id not in self.files:
            return web.Response(status=404)
        self.downloads.append(file_id)
        return web.Response(body=self.files[file_id])


def _ok(result: object) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)
