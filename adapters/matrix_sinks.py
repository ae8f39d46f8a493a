"""Matrix's side of the render loop: a room as a sink (threaded replies, edits by m.replace), direct notices."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

from nio import MatrixRoom, RoomCreateResponse, RoomPreset, RoomSendResponse, UploadResponse

from adapters.matrix_session import MatrixError
from adapters.message_split import up_to_last_paragraph
from adapters.rendering import DeliveryRefused, PublicSink, draw
from core.models import OutgoingFile, Reply

if TYPE_CHECKING:
    from adapters.matrix_bot import MatrixAdapter

log = logging.getLogger(__name__)

PREFIX = "!"  # Element and other clients keep `/` for their own commands
MESSAGE_LIMIT = 12_000  # characters; a Matrix event is capped at 64 KiB of JSON
TYPING_EVERY = 25.0
TYPING_TIMEOUT_MS = 30_000


class MatrixDirect:
    """The notifier's channel: a notice to a Matrix user in a room of only them and the bot."""

    prefix = PREFIX

    def __init__(self, adapter: MatrixAdapter) -> None:
        self._adapter = adapter
        self._direct_rooms: dict[str, str] = {}

    async def direct_room(self, user_id: str) -> str:
        """A room of only the bot and `user_id`: one they share already, else a new direct room inviting them."""
        client = self._adapter.client
        me = client.user_id
        for room in client.rooms.values():
            if set(room.users) | set(room.invited_users) == {me, user_id}:
                return room.room_id
        if user_id in self._direct_rooms:
            return self._direct_rooms[user_id]
        response = await client.room_create(
            is_direct=True, invite=[user_id], preset=RoomPreset.trusted_private_chat
        )
        if not isinstance(response, RoomCreateResponse):
            raise MatrixError(f"could not open a direct room: {getattr(response, 'status_code', '')}")
        self._direct_rooms[user_id] = response.room_id
        return response.room_id

    async def send_direct(self, user_id: str, text: str) -> None:
        """Draw `text` in the direct room with `user_id` (opened and the user invited when there is none)."""
        room_id = await self.direct_room(user_id)
        client = self._adapter.client
        room = client.rooms.get(room_id) or MatrixRoom(room_id, client.user_id)
        await draw(Reply(text=text), MatrixSink(self._adapter, room, None))

    def invite_link(self, code: str) -> str | None:
        """Matrix links cannot carry a code to a bot."""
        return None


class MatrixSink(PublicSink):
    """The render loop's view of one room: threaded replies to `event`, edits by m.replace."""

    limit = caption_limit = MESSAGE_LIMIT  # a file's caption is not shown: the reply's text says it
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
        content = {"msgtype": "m.notice", "body": text, **reply_relation(self._event)}
        return await self._adapter.send(self._room, content)

    async def edit(self, handle: str, text: str) -> None:
        """Replace the text of one of our notices."""
        await self._adapter.send(self._room, edit_content(handle, text))

    async def send_file(self, file: OutgoingFile) -> None:
        """Upload (encrypted in an encrypted room) and post an m.file in reply."""
        client = self._adapter.client
        encrypt = self._room.encrypted and self._adapter.encryption
        mime = "application/json" if file.name.endswith(".json") else "text/plain"
        response, keys = await client.upload(
            io.BytesIO(file.data), content_type=mime, filename=file.name, encrypt=encrypt, filesize=len(file.data)
        )
        if not isinstance(response, UploadResponse):
            raise DeliveryRefused(f"upload refused: {getattr(response, 'status_code', '')}")
        content: dict = {
            "msgtype": "m.file",
            "body": file.name,
            "filename": file.name,
            "info": {"size": len(file.data), "mimetype": mime},
            **reply_relation(self._event),
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


def reply_relation(event) -> dict:
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


def edit_content(event_id: str, text: str) -> dict:
    """An m.replace edit of one of the bot's messages."""
    return {
        "msgtype": "m.notice",
        "body": f"* {text}",
        "m.new_content": {"msgtype": "m.notice", "body": text},
        "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
    }
