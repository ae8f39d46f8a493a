"""The conversation policy: whether a message is for the bot, who is refused and how, what is private."""

from __future__ import annotations

from dataclasses import dataclass

from core.commands import Command, Registry
from core.i18n import Translator
from core.models import Incoming, Reply


@dataclass(frozen=True)
class Decision:
    """What is decided before any work: the reply's language, whether the sender has access, whether it is private."""

    lang: str
    allowed: bool
    private: bool


class Policy:
    """Decides from the neutral facts of a request (direct or group, mention, reply, sender's rights)."""

    def __init__(self, registry: Registry, translate: Translator) -> None:
        self._registry = registry
        self._t = translate

    def parse(self, incoming: Incoming) -> tuple[str | None, str]:
        """The command word (None for plain text) and its arguments."""
        if incoming.command is not None:
            return incoming.command.lower(), incoming.args
        return self._registry.split(incoming.text, incoming.prefix)

    def command_of(self, incoming: Incoming) -> Command | None:
        """The declared command a request names, or None (plain text or an unknown word)."""
        return self._registry.find(self.parse(incoming)[0])

    def is_addressed(self, incoming: Incoming) -> bool:
        """The one rule: in a direct chat everything is for the bot; in a group, a known command,
        an explicit mention or a reply to the bot (a file follows the same rule). An empty message
        is for no one; an undecryptable one gets a notice in a direct chat only (in a group it may not
        have been for the bot: its mention is encrypted too)."""
        if incoming.undecryptable:
            return not incoming.is_group
        if not incoming.text.strip() and not incoming.attachments and incoming.command is None:
            return False
        if not incoming.is_group:
            return True
        return self.command_of(incoming) is not None or incoming.mentions_bot or incoming.replies_to_bot

    def is_private(self, incoming: Incoming, allowed: bool) -> bool:
        """Whether the reply is for the sender only: memory listings, pairing and refusals, in a group."""
        if not incoming.is_group:
            return False
        word, args = self.parse(incoming)
        command = self._registry.find(word)
        pairing = command is not None and command.pairs and bool(args.strip())
        return not allowed or pairing or (command is not None and (command.lists_memory or command.private))

    def refusal(self, incoming: Incoming, lang: str, command: Command | None) -> Reply | None:
        """Full refusal (with the id and pairing) in a direct chat or privately; in a group one
        short line for a command, and silence for files and plain messages."""
        if not incoming.is_group or incoming.can_reply_privately:
            return Reply(text=self._t(lang, "access.denied", c=incoming.prefix, user=incoming.user), private=True)
        if command is None:
            return None
        return Reply(text=self._t(lang, "access.denied_in_group", c=incoming.prefix))

    @staticmethod
    def needs_admin(incoming: Incoming, command: Command, args: str) -> bool:
        """Changing a shared setting of a group (with arguments) takes an admin; showing it does not."""
        return command.admin_in_groups and incoming.is_group and bool(args.strip())
