"""Direct messages from the core to one person, outside any request (an owner told of an access request).

How to use it (from a core service):

    delivered = await notifier.tell("telegram:42", "text")       # True once sent, False otherwise
    prefix = notifier.prefix("telegram:42")                       # how commands are written there ("/", "!")

`tell` never raises: a platform that is not running, or that refuses (a user who never wrote to
the bot, a closed direct chat), is logged and answered False, so a notice can never break the
request that caused it. Word the text for its reader: their language (core.access.AccessControl
knows members' languages) and their platform's command prefix. The bot/ wiring creates one
Notifier and hands it to the services that need it; each adapter attaches its small DirectChannel
when it starts and detaches it when it stops, so the core never reaches into an adapter.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)


class DirectChannel(Protocol):
    """What one platform's adapter offers the notifier: a direct message to one of its users."""

    prefix: str
    """How commands are written on this platform (`/`, `!`, or nothing on the console)."""

    async def send_direct(self, user_id: str, text: str) -> None:
        """Send `text` to the user `user_id` (the platform's own id) in a direct chat; raise on refusal."""
        ...

    def invite_link(self, code: str) -> str | None:
        """A link that opens a direct chat with the bot carrying `code` (Telegram's t.me deep link), or None."""
        ...


class Notifier:
    """Routes a direct message for `platform:user_id` to that platform's attached channel."""

    def __init__(self) -> None:
        self._channels: dict[str, DirectChannel] = {}

    def attach(self, platform: str, channel: DirectChannel) -> None:
        """Make `platform`'s users reachable (an adapter calls this once it is connected)."""
        self._channels[platform] = channel

    def detach(self, platform: str, channel: DirectChannel | None = None) -> None:
        """Forget `platform`'s channel (an adapter calls this when it stops); only `channel` if given."""
        if channel is None or self._channels.get(platform) is channel:
            self._channels.pop(platform, None)

    def reachable(self, user: str) -> bool:
        """Whether a channel to `user`'s platform is attached."""
        return _split(user)[0] in self._channels

    def prefix(self, user: str) -> str:
        """How commands are written on `user`'s platform (`/` when it is not attached)."""
        channel = self._channels.get(_split(user)[0])
        return channel.prefix if channel is not None else "/"

    def invite_link(self, platform: str, code: str) -> str | None:
        """A link carrying `code` that opens a direct chat with the bot on `platform`, or None."""
        channel = self._channels.get(platform)
        return channel.invite_link(code) if channel is not None else None

    async def tell(self, user: str, text: str) -> bool:
        """Send `text` to `user` (`platform:user_id`) directly; False when it could not be delivered."""
        platform, user_id = _split(user)
        channel = self._channels.get(platform)
        if channel is None:
            log.info("no running %s platform to tell %s", platform or "?", user)
            return False
        try:
            await channel.send_direct(user_id, text)
        except Exception as error:
            log.warning("could not send a direct message to %s: %s", user, type(error).__name__)
            log.debug("direct message failure", exc_info=True)
            return False
        return True


def _split(user: str) -> tuple[str, str]:
    """`telegram:42` → ("telegram", "42"); Matrix ids keep their colon (`matrix:@a:hs` → "@a:hs")."""
    platform, _, user_id = user.partition(":")
    return platform, user_id
