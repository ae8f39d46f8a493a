"""The assistant: one entry point, `handle(Incoming) -> Reply | None`, routing each request by the registry."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace

from core.access import AccessControl
from core.access_codes import looks_like_code
from core.capture.service import CaptureService
from core.commands import REGISTRY, Call, Command, Exporter, Registry, Services
from core.confirmation import Confirmations
from core.conversation import Conversation, guarded
from core.disk import DiskWatch
from core.errors import NotAllowed, UserError
from core.i18n import Translator, normalise_language
from core.ingestion.transcription import repeats_itself
from core.ingestion.web_page import url_alone
from core.intake import Intake
from core.llm import ChatModel
from core.media import MediaInput
from core.membership import Membership
from core.memory.service import MemoryService
from core.models import Incoming, Reply
from core.notifier import Notifier
from core.policy import Decision, Policy
from core.spoken import heard_command, spoken_arguments

log = logging.getLogger(__name__)

__all__ = ["Assistant", "Exporter"]


class Assistant:
    """Checks access once, sends files, links and voice to the intake and commands to their handlers."""

    def __init__(
        self,
        memory: MemoryService,
        conversation: Conversation,
        access: AccessControl,
        llm: ChatModel,
        translate: Translator,
        *,
        exporter: Exporter | None = None,
        registry: Registry = REGISTRY,
        media: MediaInput | None = None,
        notifier: Notifier | None = None,
        membership: Membership | None = None,
        disk: DiskWatch | None = None,
        confirmations: Confirmations | None = None,
    ) -> None:
        self.memory = memory
        self.notifier = notifier or Notifier()
        """Adapters attach their direct-message channel here; core services tell people through it."""
        self.membership = membership or Membership(access, self.notifier, translate, memory.store.interactions)
        self.conversation = conversation
        self.access = access
        self.registry = registry
        self.confirmations = confirmations or Confirmations()
        """Pending yes/no questions per chat and user (forgetting by conversation; spoken destructive commands)."""
        self.capture = CaptureService(memory, self.confirmations, translate)
        self.services = Services(
            memory, conversation, llm, translate, registry, exporter, self.membership, disk, capture=self.capture
        )
        self.intake = Intake(memory, media or MediaInput(off={"ocr": "", "voice": "", "web": ""}), translate)
        self.policy = Policy(registry, translate)
        self._t = translate

    @property
    def media(self) -> MediaInput:
        """The optional photo, voice and web engines."""
        return self.intake.media

    def commands(self) -> tuple[Command, ...]:
        """The declared commands, for platforms to publish (menus, slash commands)."""
        return self.registry.commands

    def text(self, lang: str | None, key: str, *, prefix: str = "/", **params: object) -> str:
        """A translated message, naming commands with the platform's `prefix`."""
        return self._t(lang, key, c=prefix, **params)

    def _say(self, incoming: Incoming, lang: str, key: str, **params: object) -> str:
        return self._t(lang, key, c=incoming.prefix, **params)

    async def language(self, incoming: Incoming) -> str:
        """The chat's chosen language, else the sender's (from the platform), else the default."""
        chosen = await self.conversation.language_of(incoming.chat_key)
        return normalise_language(chosen or incoming.language, self._t.default)

    async def accepts_invite_from(self, user: str, *, direct: bool = False) -> bool:
        """Whether to join a room that `user` (`platform:user_id`) invited the bot to: a direct chat from
        anyone (a stranger may ask for access there), a group only from someone with access."""
        return direct or await self.access.is_allowed(user)

    def is_addressed(self, incoming: Incoming) -> bool:
        """Whether a message is for the bot (see Policy.is_addressed), or its sender's answer to a
        question the bot just asked them in this chat ("oui" in a group needs no mention)."""
        return self.policy.is_addressed(incoming) or self.confirmations.is_answer(
            incoming.chat_key, incoming.user, incoming.text
        )

    async def decide(self, incoming: Incoming) -> Decision | None:
        """Before any work: None when the message is not for the bot, else the language, access and
        privacy of the reply (a platform that must acknowledge at once, privately or not, reads it)."""
        if not self.is_addressed(incoming):
            return None
        lang = await self.language(incoming)
        allowed = incoming.undecryptable or await self._may_use(incoming)
        return Decision(lang, allowed, self.policy.is_private(incoming, allowed))

    async def handle(self, incoming: Incoming, decision: Decision | None = None) -> Reply | None:
        """Answer one request, or None when it is not for the bot (or deserves silence).

        `decision` is `decide(incoming)` when the caller already has it. User errors become
        translated text, other failures a short apology; the reply is private as decided.
        """
        decision = decision or await self.decide(incoming)
        if decision is None:
            return None
        lang = decision.lang
        try:
            reply = await self._route(incoming, lang, decision.allowed)
        except UserError as error:
            reply = Reply(text=self._say(incoming, lang, error.key, **error.params))
        except Exception:
            log.exception("handling a %s request failed", incoming.platform)
            reply = Reply(text=self._say(incoming, lang, "error.generic"))
        if reply is not None:
            reply.private = reply.private or decision.private
        return reply

    async def _may_use(self, incoming: Incoming) -> bool:
        """Access, checked once: allowed people anywhere; in a group opened to its members, anyone there."""
        return await self.access.may_use(incoming.user, incoming.scope, is_group=incoming.is_group)

    async def _route(self, incoming: Incoming, lang: str, allowed: bool) -> Reply | None:
        if incoming.undecryptable:
            return Reply(text=self._say(incoming, lang, "error.undecryptable"))
        if not allowed and self.access.is_ignored(incoming.user):
            return None  # too many wrong codes lately: no answer at all for a while
        word, args = self.policy.parse(incoming)
        command = self.registry.find(word)
        if command is not None and command.pairs and args.strip():
            return await self.membership.redeem(incoming, lang, args)
        if not allowed and command is None and not incoming.is_group and looks_like_code(incoming.text):
            return await self.membership.redeem(incoming, lang, incoming.text)
        if not allowed and not (command is not None and command.strangers):
            return self.policy.refusal(incoming, lang, command)
        if incoming.on_this_machine and command is not None and command.takes_files and args and not url_alone(args):
            incoming = replace(incoming, attachments=[self.intake.local_file(args)])
        voice = self.intake.voice_note(incoming)
        if voice is not None and command is None:
            transcript = await self.intake.transcribe(incoming, voice, lang)
            try:
                reply = await self._spoken(incoming, transcript, lang) or Reply()
            except UserError as error:  # a refused command still shows what was heard, above the reason
                reply = Reply(text=self._say(incoming, lang, error.key, **error.params))
            return _heard(transcript, reply)
        takes_files = command is None or command.takes_files
        if incoming.attachments and takes_files:
            caption = (args if command is not None else incoming.text).strip()
            return Reply(updates=guarded(self.intake.files(incoming, lang, caption), lang, self._t))
        if word is not None and command is None:
            return Reply(text=self._unknown(incoming, lang, word))
        url = url_alone(args if command is not None else incoming.text) if takes_files else None
        if url:
            return Reply(updates=guarded(self.intake.link(incoming, url, lang), lang, self._t))
        return await self._run(incoming, lang, command or self.registry.plain_text, args)

    def _unknown(self, incoming: Incoming, lang: str, word: str) -> str:
        """An unknown command word, with the command it most likely meant (`aprends` → /apprends ?)."""
        meant = self.registry.closest(word)
        if meant is None:
            return self._say(incoming, lang, "unknown.command", name=word)
        return self._say(incoming, lang, "unknown.suggest", name=word, suggestion=meant.name_in(lang))

    async def _run(self, incoming: Incoming, lang: str, command: Command, args: str) -> Reply | None:
        """Run a command's handler under the policy (admins for shared settings; streams guarded)."""
        if self.policy.needs_admin(incoming, command, args) and not await self.access.is_admin(incoming.user):
            raise NotAllowed()
        reply = await command.handler(Call(incoming, lang, args, command, self.services))
        if reply is None:
            return None  # deserves silence (a request repeated too often)
        if reply.updates is not None:
            reply.updates = guarded(reply.updates, lang, self._t)
        return reply

    async def _spoken(self, incoming: Incoming, transcript: str, lang: str) -> Reply | None:
        """Answer a transcript as if it had been typed: a command when it starts with one, else talk.

        A transcript that loops is Whisper mishearing: it is shown, never obeyed.
        """
        if repeats_itself(transcript):
            return Reply(text=self._say(incoming, lang, "voice.unclear"))
        command, args = heard_command(transcript, self.registry)
        if command is not None and command.destructive:
            return await self._ask_first(incoming, lang, command, spoken_arguments(args), transcript)
        command = command or self.registry.plain_text
        spoken = replace(incoming, text=transcript, command=command.name, args=args, attachments=[])
        return await self._route(spoken, lang, True)

    async def _ask_first(
        self, incoming: Incoming, lang: str, command: Command, args: str, transcript: str
    ) -> Reply:
        """A destructive command said aloud runs only after the speaker's "yes" (core/confirmation.py).

        Its arguments are checked now, so a refused command says why at once; the pending question
        is answered by the next message of the same person in the same chat, typed or spoken.
        """
        spoken = replace(incoming, text=transcript, command=command.name, args=args, attachments=[])
        call = Call(spoken, lang, args, command, self.services)
        if command.question is not None:
            question = (await command.question(call)).text
        else:
            question = self._say(incoming, lang, "voice.confirm", command=command.name_in(lang))

        async def run(_choice: int | None) -> str:
            reply = await self._run(spoken, lang, command, args)
            return reply.text if reply is not None else ""

        async def cancelled() -> str:
            return self._say(incoming, lang, "voice.cancelled")

        self.confirmations.ask(incoming.chat_key, incoming.user, run, on_no=cancelled)
        return Reply(text=question)


def _heard(transcript: str, reply: Reply) -> Reply:
    """`reply` with the transcript shown above it."""
    heading = f"🎤 {transcript}"
    if reply.updates is None:
        return replace(reply, text=f"{heading}\n\n{reply.text}")

    async def prefixed(updates: AsyncIterator[str]) -> AsyncIterator[str]:
        yield heading
        async for snapshot in updates:
            yield f"{heading}\n\n{snapshot}"

    return replace(reply, updates=prefixed(reply.updates))
