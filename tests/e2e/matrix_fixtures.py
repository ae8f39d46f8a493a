"""Matrix test helpers: a real nio client playing a user, and a bot wired to a real Synapse."""

from __future__ import annotations

import asyncio
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from uuid import uuid4

from nio import (
    Api,
    AsyncClient,
    AsyncClientConfig,
    LoginResponse,
    MatrixRoom,
    ReactionEvent,
    RoomCreateResponse,
    RoomMessageNotice,
    RoomSendResponse,
    UploadResponse,
)

from tests.e2e.synapse import Synapse


@dataclass
class BotMessage:
    """A message of the bot as the user sees it (edits applied)."""

    event_id: str
    room_id: str
    text: str
    relates_to: dict
    encrypted: bool = False
    edits: int = 0
    versions: list[str] = field(default_factory=list)


class MatrixUser:
    """A real matrix-nio client logged in as a test user, syncing in the background."""

    def __init__(self, synapse: Synapse, name: str, store: Path, *, encryption: bool = False) -> None:
        self.synapse = synapse
        self.name = name
        self.password = secrets.token_hex(8)
        self.user_id = synapse.register(name, self.password)
        store.mkdir(parents=True, exist_ok=True)
        config = AsyncClientConfig(encryption_enabled=encryption, store_sync_tokens=False)
        self.client = AsyncClient(synapse.url, self.user_id, store_path=str(store), config=config)
        self.messages: dict[str, BotMessage] = {}
        self.reactions: dict[str, list[tuple[str, str]]] = {}
        """event id → (sender, key) of each m.reaction annotating it."""
        self.bot_id: str | None = None
        self._task: asyncio.Task | None = None
        self._changed = asyncio.Event()

    async def __aenter__(self) -> MatrixUser:
        response = await self.client.login(self.password, device_name=self.name)
        assert isinstance(response, LoginResponse), response
        self.client.add_event_callback(self._on_notice, RoomMessageNotice)
        self.client.add_event_callback(self._on_reaction, ReactionEvent)
        await self.client.sync(timeout=0, full_state=True)
        self._task = asyncio.create_task(self.client.sync_forever(timeout=200))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.client.close()

    async def _on_reaction(self, room: MatrixRoom, event: ReactionEvent) -> None:
        self.reactions.setdefault(event.reacts_to, []).append((event.sender, event.key))
        self._changed.set()

    async def _on_notice(self, room: MatrixRoom, event: RoomMessageNotice) -> None:
        content = event.source["content"]
        relates = content.get("m.relates_to") or {}
        if relates.get("rel_type") == "m.replace":
            target = self.messages.get(relates["event_id"])
            if target is not None:
                target.text = content["m.new_content"]["body"]
                target.edits += 1
                target.versions.append(target.text)
        else:
            self.messages[event.event_id] = BotMessage(
                event.event_id,
                room.room_id,
                event.body,
                relates,
                encrypted=event.decrypted,
                versions=[event.body],
            )
        self._changed.set()

    async def create_room(self, *invite: str, encrypted: bool = False, direct: bool = False) -> str:
        """Create a private room inviting `invite`; returns its id."""
        state = []
        if encrypted:
            state.append(
                {
                    "type": "m.room.encryption",
                    "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                }
            )
        response = await self.client.room_create(invite=list(invite), initial_state=state, is_direct=direct)
        assert isinstance(response, RoomCreateResponse), response
        return response.room_id

    async def join(self, room_id: str) -> None:
        """Accept an invite."""
        await self.client.join(room_id)
        await self.wait_for(lambda: room_id in self.client.rooms)

    async def send(self, room_id: str, body: str, **extra: object) -> str:
        """Send m.text; returns the event id."""
        content = {"msgtype": "m.text", "body": body, **extra}
        response = await self.client.room_send(
            room_id, "m.room.message", content, ignore_unverified_devices=True
        )
        assert isinstance(response, RoomSendResponse), response
        return response.event_id

    async def send_undecryptable(self, room_id: str) -> str:
        """Post an m.room.encrypted event of a Megolm session nobody has (as from a device whose keys never arrived)."""
        content = {
            "algorithm": "m.megolm.v1.aes-sha2",
            "ciphertext": "AwgAEnACgAkLmt6qF84IK++J7UDH2Za1YVchHyprqTqsg",
            "sender_key": "x6mFJwBlSwVmLH9QXy5ADshSmGJr6NSjKkvFNbzXJiM",
            "session_id": "n4mt9uBXRWEkcgTo1tT+8ZV0dWvNpcmY7cpfVMVjzQc",
            "device_id": self.client.device_id,
        }
        method, path, data = Api.room_send(self.client.access_token, room_id, "m.room.encrypted", content, uuid4())
        response = await self.client.send(method, path, data, headers={"Content-Type": "application/json"})
        assert response.status == 200, await response.text()
        return (await response.json())["event_id"]

    async def send_file(
        self,
        room_id: str,
        name: str,
        data: bytes,
        mime: str = "text/plain",
        *,
        caption: str | None = None,
        msgtype: str = "m.file",
        **extra,
    ) -> str:
        """Upload `data` and post it as `msgtype` (m.file, m.image, m.audio; encrypted in an encrypted room).

        `caption` goes in the body (the name moves to `filename`); `extra` adds to the content
        (`info` entries such as a voice note's duration go in `info=`).
        """
        encrypted = self.client.rooms[room_id].encrypted
        upload, keys = await self.client.upload(
            io.BytesIO(data), content_type=mime, filename=name, encrypt=encrypted, filesize=len(data)
        )
        assert isinstance(upload, UploadResponse), upload
        info = {"size": len(data), "mimetype": mime, **extra.pop("info", {})}
        content: dict = {"msgtype": msgtype, "body": name, "info": info, **extra}
        if caption is not None:
            content |= {"body": caption, "filename": name}
        if encrypted:
            content["file"] = {**keys, "url": upload.content_uri}
        else:
            content["url"] = upload.content_uri
        response = await self.client.room_send(
            room_id, "m.room.message", content, ignore_unverified_devices=True
        )
        assert isinstance(response, RoomSendResponse), response
        return response.event_id

    async def wait_for(self, predicate: Callable[[], object], timeout: float = 20.0) -> object:
        """Wait until `predicate()` is truthy (re-checked on every bot message and every 0.1 s)."""

        async def loop() -> object:
            while not (result := predicate()):
                self._changed.clear()
                with _suppress_timeout():
                    await asyncio.wait_for(self._changed.wait(), 0.1)
            return result

        return await asyncio.wait_for(loop(), timeout)

    def replies_to(self, event_id: str) -> list[BotMessage]:
        """The bot's messages that reply to `event_id`."""
        return [
            m
            for m in self.messages.values()
            if (m.relates_to.get("m.in_reply_to") or {}).get("event_id") == event_id
        ]

    async def answer(
        self, room_id: str, body: str, *, done: Callable[[str], bool] | None = None, **extra
    ) -> str:
        """Send `body` and wait for the bot's reply (until `done(text)` when given); returns its text."""
        event_id = await self.send(room_id, body, **extra)
        return await self.reply_text(event_id, done=done)

    async def reply_text(
        self, event_id: str, *, done: Callable[[str], bool] | None = None, timeout: float = 20.0
    ) -> str:
        """The text of the bot's (final) reply to `event_id`."""

        def ready() -> str | None:
            replies = self.replies_to(event_id)
            if not replies:
                return None
            text = "\n".join(m.text for m in replies)
            return text if done is None or done(text) else None

        return await self.wait_for(ready, timeout)


class _suppress_timeout:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, value, tb) -> bool:
        return kind is asyncio.TimeoutError
