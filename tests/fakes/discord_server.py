"""A stand-in Discord REST + gateway + attachment server on 127.0.0.1, speaking what discord.py 2.x uses."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from tests.fakes.local_http import serve_locally

APP_ID = 9000
BOT_ID = 9001
EPHEMERAL = 64
TIMESTAMP = "2026-01-01T00:00:00+00:00"


@dataclass
class Sent:
    """One message the bot posted (channel message, interaction response or followup)."""

    id: int
    channel_id: int
    content: str
    ephemeral: bool = False
    files: dict[str, bytes] = field(default_factory=dict)
    edits: int = 0
    created_at: float = field(default_factory=time.monotonic)
    interaction: str | None = None


@dataclass
class Call:
    """One REST request: method, path, JSON body."""

    method: str
    path: str
    body: object
    at: float = field(default_factory=time.monotonic)


def user(user_id: int, name: str, bot: bool = False) -> dict:
    """A Discord user object."""
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
    }


def _json(data: object, status: int = 200, headers: dict | None = None) -> web.Response:
    """A reply with exactly `Content-Type: application/json` (discord.py ignores a charset suffix)."""
    return web.Response(
        status=status,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


class FakeDiscord:
    """`async with FakeDiscord(token) as dc:` serves /api/v10/..., /gateway (WebSocket) and /attachments/...

    Push events with `push_message` / `push_interaction`; `sent` holds every bot message by id;
    `fail_next[(method, route)] = n` answers the next n such calls with a 429 carrying Discord's headers;
    `refuse_next[(method, route)] = n` answers them with 403 Missing Permissions (not retried).
    `reactions[(channel_id, message_id)]` lists the bot's reactions on a message (route "reaction").
    """

    def __init__(self, token: str, guild_id: int = 500, channel_id: int = 600) -> None:
        self.token = token
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.bot = user(BOT_ID, "souvenir", bot=True)
        self.calls: list[Call] = []
        self.sent: dict[int, Sent] = {}
        self.files: dict[str, bytes] = {}
        self.downloads: list[str] = []
        self.commands: dict[str, list[dict]] = {}
        self.callbacks: list[dict] = []
        self.fail_next: dict[tuple[str, str], int] = {}
        self.refuse_next: dict[tuple[str, str], int] = {}
        self.pushed_at: dict[int, float] = {}
        self.received: dict[int, int] = {}
        self.reactions: dict[tuple[int, int], list[str]] = {}
        self._ids = itertools.count(10_000)
        self._seq = itertools.count(1)
        self._interactions: dict[str, int] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._identified = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application(client_max_size=100 * 1024**2)
        api = "/api/v10"
        app.router.add_get(f"{api}/users/@me", self._me)
        app.router.add_get(f"{api}/oauth2/applications/@me", self._application)
        app.router.add_put(f"{api}/applications/{{app}}/guilds/{{guild}}/commands", self._put_commands)
        app.router.add_put(f"{api}/applications/{{app}}/commands", self._put_commands)
        app.router.add_post(f"{api}/users/@me/channels", self._open_dm)
        app.router.add_post(f"{api}/channels/{{channel}}/messages", self._create_message)
        app.router.add_patch(f"{api}/channels/{{channel}}/messages/{{message}}", self._edit_message)
        app.router.add_post(f"{api}/channels/{{channel}}/typing", self._typing)
        app.router.add_put(
            f"{api}/channels/{{channel}}/messages/{{message}}/reactions/{{emoji}}/@me", self._add_reaction
        )
        app.router.add_post(f"{api}/interactions/{{id}}/{{token}}/callback", self._callback)
        app.router.add_post(f"{api}/webhooks/{{app}}/{{token}}", self._followup)
        app.router.add_patch(f"{api}/webhooks/{{app}}/{{token}}/messages/{{message}}", self._edit_webhook)
        app.router.add_delete(f"{api}/webhooks/{{app}}/{{token}}/messages/{{message}}", self._delete_webhook)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{name}", self._attachment)
        self._runner, self.url = await serve_locally(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        """The REST base for `SOUVENIR_DISCORD__API_BASE`."""
        return f"{self.url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The gateway URL for `SOUVENIR_DISCORD__GATEWAY_URL`."""
        return self.url.replace("http://", "ws://") + "/gateway"

    # --- what tests push -------------------------------------------------------------------------

    def add_file(self, name: str, data: bytes, content_type: str = "text/plain") -> dict:
        """Serve `data` as an attachment and return its attachment object."""
        self.files[name] = data
        return {
            "id": str(next(self._ids)),
            "filename": name,
            "size": len(data),
            "url": f"{self.url}/attachments/{name}",
            "proxy_url": f"{self.url}/attachments/{name}",
            "content_type": content_type,
        }

    async def push_message(
        self,
        author: dict,
        content: str,
        *,
        guild: bool = True,
        channel_id: int | None = None,
        attachments: list[dict] | None = None,
        mention_bot: bool = False,
        reply_to: int | None = None,
    ) -> int:
        """Send MESSAGE_CREATE from `author`; in a guild `mention_bot` prefixes `<@bot>`. Returns its id."""
        channel = channel_id or (self.channel_id if guild else 700 + int(author["id"]) % 100)
        message_id = next(self._ids)
        if mention_bot:
            content = f"<@{BOT_ID}> {content}"
        data = self._message(message_id, channel, author, content, guild=guild, attachments=attachments)
        if mention_bot:
            data["mentions"] = [self.bot]
        if reply_to is not None:
            original = self.sent[reply_to]
            data["type"] = 19
            data["message_reference"] = {"message_id": str(reply_to), "channel_id": str(channel)}
            data["referenced_message"] = self._message(
                reply_to, channel, self.bot, original.content, guild=guild
            )
        self.pushed_at[message_id] = time.monotonic()
        self.received[message_id] = channel
        await self._dispatch("MESSAGE_CREATE", data)
        return message_id

    async def push_interaction(
        self,
        author: dict,
        name: str,
        options: dict[str, object] | None = None,
        *,
        guild: bool = True,
        locale: str = "en-US",
        attachment: dict | None = None,
    ) -> str:
        """Send INTERACTION_CREATE for slash command `name`; returns the interaction token."""
        interaction_id = next(self._ids)
        token = f"itoken-{interaction_id}"
        channel = self.channel_id if guild else 700 + int(author["id"]) % 100
        opts = [{"name": k, "type": 3, "value": v} for k, v in (options or {}).items()]
        command = {"id": str(next(self._ids)), "name": name, "type": 1, "options": opts}
        if attachment is not None:
            opts.append({"name": "file", "type": 11, "value": attachment["id"]})
            command["resolved"] = {"attachments": {attachment["id"]: attachment}}
        data: dict = {
            "id": str(interaction_id),
            "application_id": str(APP_ID),
            "type": 2,
            "token": token,
            "version": 1,
            "attachment_size_limit": 10 * 1024**2,
            "locale": locale,
            "app_permissions": "2147483647",
            "entitlements": [],
            "data": command,
            "channel_id": str(channel),
        }
        if guild:
            data |= {
                "guild_id": str(self.guild_id),
                "guild_locale": "en-US",
                "context": 0,
                "authorizing_integration_owners": {"0": str(self.guild_id)},
                "member": self._member(author) | {"permissions": "2147483647"},
                "channel": self._channel() | {"permissions": "2147483647"},
            }
        else:
            data |= {
                "context": 1,
                "authorizing_integration_owners": {"1": str(author["id"])},
                "user": author,
                "channel": {"id": str(channel), "type": 1, "recipients": [author]},
            }
        self._interactions[token] = channel
        self.pushed_at[interaction_id] = time.monotonic()
        await self._dispatch("INTERACTION_CREATE", data)
        return token

    # --- what tests read -------------------------------------------------------------------------

    def in_channel(self, channel_id: int, *, ephemeral: bool | None = None) -> list[Sent]:
        """Bot messages in a channel, oldest first (optionally only (non-)ephemeral ones)."""
        return [
            s
            for s in self.sent.values()
            if s.channel_id == channel_id and (ephemeral is None or s.ephemeral == ephemeral)
        ]

    def for_interaction(self, token: str) -> list[Sent]:
        """Messages answering one interaction (original response first, then followups)."""
        return [s for s in self.sent.values() if s.interaction == token]

    def requests(self, method: str, fragment: str) -> list[Call]:
        """Recorded REST calls of `method` whose path contains `fragment`."""
        return [c for c in self.calls if c.method == method and fragment in c.path]

    async def wait_for(self, predicate, timeout: float = 15.0) -> None:
        """Wait until `predicate()` is true."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met in time")
            await asyncio.sleep(0.02)

    async def wait_identified(self, timeout: float = 10.0) -> None:
        """Wait for a gateway client to IDENTIFY."""
        await asyncio.wait_for(self._identified.wait(), timeout)

    # --- gateway ---------------------------------------------------------------------------------

    async def _dispatch(self, event: str, data: dict) -> None:
        await self.wait_identified()
        for ws in list(self._sockets):
            await ws.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            payload = json.loads(frame.data)
            if payload["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif payload["op"] == 2:
                if payload["d"]["token"] != self.token:
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                await self._ready(ws)
        if ws in self._sockets:
            self._sockets.remove(ws)
        return ws

    async def _ready(self, ws: web.WebSocketResponse) -> None:
        ready = {
            "v": 10,
            "user": self.bot,
            "session_id": "session",
            "resume_gateway_url": self.gateway_url,
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "application": {"id": str(APP_ID), "flags": 0},
        }
        await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": next(self._seq), "d": ready}))
        guild = {
            "id": str(self.guild_id),
            "name": "Test guild",
            "owner_id": "1",
            "member_count": 3,
            "large": False,
            "unavailable": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "channels": [self._channel()],
            "threads": [],
            "roles": [
                {
                    "id": str(self.guild_id),
                    "name": "@everyone",
                    "permissions": "2147483647",
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "members": [self._member(self.bot)],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
        await ws.send_str(json.dumps({"op": 0, "t": "GUILD_CREATE", "s": next(self._seq), "d": guild}))
        self._sockets.append(ws)
        self._identified.set()

    def _channel(self) -> dict:
        return {
            "id": str(self.channel_id),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
        }

    def _member(self, who: dict) -> dict:
        return {"user": who, "roles": [], "joined_at": TIMESTAMP, "deaf": False, "mute": False, "flags": 0}

    def _message(
        self, message_id: int, channel: int, author: dict, content: str, *, guild: bool, attachments=None
    ) -> dict:
        data = {
            "id": str(message_id),
            "channel_id": str(channel),
            "author": author,
            "content": content,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments or [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }
        if guild:
            data["guild_id"] = str(self.guild_id)
            data["member"] = {k: v for k, v in self._member(author).items() if k != "user"}
        return data

    # --- REST ------------------------------------------------------------------------------------

    async def _record(
        self, request: web.Request, route: str
    ) -> tuple[dict, dict[str, bytes], web.Response | None]:
        """Record a call; decode JSON or multipart (payload_json + files); maybe answer 429."""
        files: dict[str, bytes] = {}
        body: dict = {}
        if request.content_type == "multipart/form-data":
            form = await request.post()
            for key, value in form.items():
                if key == "payload_json":
                    body = json.loads(value)
                elif hasattr(value, "file"):
                    files[value.filename] = value.file.read()
        elif request.can_read_body:
            body = await request.json()
        self.calls.append(Call(request.method, request.path, body))
        if (
            request.headers.get("Authorization", "") not in (f"Bot {self.token}", "")
            and "webhooks" not in route
        ):
            return body, files, _json({"message": "401: Unauthorized", "code": 0}, 401)
        key = (request.method, route)
        if self.refuse_next.get(key):
            self.refuse_next[key] -= 1
            return body, files, _json({"message": "Missing Permissions", "code": 50013}, 403)
        if self.fail_next.get(key):
            self.fail_next[key] -= 1
            headers = {
                "Via": "1.1 google",
                "Retry-After": "1",
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": "0.2",
                "X-RateLimit-Bucket": f"bucket-{route}",
                "X-RateLimit-Scope": "user",
            }
            error = {"message": "You are being rate limited.", "retry_after": 0.2, "global": False}
            return body, files, _json(error, 429, headers)
        return body, files, None

    async def _me(self, request: web.Request) -> web.Response:
        _, _, early = await self._record(request, "me")
        return early or _json(self.bot)

    async def _application(self, request: web.Request) -> web.Response:
        _, _, early = await self._record(request, "application")
        return early or _json(
            {
                "id": str(APP_ID),
                "name": "Souvenir",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": user(1, "owner"),
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    async def _put_commands(self, request: web.Request) -> web.Response:
        body, _, early = await self._record(request, "commands")
        if early:
            return early
        where = request.match_info.get("guild", "global")
        self.commands[where] = body
        out = [
            {"id": str(next(self._ids)), "application_id": str(APP_ID), "version": "1", **c}
            | ({"guild_id": where} if where != "global" else {})
            for c in body
        ]
        return _json(out)

    def _store(self, channel: int, body: dict, files: dict[str, bytes], interaction: str | None) -> Sent:
        sent = Sent(
            id=next(self._ids),
            channel_id=channel,
            content=body.get("content") or "",
            ephemeral=bool((body.get("flags") or 0) & EPHEMERAL),
            files=files,
            interaction=interaction,
        )
        self.sent[sent.id] = sent
        return sent

    def _sent_json(self, sent: Sent) -> dict:
        data = self._message(sent.id, sent.channel_id, self.bot, sent.content, guild=False)
        data["flags"] = EPHEMERAL if sent.ephemeral else 0
        data["attachments"] = [
            {
                "id": str(i),
                "filename": n,
                "size": len(b),
                "url": f"{self.url}/attachments/{n}",
                "proxy_url": "",
            }
            for i, (n, b) in enumerate(sent.files.items())
        ]
        return data

    def dm_channel(self, user_id: int) -> int:
        """The id of the DM channel between the bot and `user_id` (the one push_message(guild=False) uses)."""
        return 700 + int(user_id) % 100

    async def _open_dm(self, request: web.Request) -> web.Response:
        """POST /users/@me/channels {recipient_id}: the DM channel with that user (created once, then reused)."""
        body, _, early = await self._record(request, "dm")
        if early:
            return early
        recipient = int(body["recipient_id"])
        channel = {
            "id": str(self.dm_channel(recipient)),
            "type": 1,
            "last_message_id": None,
            "recipients": [user(recipient, f"user{recipient}")],
        }
        return _json(channel)

    async def _create_message(self, request: web.Request) -> web.Response:
        body, files, early = await self._record(request, "create_message")
        if early:
            return early
        sent = self._store(int(request.match_info["channel"]), body, files, None)
        return _json(self._sent_json(sent))

    async def _edit_message(self, request: web.Request) -> web.Response:
        body, _, early = await self._record(request, "edit_message")
        if early:
            return early
        sent = self.sent[int(request.match_info["message"])]
        sent.content = body.get("content", sent.content)
        sent.edits += 1
        return _json(self._sent_json(sent))

    async def _add_reaction(self, request: web.Request) -> web.Response:
        """Create Reaction: 204; an unknown message is 10008, a text that is no emoji 10014 (as Discord)."""
        _, _, early = await self._record(request, "reaction")
        if early:
            return early
        channel, message = int(request.match_info["channel"]), int(request.match_info["message"])
        if self.received.get(message, self.sent[message].channel_id if message in self.sent else None) != channel:
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        emoji = request.match_info["emoji"]  # aiohttp has already percent-decoded the path
        if not emoji or emoji.isascii():
            return _json({"message": "Unknown Emoji", "code": 10014}, 400)
        reactions = self.reactions.setdefault((channel, message), [])
        if emoji not in reactions:
            reactions.append(emoji)
        return web.Response(status=204)

    async def _typing(self, request: web.Request) -> web.Response:
        _, _, early = await self._record(request, "typing")
        return early or web.Response(status=204)

    async def _callback(self, request: web.Request) -> web.Response:
        body, _, early = await self._record(request, "callback")
        if early:
            return early
        token = request.match_info["token"]
        self.callbacks.append(body)
        data = body.get("data") or {}
        sent = self._store(self._interactions[token], data, {}, token)
        interaction = {
            "id": request.match_info["id"],
            "type": 2,
            "response_message_id": str(sent.id),
            "response_message_loading": body.get("type") == 5,
            "response_message_ephemeral": sent.ephemeral,
        }
        return _json({"interaction": interaction, "resource": {"type": body.get("type")}})

    def _original(self, token: str) -> Sent:
        return self.for_interaction(token)[0]

    async def _followup(self, request: web.Request) -> web.Response:
        body, files, early = await self._record(request, "followup")
        if early:
            return early
        token = request.match_info["token"]
        sent = self._store(self._interactions[token], body, files, token)
        return _json(self._sent_json(sent))

    async def _edit_webhook(self, request: web.Request) -> web.Response:
        body, _, early = await self._record(request, "edit_webhook")
        if early:
            return early
        token, which = request.match_info["token"], request.match_info["message"]
        sent = self._original(token) if which == "@original" else self.sent[int(which)]
        sent.content = body.get("content", sent.content)
        sent.edits += 1
        return _json(self._sent_json(sent))

    async def _delete_webhook(self, request: web.Request) -> web.Response:
        _, _, early = await self._record(request, "delete_webhook")
        if early:
            return early
        token, which = request.match_info["token"], request.match_info["message"]
        sent = self._original(token) if which == "@original" else self.sent[int(which)]
        del self.sent[sent.id]
        return web.Response(status=204)

    async def _attachment(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.downloads.append(name)
        if name not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[name], headers={"Content-Type": "application/octet-stream"})
