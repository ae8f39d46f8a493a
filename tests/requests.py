"""Building platform-neutral requests in tests."""

from __future__ import annotations

from core.models import Attachment, Incoming

OWNER = "local"


def request(
    text: str = "",
    *,
    command: str | None = None,
    args: str = "",
    scope: str = "console:user:local",
    user: str = OWNER,
    platform: str = "console",
    chat: str | None = None,
    files: dict[str, bytes] | None = None,
    language: str | None = None,
    is_group: bool = False,
) -> Incoming:
    """An Incoming from `platform:user` in `scope` (the chat defaults to the scope itself)."""
    attachments = []
    for name, data in (files or {}).items():

        async def fetch(data: bytes = data) -> bytes:
            return data

        attachments.append(Attachment(name=name, size=len(data), fetch=fetch))
    return Incoming(
        platform=platform,
        user_id=user,
        scope=scope,
        chat_key=chat or scope,
        text=text,
        command=command,
        args=args,
        attachments=attachments,
        language=language,
        is_group=is_group,
    )


async def say(app, text: str = "", **kwargs) -> str:
    """Send a request and return the final text of the reply."""
    reply = await app.assistant.handle(request(text, **kwargs))
    return await reply.final_text()
