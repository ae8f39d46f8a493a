"""Reading Matrix events: mentions of the bot, groups, edits, and downloading a file an event carries."""

from __future__ import annotations

import logging
import re

from nio import (
    AsyncClient,
    DownloadError,
    MatrixRoom,
    RoomEncryptedAudio,
    RoomEncryptedFile,
    RoomEncryptedImage,
    RoomEncryptedVideo,
    RoomGetEventResponse,
    RoomMessageAudio,
    RoomMessageFile,
    RoomMessageImage,
    RoomMessageVideo,
)
from nio.crypto.attachments import decrypt_attachment

from core.errors import UserError
from core.models import AttachmentKind

log = logging.getLogger(__name__)

ENCRYPTED_FILES = (RoomEncryptedFile, RoomEncryptedImage, RoomEncryptedAudio, RoomEncryptedVideo)
FILE_EVENTS = (RoomMessageFile, RoomMessageImage, RoomMessageAudio, RoomMessageVideo, *ENCRYPTED_FILES)
KINDS = {
    RoomMessageImage: AttachmentKind.IMAGE,
    RoomEncryptedImage: AttachmentKind.IMAGE,
    RoomMessageAudio: AttachmentKind.AUDIO,
    RoomEncryptedAudio: AttachmentKind.AUDIO,
    RoomMessageVideo: AttachmentKind.VIDEO,
    RoomEncryptedVideo: AttachmentKind.VIDEO,
}
REPLY_FALLBACK = re.compile(r"\A(?:> .*\n)+\n?")


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


def is_group(room: MatrixRoom) -> bool:
    """More than two members (joined or invited) make a group room."""
    return room.member_count > 2


def is_edit(event) -> bool:
    relates = event.source.get("content", {}).get("m.relates_to") or {}
    return relates.get("rel_type") == "m.replace"


async def download(client: AsyncClient, event, name: str) -> bytes:
    """Fetch the file through authenticated media, decrypting it in encrypted rooms."""
    response = await client.download(mxc=event.url)
    if isinstance(response, DownloadError) or not hasattr(response, "body"):
        log.warning("matrix: download of %s failed: %s", event.url, getattr(response, "status_code", ""))
        raise UserError(key="error.download_failed", name=name)
    data = response.body
    if isinstance(event, ENCRYPTED_FILES):
        data = decrypt_attachment(data, event.key["k"], event.hashes["sha256"], event.iv)
    return data


async def replies_to(client: AsyncClient, room: MatrixRoom, event, sent: list[str]) -> bool:
    """Whether the message replies to one of the bot's messages (`sent`: the ids of its latest)."""
    relates = event.source.get("content", {}).get("m.relates_to") or {}
    target = (relates.get("m.in_reply_to") or {}).get("event_id")
    if not target or relates.get("is_falling_back"):
        return False
    if target in sent:
        return True
    response = await client.room_get_event(room.room_id, target)
    return isinstance(response, RoomGetEventResponse) and response.event.sender == client.user_id
