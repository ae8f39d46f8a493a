"""The Matrix adapter (matrix-nio): `!` commands, invites, files, threaded replies, throttled edits, E2EE."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    MatrixRoom,
    MegolmEvent,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
)
from nio.crypto import ENCRYPTION_ENABLED

from adapters import matrix_events as events
from adapters.matrix_session import (
    NIO_LOGGERS,
    MatrixError,
    MatrixSession,
    SessionFile,
    keep_syncing,
    login,
    share_keys,
)
from adapters.matrix_settings import MatrixSettings
from adapters.matrix_sinks import PREFIX, MatrixDirect, MatrixSink
from adapters.rendering import DeliveryRefused, respond
from core.assistant import Assistant
from core.chat_key import chat_key
from core.models import Attachment, Incoming
from core.redaction import SecretRedactor
from core.scope import group_scope, user_scope

log = logging.getLogger(__name__)

PLATFORM = "matrix"
_SENT_MEMORY = 500


class MatrixAdapter:
    """Syncs as the bot account, turns room messages into `Incoming`, renders replies as threaded edits."""

    name = PLATFORM
    prefix = PREFIX

    def __init__(self, settings: MatrixSettings, assistant: Assistant, data_dir: Path) -> None:
        self._settings = settings
        self._assistant = assistant
        self._dir = Path(data_dir) / "matrix"
        self._sessions = SessionFile(self._dir / "session.json")
        self._encryption = settings.encryption and ENCRYPTION_ENABLED
        self._client: AsyncClient | None = None
        self._session: MatrixSession | None = None
        self._sync_task: asyncio.Task | None = None
        self._handling: set[asyncio.Task] = set()
        self._sent: list[str] = []
        self._direct_invites: set[str] = set()
        self._direct = MatrixDirect(self)
        self._replay = False
        self._redactor = SecretRedactor(
            [s.get_secret_value() for s in (settings.password, settings.access_token) if s is not None]
        )

    @property
    def client(self) -> AsyncClient:
        """The logged-in nio client."""
        assert self._client is not None, "start() first"
        return self._client

    async def start(self) -> None:
        """Log in (or resume the stored session), sync once, then keep syncing in a task."""
        settings = self._settings
        assert settings.homeserver and settings.user_id
        self._dir.mkdir(parents=True, exist_ok=True)
        config = AsyncClientConfig(encryption_enabled=self._encryption, store_sync_tokens=False)
        client = AsyncClient(settings.homeserver, settings.user_id, store_path=str(self._dir), config=config)
        self._client = client
        self._redactor.install(NIO_LOGGERS)
        self._session = await login(client, settings, self._sessions)
        self._redactor.add(self._session.access_token)
        client.add_event_callback(self._on_invite, InviteMemberEvent)
        client.add_event_callback(self._on_text, RoomMessageText)
        client.add_event_callback(self._on_file, events.FILE_EVENTS)
        client.add_event_callback(self._on_undecryptable, MegolmEvent)
        client.add_response_callback(self._on_sync, SyncResponse)
        # Resuming from a stored sync token answers what arrived while stopped; a first start skips the backlog.
        self._replay = self._session.next_batch is not None
        first = await client.sync(timeout=0, since=self._session.next_batch, full_state=True)
        if not isinstance(first, SyncResponse):
            await client.close()
            raise MatrixError(f"first sync failed: {getattr(first, 'status_code', '')}")
        self._replay = True
        if self._encryption:
            await share_keys(client)
        for room_id in list(client.invited_rooms):
            await self._answer_invite(room_id, client.invited_rooms[room_id].inviter)
        self._sync_task = asyncio.create_task(keep_syncing(client), name="matrix-sync")
        self._assistant.notifier.attach(self.name, self._direct)

    async def stop(self) -> None:
        """Stop syncing, let running answers finish, save the sync token, close the connection."""
        self._assistant.notifier.detach(self.name, self._direct)
        if self._sync_task is not None:
            self._sync_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sync_task
        if self._handling:
            await asyncio.wait(self._handling, timeout=10)
        if self._client is not None:
            self._save_token()
            await self._client.close()
        self._redactor.remove(NIO_LOGGERS)

    async def _on_sync(self, response: SyncResponse) -> None:
        self._save_token()

    def _save_token(self) -> None:
        if self._session is not None and self._client is not None and self._client.next_batch:
            self._session.next_batch = self._client.next_batch
            self._sessions.save(self._session)


    async def _on_invite(self, room: MatrixRoom, event: InviteMemberEvent) -> None:
        # Our own member event in a room's invite state: we are invited (_answer_invite checks the room).
        if event.state_key == self.client.user_id:
            if (event.content or {}).get("is_direct"):
                self._direct_invites.add(room.room_id)
            await self._answer_invite(room.room_id, event.sender)

    async def _answer_invite(self, room_id: str, inviter: str | None) -> None:
        """Join when the core accepts the inviter (anyone may open a direct chat to ask for access)."""
        if room_id not in self.client.invited_rooms:
            return
        direct = room_id in self._direct_invites
        if inviter and await self._assistant.accepts_invite_from(f"{PLATFORM}:{inviter}", direct=direct):
            await self.client.join(room_id)
            log.info("matrix: joined %s (invited by an allowed user)", room_id)
        else:
            await self.client.room_leave(room_id)
            log.info("matrix: declined an invite to %s", room_id)


    def _is_own(self, event) -> bool:
        return event.sender == self.client.user_id

    async def _on_text(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if not self._replay or self._is_own(event) or events.is_edit(event):
            return
        text = events.REPLY_FALLBACK.sub("", event.body or "").strip()
        self._spawn(self._answer(room, event, await self._incoming(room, event, text)))

    async def _on_file(self, room: MatrixRoom, event) -> None:
        """An m.file, m.image, m.audio (voice messages are m.audio) or m.video, encrypted or not."""
        if not self._replay or self._is_own(event):
            return
        content = event.source.get("content", {})
        name = content.get("filename") or event.body or "file"
        caption = event.body if content.get("filename") and event.body != name else ""
        info = content.get("info") or {}
        size = info.get("size")
        duration = info.get("duration")  # milliseconds
        incoming = await self._incoming(room, event, caption or "")
        incoming.attachments = [
            Attachment(
                name=name,
                size=size if isinstance(size, int) else None,
                fetch=lambda: events.download(self.client, event, name),
                mime=info.get("mimetype"),
                kind=events.KINDS.get(type(event)),
                duration=duration / 1000 if isinstance(duration, int | float) else None,
            )
        ]
        self._spawn(self._answer(room, event, incoming))

    async def _on_undecryptable(self, room: MatrixRoom, event: MegolmEvent) -> None:
        """Ask the sender's devices for the missing key; the core decides whether to say so (and how)."""
        if not self._replay or self._is_own(event):
            return
        log.warning("matrix: could not decrypt an event in %s (session %s)", room.room_id, event.session_id)
        try:
            await self.client.request_room_key(event)
        except Exception:
            log.warning("matrix: could not ask for the missing key in %s", room.room_id, exc_info=True)
        incoming = await self._incoming(room, event, "")
        incoming.undecryptable = True
        self._spawn(self._answer(room, event, incoming))

    async def _incoming(self, room: MatrixRoom, event, text: str) -> Incoming:
        """Neutral facts about a room event: group or direct, mention (and the text without it), reply."""
        group = events.is_group(room)
        scope = group_scope(PLATFORM, "room", room.room_id) if group else user_scope(PLATFORM, event.sender)
        mentioned, text = events.mention_of(self.client.user_id, room.user_name(self.client.user_id), event, text)
        return Incoming(
            platform=PLATFORM,
            user_id=event.sender,
            scope=scope,
            chat_key=chat_key(PLATFORM, "room", room.room_id),
            text=text,
            is_group=group,
            display_name=room.user_name(event.sender) or event.sender,
            mentions_bot=mentioned,
            replies_to_bot=await events.replies_to(self.client, room, event, self._sent),
            prefix=PREFIX,
        )


    def _spawn(self, coro) -> None:
        """Answer in a task so the sync loop keeps running."""
        task = asyncio.create_task(coro)
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)

    async def _answer(self, room: MatrixRoom, event, incoming: Incoming) -> None:
        try:
            await respond(self._assistant, incoming, MatrixSink(self, room, event))
        except Exception:
            log.exception("matrix: answering in %s failed", room.room_id)

    async def send(self, room: MatrixRoom, content: dict) -> str:
        """Send one m.room.message; remembers its id (replies to it address the bot)."""
        return await self.send_to(room.room_id, content)

    async def send_to(self, room_id: str, content: dict) -> str:
        """Send one m.room.message to `room_id`; remembers its id (replies to it address the bot)."""
        response = await self.client.room_send(room_id, "m.room.message", content, ignore_unverified_devices=True)
        if not isinstance(response, RoomSendResponse):
            raise DeliveryRefused(f"sending to {room_id} failed: {getattr(response, 'status_code', '')}")
        self._sent.append(response.event_id)
        del self._sent[:-_SENT_MEMORY]
        return response.event_id

    @property
    def encryption(self) -> bool:
        """Whether end-to-end encryption is on."""
        return self._encryption

    @property
    def edit_interval(self) -> float:
        """Seconds between streaming edits."""
        return self._settings.edit_interval


