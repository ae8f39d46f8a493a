"""The Matrix adapter (matrix-nio): `!` commands, invites, files, threaded replies, throttled edits, E2EE."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
from pathlib import Path

from nio import (
    AsyncClient,
    AsyncClientConfig,
    DownloadError,
    InviteMemberEvent,
    LoginResponse,
    MatrixRoom,
    MegolmEvent,
    RoomCreateResponse,
    RoomEncryptedAudio,
    RoomEncryptedFile,
    RoomEncryptedImage,
    RoomEncryptedVideo,
    RoomGetEventResponse,
    RoomMessageAudio,
    RoomMessageFile,
    RoomMessageImage,
    RoomMessageText,
    RoomMessageVideo,
    RoomPreset,
    RoomSendResponse,
    SyncResponse,
    UploadResponse,
    WhoamiResponse,
)
from nio.crypto import ENCRYPTION_ENABLED
from nio.crypto.attachments import decrypt_attachment

from adapters.matrix_session import MatrixSession, SessionFile, TokenRedactor
from adapters.matrix_settings import MatrixSettings
from adapters.rendering import Refused, draw, respond, up_to_last_paragraph
from core.assistant import Assistant
from core.errors import UserError
from core.models import Attachment, AttachmentKind, Incoming, OutgoingFile, Reply
from core.scope import group_scope, user_scope

log = logging.getLogger(__name__)

ENCRYPTED_FILES = (RoomEncryptedFile, RoomEncryptedImage, RoomEncryptedAudio, RoomEncryptedVideo)
FILE_EVENTS = (RoomMessageFile, RoomMessageImage, RoomMessageAudio, RoomMessageVideo, *ENCRYPTED_FILES)
_KINDS = {
    RoomMessageImage: AttachmentKind.IMAGE,
    RoomEncryptedImage: AttachmentKind.IMAGE,
    RoomMessageAudio: AttachmentKind.AUDIO,
    RoomEncryptedAudio: AttachmentKind.AUDIO,
    RoomMessageVideo: AttachmentKind.VIDEO,
    RoomEncryptedVideo: AttachmentKind.VIDEO,
}

PLATFORM = "matrix"
MESSAGE_LIMIT = 12_000  # characters; a Matrix event is capped at 64 KiB of JSON
PREFIX = "!"  # Element and other clients keep `/` for their own commands
TYPING_EVERY = 25.0
TYPING_TIMEOUT_MS = 30_000
_REPLY_FALLBACK = re.compile(r"\A(?:> .*\n)+\n?")
_SENT_MEMORY = 500


class MatrixError(RuntimeError):
    """The homeserver refused a request (the message never contains a secret)."""


class MatrixAdapter:
    """Syncs as the bot account, turns room messages into `Incoming`, renders replies as threaded edits."""

    name = PLATFORM

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
        self._direct_rooms: dict[str, str] = {}
        self._direct_invites: set[str] = set()
        self._direct = MatrixDirect(self)
        self._replay = False
        self._redactor = TokenRedactor(
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
        self._redactor.install()
        self._session = await self._login(client)
        self._redactor.secrets.append(self._session.access_token)
        client.add_event_callback(self._on_invite, InviteMemberEvent)
        client.add_event_callback(self._on_text, RoomMessageText)
        client.add_event_callback(self._on_file, FILE_EVENTS)
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
            await self._share_keys()
        for room_id in list(client.invited_rooms):
            await self._answer_invite(room_id, client.invited_rooms[room_id].inviter)
        self._sync_task = asyncio.create_task(self._sync_loop(), name="matrix-sync")
        self._assistant.notifier.attach(self.name, self._direct)

    async def _login(self, client: AsyncClient) -> MatrixSession:
        """Resume the stored session, else use the configured token, else log in with the password."""
        settings = self._settings
        session = self._sessions.load(settings.user_id or "")
        if session is not None:
            client.restore_login(session.user_id, session.device_id, session.access_token)
            client.next_batch = session.next_batch
            return session
        if settings.access_token:
            client.access_token = settings.access_token.get_secret_value()
            who = await client.whoami()
            if not isinstance(who, WhoamiResponse) or not who.device_id:
                await client.close()
                raise MatrixError("the configured access token was refused (or has no device)")
            client.restore_login(who.user_id, who.device_id, client.access_token)
            session = MatrixSession(who.user_id, who.device_id, client.access_token)
        elif settings.password:
            response = await client.login(
                settings.password.get_secret_value(), device_name=settings.device_name
            )
            if not isinstance(response, LoginResponse):
                await client.close()
                raise MatrixError(f"login refused for {settings.user_id}")
            session = MatrixSession(response.user_id, response.device_id, response.access_token)
        else:
            await client.close()
            raise MatrixError("set SOUVENIR_MATRIX__PASSWORD (first login) or SOUVENIR_MATRIX__ACCESS_TOKEN")
        self._sessions.save(session)
        log.info("matrix: logged in as %s, device %s", session.user_id, session.device_id)
        return session

    async def _sync_loop(self) -> None:
        """nio's sync loop (it also uploads, queries and claims keys); restarts after network errors."""
        while True:
            try:
                await self.client.sync_forever(timeout=30_000)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("matrix sync failed; retrying in 5 s", exc_info=True)
                await asyncio.sleep(5)

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
        self._redactor.remove()

    async def _on_sync(self, response: SyncResponse) -> None:
        self._save_token()

    def _save_token(self) -> None:
        if self._session is not None and self._client is not None and self._client.next_batch:
            self._session.next_batch = self._client.next_batch
            self._sessions.save(self._session)

    async def _share_keys(self) -> None:
        """Upload the device keys and learn the devices of room members."""
        client = self.client
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()

    # --- invites -------------------------------------------------------------------------------

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

    # --- messages --------------------------------------------------------------------------------

    def _is_own(self, event) -> bool:
        return event.sender == self.client.user_id

    async def _on_text(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if not self._replay or self._is_own(event) or _is_edit(event):
            return
        text = _REPLY_FALLBACK.sub("", event.body or "").strip()
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
                fetch=lambda: self._download(event, name),
                mime=info.get("mimetype"),
                kind=_KINDS.get(type(event)),
                duration=duration / 1000 if isinstance(duration, int | float) else None,
            )
        ]
        self._spawn(self._answer(room, event, incoming))

    async def _on_undecryptable(self, room: MatrixRoom, event: MegolmEvent) -> None:
        """Ask the sender's devices for the missing key; say so in a direct chat only.

        In a group the message may not have been for the bot at all (its mention is encrypted too):
        a notice for each one would talk over the family's conversation.
        """
        if not self._replay or self._is_own(event):
            return
        log.warning("matrix: could not decrypt an event in %s (session %s)", room.room_id, event.session_id)
        with contextlib.suppress(Exception):
            await self.client.request_room_key(event)
        if _is_group(room):
            return
        text = self._assistant.text(None, "error.undecryptable", prefix=PREFIX)
        self._spawn(MatrixSink(self, room, event).send(text))

    async def _incoming(self, room: MatrixRoom, event, text: str) -> Incoming:
        """Neutral facts about a room event: group or direct, mention (and the text without it), reply."""
        group = _is_group(room)
        scope = group_scope(PLATFORM, "room", room.room_id) if group else user_scope(PLATFORM, event.sender)
        mentioned, text = mention_of(self.client.user_id, room.user_name(self.client.user_id), event, text)
        return Incoming(
            platform=PLATFORM,
            user_id=event.sender,
            scope=scope,
            chat_key=f"{PLATFORM}:room:{room.room_id}",
            text=text,
            is_group=group,
            display_name=room.user_name(event.sender) or event.sender,
            mentions_bot=mentioned,
            replies_to_bot=await self._replies_to_me(room, event),
            prefix=PREFIX,
        )

    async def _replies_to_me(self, room: MatrixRoom, event) -> bool:
        """Whether the message replies to one of the bot's messages."""
        relates = event.source.get("content", {}).get("m.relates_to") or {}
        target = (relates.get("m.in_reply_to") or {}).get("event_id")
        if not target or relates.get("is_falling_back"):
            return False
        if target in self._sent:
            return True
        response = await self.client.room_get_event(room.room_id, target)
        return isinstance(response, RoomGetEventResponse) and self._is_own(response.event)

    async def _download(self, event, name: str) -> bytes:
        """Fetch the file through authenticated media, decrypting it in encrypted rooms."""
        response = await self.client.download(mxc=event.url)
        if isinstance(response, DownloadError) or not hasattr(response, "body"):
            log.warning("matrix: download of %s failed: %s", event.url, getattr(response, "status_code", ""))
            raise UserError(key="matrix.download_failed", name=name)
        data = response.body
        if isinstance(event, ENCRYPTED_FILES):
            data = decrypt_attachment(data, event.key["k"], event.hashes["sha256"], event.iv)
        return data

    # --- replies ---------------------------------------------------------------------------------

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
            raise Refused(f"sending to {room_id} failed: {getattr(response, 'status_code', '')}")
        self._sent.append(response.event_id)
        del self._sent[:-_SENT_MEMORY]
        return response.event_id

    async def direct_room(self, user_id: str) -> str:
        """A room of only the bot and `user_id`: one they share already, else a new direct room inviting them."""
        me = self.client.user_id
        for room in self.client.rooms.values():
            if set(room.users) | set(room.invited_users) == {me, user_id}:
                return room.room_id
        if user_id in self._direct_rooms:
            return self._direct_rooms[user_id]
        response = await self.client.room_create(
            is_direct=True, invite=[user_id], preset=RoomPreset.trusted_private_chat
        )
        if not isinstance(response, RoomCreateResponse):
            raise MatrixError(f"could not open a direct room: {getattr(response, 'status_code', '')}")
        self._direct_rooms[user_id] = response.room_id
        return response.room_id

    @property
    def encryption(self) -> bool:
        """Whether end-to-end encryption is on."""
        return self._encryption

    @property
    def edit_interval(self) -> float:
        """Seconds between streaming edits."""
        return self._settings.edit_interval


class MatrixDirect:
    """The notifier's channel: a notice to a Matrix user in a room of only them and the bot."""

    prefix = PREFIX

    def __init__(self, adapter: MatrixAdapter) -> None:
        self._adapter = adapter

    async def send_direct(self, user_id: str, text: str) -> None:
        """Draw `text` in the direct room with `user_id` (opened and the user invited when there is none)."""
        room_id = await self._adapter.direct_room(user_id)
        client = self._adapter.client
        room = client.rooms.get(room_id) or MatrixRoom(room_id, client.user_id)
        await draw(Reply(text=text), MatrixSink(self._adapter, room, None))

    def invite_link(self, code: str) -> str | None:
        """Matrix links cannot carry a code to a bot."""
        return None


class MatrixSink:
    """The render loop's view of one room: threaded replies to `event`, edits by m.replace."""

    limit = MESSAGE_LIMIT
    typing_every = TYPING_EVERY
    preview = staticmethod(up_to_last_paragraph)

    def __init__(self, adapter: MatrixAdapter, room: MatrixRoom, event: object | None) -> None:
        """`event` is the message answered (None for a notice that answers nothing)."""
        self._adapter = adapter
        self._room = room
        self._event = event
        self.interval = adapter.edit_interval

    async def send(self, text: str) -> str:
        """A notice replying to the event (in its thread when it was in one)."""
        content = {"msgtype": "m.notice", "body": text, **_reply_relation(self._event)}
        return await self._adapter.send(self._room, content)

    async def edit(self, handle: str, text: str) -> None:
        """Replace the text of one of our notices."""
        await self._adapter.send(self._room, _edit_content(handle, text))

    async def send_file(self, file: OutgoingFile) -> None:
        """Upload (encrypted in an encrypted room) and post an m.file in reply."""
        client = self._adapter.client
        encrypt = self._room.encrypted and self._adapter.encryption
        mime = "application/json" if file.name.endswith(".json") else "text/plain"
        response, keys = await client.upload(
            io.BytesIO(file.data), content_type=mime, filename=file.name, encrypt=encrypt, filesize=len(file.data)
        )
        if not isinstance(response, UploadResponse):
            raise Refused(f"upload refused: {getattr(response, 'status_code', '')}")
        content: dict = {
            "msgtype": "m.file",
            "body": file.name,
            "filename": file.name,
            "info": {"size": len(file.data), "mimetype": mime},
            **_reply_relation(self._event),
        }
        if encrypt and keys:
            content["file"] = {**keys, "url": response.content_uri}
        else:
            content["url"] = response.content_uri
        await self._adapter.send(self._room, content)

    async def typing(self, on: bool) -> None:
        """Show or clear "typing…" in the room."""
        await self._adapter.client.room_typing(self._room.room_id, on, timeout=TYPING_TIMEOUT_MS)

    async def react(self, emoji: str) -> bool:
        """An m.reaction annotating the user's event (encrypted like any event in an encrypted room)."""
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": self._event.event_id, "key": emoji}}
        response = await self._adapter.client.room_send(
            self._room.room_id, "m.reaction", content, ignore_unverified_devices=True
        )
        if not isinstance(response, RoomSendResponse):
            log.info("matrix: reaction refused (%s); a line instead", getattr(response, "status_code", ""))
            return False
        return True


def mention_of(me: str, display: str | None, event, text: str) -> tuple[bool, str]:
    """Whether an event names the bot explicitly, and its text without a leading mention.

    Explicit: a pill or `m.mentions` naming the bot, or its user id as the first word, or its
    display name / local part as the first word followed by `:` or `,` ("Souvenir: hi"). The
    word appearing anywhere else ("un souvenir de Rome") is not a mention.
    """
    content = event.source.get("content", {})
    formatted = content.get("formatted_body") or ""
    mentioned = me in ((content.get("m.mentions") or {}).get("user_ids") or [])
    mentioned = mentioned or f"matrix.to/#/{me}" in formatted
    at_start = re.match(rf"@?{re.escape(me)}(?![\w.-])\s*[:,]?\s*", text, re.IGNORECASE)
    if at_start:
        return True, text[at_start.end() :]
    names = {me.split(":", 1)[0].lstrip("@")}
    if display and display != me:
        names.add(display)
    pill = re.search(rf'<a href="https://matrix\.to/#/{re.escape(me)}">([^<]+)</a>', formatted)
    if pill:
        names.add(pill.group(1))
    for name in sorted(names, key=len, reverse=True):
        named = re.match(rf"@?{re.escape(name)}\s*[:,]\s*", text, re.IGNORECASE)
        if named:
            return True, text[named.end() :]
    return mentioned, text


def _is_group(room: MatrixRoom) -> bool:
    """More than two members (joined or invited) make a group room."""
    return room.member_count > 2


def _is_edit(event) -> bool:
    relates = event.source.get("content", {}).get("m.relates_to") or {}
    return relates.get("rel_type") == "m.replace"


def _reply_relation(event) -> dict:
    """`m.relates_to` replying to `event`, inside its thread when it was sent in one (nothing for None)."""
    if event is None:
        return {}
    relates = event.source.get("content", {}).get("m.relates_to") or {}
    if relates.get("rel_type") == "m.thread":
        relation = {
            "rel_type": "m.thread",
            "event_id": relates["event_id"],
            "is_falling_back": False,
            "m.in_reply_to": {"event_id": event.event_id},
        }
    else:
        relation = {"m.in_reply_to": {"event_id": event.event_id}}
    return {"m.relates_to": relation}


def _edit_content(event_id: str, text: str) -> dict:
    """An m.replace edit of one of the bot's messages."""
    return {
        "msgtype": "m.notice",
        "body": f"* {text}",
        "m.new_content": {"msgtype": "m.notice", "body": text},
        "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
    }
