"""What a command handler is given: the request, its language and arguments, and the services it may use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.i18n import Translator
from core.models import Incoming, OutgoingFile

if TYPE_CHECKING:
    from core.capture.service import CaptureService
    from core.commands.declaration import Command
    from core.commands.registry import Registry
    from core.conversation import Conversation
    from core.disk import DiskWatch
    from core.llm import ChatModel
    from core.membership import Membership
    from core.memory.service import MemoryService

Exporter = Callable[[str, str], Awaitable[OutgoingFile]]


@dataclass(frozen=True)
class Services:
    """The collaborators handlers work with, built once by the assistant."""

    memory: MemoryService
    conversation: Conversation
    llm: ChatModel
    translate: Translator
    registry: Registry
    exporter: Exporter | None = None
    membership: Membership | None = None
    disk: DiskWatch | None = None
    """The data directory's free space, which /status shows admins."""
    capture: CaptureService | None = None
    """Memory from conversation (explicit phrasings, statements, the chat's capture mode)."""


@dataclass(frozen=True)
class Call:
    """One command being run: who asked, in which language, with which arguments."""

    incoming: Incoming
    lang: str
    args: str
    command: Command
    services: Services

    def say(self, key: str, *, lang: str | None = None, **params: object) -> str:
        """The message `key` in the chat's language (or `lang`), naming commands with the platform's prefix."""
        return self.services.translate(lang or self.lang, key, c=self.incoming.prefix, **params)
