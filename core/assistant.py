"""The assistant: one entry point, `handle(Incoming) -> Reply | None`, and the one conversation policy."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from core.access import AccessControl
from core.commands import (
    REGISTRY,
    Command,
    Registry,
    correction_target,
    parse_correction,
    parse_forget,
    parse_page,
)
from core.conversation import Conversation, guarded
from core.errors import AudioTooLong, BadInput, FileTooLarge, NotAllowed, NothingRead, UserError
from core.i18n import SUPPORTED, Translator, normalise_language
from core.ingestion.parsers import check_supported
from core.ingestion.web_page import url_alone
from core.llm import ChatModel
from core.media import MediaInput, kind_of
from core.membership import Membership
from core.memory import MemoryService
from core.models import Attachment, AttachmentKind, Incoming, IngestReport, Memory, OutgoingFile, Reply
from core.notifier import Notifier
from core.spoken import spoken_command
from core.text import file_display_name, shorten

log = logging.getLogger(__name__)

Exporter = Callable[[str, str], Awaitable[OutgoingFile]]
PAGE_SIZE = 10


class Assistant:
    """Decides whether a message is for the bot, checks access, runs commands and words the replies."""

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
    ) -> None:
        self.memory = memory
        self.notifier = notifier or Notifier()
        """Adapters attach their direct-message channel here; core services tell people through it."""
        self.membership = membership or Membership(access, self.notifier, translate, memory.store.interactions)
        self.media = media or MediaInput(off={"ocr": "", "voice": "", "web": ""})
        self.conversation = conversation
        self.access = access
        self._llm = llm
        self._t = translate
        self._exporter = exporter
        self.registry = registry

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

    def _parse(self, incoming: Incoming) -> tuple[str | None, str]:
        """The command word (None for plain text) and its arguments."""
        if incoming.command is not None:
            return incoming.command.lower(), incoming.args
        return self.registry.split(incoming.text, incoming.prefix)

    def is_addressed(self, incoming: Incoming) -> bool:
        """The one rule: in a direct chat everything is for the bot; in a group, a known command,
        an explicit mention or a reply to the bot (a file follows the same rule)."""
        if not incoming.is_group:
            return True
        word, _ = self._parse(incoming)
        return self.registry.find(word) is not None or incoming.mentions_bot or incoming.replies_to_bot

    async def replies_privately(self, incoming: Incoming) -> bool:
        """Whether the reply is for the sender only (memory listings and refusals in a group)."""
        if not incoming.is_group:
            return False
        command = self.registry.find(self._parse(incoming)[0])
        if command is not None and command.lists_memory:
            return True
        return not await self.access.is_allowed(incoming.user)

    async def handle(self, incoming: Incoming) -> Reply | None:
        """Answer one request, or None when it is not for the bot (or deserves silence).

        User errors become translated text, other failures a short apology.
        """
        lang = await self.language(incoming)
        try:
            return await self._route(incoming, lang)
        except UserError as error:
            return Reply(text=self._say(incoming, lang, error.key, **error.params))
        except Exception:
            log.exception("handling a %s request failed", incoming.platform)
            return Reply(text=self._say(incoming, lang, "error.generic"))

    async def _route(self, incoming: Incoming, lang: str) -> Reply | None:
        if not self.is_addressed(incoming):
            return None
        word, args = self._parse(incoming)
        command = self.registry.find(word)
        name = command.name if command else None
        if name == "start" and args.strip():
            return await self._pair(incoming, lang, args)
        if not await self.access.is_allowed(incoming.user):
            return self._refusal(incoming, lang, command)
        voice = next((a for a in incoming.attachments if kind_of(a) is AttachmentKind.AUDIO), None)
        if voice is not None and name is None:
            return await self._voice(incoming, voice, lang)
        if incoming.attachments and name in (None, "ingest"):
            return Reply(updates=guarded(self._ingest(incoming, lang), lang, self._t))
        if word is not None and command is None:
            return Reply(text=self._say(incoming, lang, "unknown.command", name=word))
        url = url_alone(args if name == "ingest" else incoming.text if name is None else "")
        if url:
            return Reply(updates=guarded(self._ingest_link(incoming, url, lang), lang, self._t))
        if name == "ingest":
            raise BadInput(key="ingest.link_usage")
        if name in (None, "talk"):
            question = (args if name == "talk" else incoming.text).strip()
            if not question:
                return Reply(text=self._say(incoming, lang, "talk.empty"))
            return Reply(updates=guarded(self.conversation.answer(incoming, question, lang), lang, self._t))
        changes_shared = command.admin_in_groups and incoming.is_group and bool(args.strip())
        if changes_shared and not await self.access.is_admin(incoming.user):
            raise NotAllowed()
        reply = await getattr(self, f"_cmd_{name}")(incoming, lang, args)
        reply.private = reply.private or (command.lists_memory and incoming.is_group)
        return reply

    def _refusal(self, incoming: Incoming, lang: str, command: Command | None) -> Reply | None:
        """Full refusal (with the id and pairing) in a direct chat or privately; in a group one
        short line for a command, and silence for files and plain messages."""
        if not incoming.is_group or incoming.can_reply_privately:
            return Reply(text=self._say(incoming, lang, "access.denied", user=incoming.user), private=True)
        if command is None:
            return None
        return Reply(text=self._say(incoming, lang, "access.denied_in_group"))

    async def _pair(self, incoming: Incoming, lang: str, code: str) -> Reply:
        if await self.access.pair(incoming.user, code):
            return Reply(text=self._say(incoming, lang, "access.paired", user=incoming.user), private=True)
        if await self.access.is_allowed(incoming.user):
            return Reply(text=self._say(incoming, lang, "start.welcome"))
        bad = self._say(incoming, lang, "access.bad_code")
        refusal = self._refusal(incoming, lang, self.registry.find("start"))
        return Reply(text=f"{bad}\n{refusal.text}" if refusal else bad, private=True)

    async def _cmd_start(self, incoming: Incoming, lang: str, args: str) -> Reply:
        return Reply(text=self._say(incoming, lang, "start.welcome"))

    async def _cmd_help(self, incoming: Incoming, lang: str, args: str) -> Reply:
        lines = [self._say(incoming, lang, "help.header")]
        for command in self.registry.commands:
            lines.append(f"• {command.usage(lang, incoming.prefix)} — {command.describe(lang)}")
        lines.append(self._say(incoming, lang, "help.footer"))
        if incoming.is_group:
            lines.append(self._say(incoming, lang, "help.group"))
        return Reply(text="\n".join(lines))

    async def _cmd_teach(self, incoming: Incoming, lang: str, args: str) -> Reply:
        if not args.strip():
            raise BadInput(key="teach.empty")
        memory = await self.memory.teach(incoming.scope, args, author=incoming.user)
        return Reply(text=self._say(incoming, lang, "teach.done", id=memory.number))

    async def _cmd_correct(self, incoming: Incoming, lang: str, args: str) -> Reply:
        wrong, right = parse_correction(args)
        result = await self.memory.correct(
            incoming.scope, wrong, right, author=incoming.user, target=correction_target(wrong)
        )
        lines = [self._say(incoming, lang, "correct.done", id=result.correction.number)]
        if result.superseded:
            lines.append(self._say(incoming, lang, "correct.superseded", ids=_listed(result.superseded)))
        if result.linked:
            lines.append(self._say(incoming, lang, "correct.linked", ids=_listed(result.linked)))
        if not result.superseded and not result.linked:
            lines.append(self._say(incoming, lang, "correct.nothing"))
            if result.candidates:
                lines.append(self._say(incoming, lang, "correct.candidates"))
                lines += [f"  #{m.number} {shorten(m.text)}" for m in result.candidates]
                lines.append(self._say(incoming, lang, "correct.by_id", id=result.candidates[0].number))
        return Reply(text="\n".join(lines))

    async def _cmd_forget(self, incoming: Incoming, lang: str, args: str) -> Reply:
        is_document, number = parse_forget(args)
        if is_document:
            document, count = await self.memory.forget_document(incoming.scope, number)
            text = self._say(incoming, lang, "forget.document", doc=number, name=document.name, count=count)
            return Reply(text=text)
        memory, restored = await self.memory.forget_number(incoming.scope, number)
        lines = [self._say(incoming, lang, "forget.done", id=memory.number, text=shorten(memory.text))]
        if restored:
            ids = ", ".join(f"#{m.number}" for m in restored)
            lines.append(self._say(incoming, lang, "forget.restored", ids=ids))
        return Reply(text="\n".join(lines))

    async def _cmd_remember(self, incoming: Incoming, lang: str, args: str) -> Reply:
        query, page = parse_page(args)
        offset = (page - 1) * PAGE_SIZE
        memories, total = await self.memory.remember(
            incoming.scope, query or None, offset=offset, limit=PAGE_SIZE
        )
        if not memories:
            return Reply(
                text=self._say(incoming, lang, "remember.nothing_matches" if total else "remember.empty")
            )
        last = offset + len(memories)
        lines = [
            self._say(
                incoming, lang, "remember.header", first=offset + 1, last=last, count=total, total=total
            )
        ]
        for m in memories:
            tags = f" [{', '.join(m.tags)}]" if m.tags else ""
            lines.append(f"#{m.number} · {m.kind.value} · {m.importance:.2f}{tags} — {shorten(m.text, 160)}")
        if last < total:
            more = f"{query} " if query else ""
            lines.append(self._say(incoming, lang, "remember.more", query=more, page=page + 1))
        return Reply(text="\n".join(lines))

    async def _cmd_why(self, incoming: Incoming, lang: str, args: str) -> Reply:
        return Reply(text=await self.conversation.why(incoming, lang))

    async def _cmd_status(self, incoming: Incoming, lang: str, args: str) -> Reply:
        status = await self.memory.status(incoming.scope)
        model = await self.conversation.model_for(incoming.chat_key)
        reachable = await self._llm.is_reachable()
        kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(status.stats.by_kind.items())) or "—"
        state = self._say(incoming, lang, "status.reachable" if reachable else "status.unreachable")
        lines = [
            self._say(incoming, lang, "status.header", scope=incoming.scope),
            self._say(incoming, lang, "status.kinds", total=status.stats.live, kinds=kinds),
            self._say(incoming, lang, "status.superseded", count=status.stats.superseded),
            self._say(incoming, lang, "status.documents", count=status.stats.documents),
            self._say(incoming, lang, "status.index", size=_human_size(status.index_bytes)),
            self._say(incoming, lang, "status.embedder", name=status.embedder),
            self._say(incoming, lang, "status.model", model=model, state=state),
            self._say(incoming, lang, "status.interactions", count=status.stats.interactions),
        ]
        return Reply(text="\n".join(lines))

    async def _cmd_model(self, incoming: Incoming, lang: str, args: str) -> Reply:
        wanted = args.strip()
        current = self._say(
            incoming, lang, "model.current", model=await self.conversation.model_for(incoming.chat_key)
        )
        if not wanted:
            try:
                models = await self._llm.list_models()
            except UserError:
                return Reply(text=current + "\n" + self._say(incoming, lang, "model.unreachable"))
            available = self._say(incoming, lang, "model.available", models=", ".join(models) or "—")
            return Reply(text=current + "\n" + available)
        models = await self._llm.list_models()
        if wanted not in models and f"{wanted}:latest" not in models:
            return Reply(text=self._say(incoming, lang, "error.model_missing", model=wanted))
        await self.conversation.set_model(incoming.chat_key, wanted)
        return Reply(text=self._say(incoming, lang, "model.set", model=wanted))

    async def _cmd_language(self, incoming: Incoming, lang: str, args: str) -> Reply:
        wanted = args.strip().lower()
        if not wanted:
            return Reply(text=self._say(incoming, lang, "language.current"))
        if wanted not in SUPPORTED:
            raise BadInput(key="language.usage")
        await self.conversation.set_language(incoming.chat_key, wanted)
        return Reply(text=self._say(incoming, wanted, "language.set"))

    async def _cmd_reset(self, incoming: Incoming, lang: str, args: str) -> Reply:
        await self.conversation.reset(incoming.chat_key)
        return Reply(text=self._say(incoming, lang, "reset.done"))

    async def _cmd_export(self, incoming: Incoming, lang: str, args: str) -> Reply:
        if self._exporter is None:
            return Reply(text=self._say(incoming, lang, "export.unavailable"))
        fmt = (args.strip() or "json").lower()
        if fmt not in ("json", "jsonl", "text"):
            raise BadInput(detail=self.registry.find("export").usage(lang, incoming.prefix))
        exported = await self._exporter(incoming.scope, fmt)
        return Reply(text=exported.caption or exported.name, file=exported)

    async def _cmd_ingest(self, incoming: Incoming, lang: str, args: str) -> Reply:
        return Reply(text=self._say(incoming, lang, "ingest.usage"))

    async def _ingest(self, incoming: Incoming, lang: str) -> AsyncIterator[str]:
        """Ingest every attachment, streaming progress lines; each file ends with ✅, ♻️ or ❌."""
        done: list[str] = []
        for attachment in incoming.attachments:
            async for line in self._ingest_one(incoming, attachment, lang):
                yield "\n".join([*done, line])
                last = line
            done.append(last)
        yield "\n".join(done)

    async def _ingest_one(self, incoming: Incoming, attachment: Attachment, lang: str) -> AsyncIterator[str]:
        """Progress lines for one file (a photo is read first), ending with its outcome."""
        is_image = kind_of(attachment) is AttachmentKind.IMAGE
        if attachment.name:
            name = file_display_name(attachment.name)
        else:
            name = self._t(lang, "photo.name", date=datetime.now().strftime("%Y-%m-%d %H:%M"))
        try:
            if is_image:
                self.media.check_image()
            else:
                check_supported(name)
            limit = self.memory.limits.max_upload_bytes
            if attachment.size is not None and attachment.size > limit:
                raise FileTooLarge(name=name, size=attachment.size, limit=limit)
            yield self._say(incoming, lang, "ingest.reading", name=name)
            data = await attachment.fetch()
            if not is_image:
                async for line in self._store(incoming, name, data, lang):
                    yield line
                return
            read = await self.media.read_image(name, data)
            if not attachment.name and read.taken_at is not None:
                name = self._t(lang, "photo.name", date=read.taken_at.strftime("%Y-%m-%d %H:%M"))
            caption = self._caption(incoming)
            text = f"{caption}\n\n{read.text}" if caption else read.text
            heading = self._say(incoming, lang, "photo.read", name=name, first=shorten(read.first_line, 80))
            async for line in self._store(incoming, name, text.encode(), lang, parse_as="photo.txt"):
                yield f"{heading}\n{line}"
        except UserError as error:
            yield self._say(incoming, lang, error.key, **{**error.params, "name": name})

    def _caption(self, incoming: Incoming) -> str:
        """The words sent with a photo (a command word such as `/ingest` left out)."""
        word, args = self._parse(incoming)
        return (args if self.registry.find(word) is not None else incoming.text).strip()

    async def _ingest_link(self, incoming: Incoming, url: str, lang: str) -> AsyncIterator[str]:
        """Fetch a shared link within the guards, then store its article like a document."""
        yield self._say(incoming, lang, "web.fetching", url=url)
        page = await self.media.fetch_page(url)
        text = f"{page.title}\n\n{page.text}" if page.title else page.text
        first = shorten(page.text.split("\n")[0], 80)
        heading = self._say(incoming, lang, "web.read", title=page.title or page.url, first=first)
        async for line in self._store(incoming, page.source, text.encode(), lang, parse_as="page.txt"):
            yield f"{heading}\n{line}"

    async def _store(
        self, incoming: Incoming, name: str, data: bytes, lang: str, *, parse_as: str | None = None
    ) -> AsyncIterator[str]:
        """Ingest through the one document path (scope, dedupe, limits), yielding progress then the outcome."""
        queue: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
        task = asyncio.create_task(
            self.memory.ingest(
                incoming.scope,
                name,
                data,
                author=incoming.user,
                parse_as=parse_as,
                progress=lambda done, total: queue.put_nowait((done, total)),
            )
        )
        while not task.done():
            getter = asyncio.ensure_future(queue.get())
            await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                done, total = getter.result()
                yield self._say(incoming, lang, "ingest.progress", name=name, done=done, total=total)
            else:
                getter.cancel()
        yield self._report(incoming, await task, lang)

    async def _voice(self, incoming: Incoming, attachment: Attachment, lang: str) -> Reply:
        """Transcribe a voice note, show it ("🎤 …"), then answer it exactly as if it had been typed."""
        name = attachment.name or self._t(lang, "voice.name")
        self.media.check_voice()
        limit = self.memory.limits.max_upload_bytes
        if attachment.size is not None and attachment.size > limit:
            raise FileTooLarge(name=name, size=attachment.size, limit=limit)
        if attachment.duration is not None and attachment.duration > self.media.max_audio_seconds:
            raise AudioTooLong(name=name, seconds=int(self.media.max_audio_seconds))
        transcript = await self.media.transcribe(name, await attachment.fetch(), prefer=lang)
        if not transcript.text:
            raise NothingRead(name=name)
        command, args = spoken_command(transcript.text)
        spoken = replace(incoming, text=transcript.text, command=command or "talk", args=args, attachments=[])
        reply = await self._route(spoken, lang)
        return _heard(transcript.text, reply or Reply())

    def _report(self, incoming: Incoming, report: IngestReport, lang: str) -> str:
        """The final line for one ingested file."""
        doc = report.document_number
        if report.duplicate_of is not None:
            return self._say(incoming, lang, "ingest.duplicate", name=report.name, doc=doc)
        return self._say(incoming, lang, "ingest.done", name=report.name, count=report.count, doc=doc)


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


def _listed(memories: list[Memory]) -> str:
    """`#1 (excerpt); #2 (excerpt)`."""
    return "; ".join(f"#{m.number} ({shorten(m.text, 60)})" for m in memories)


def _human_size(size: int) -> str:
    """Bytes as B, KB or MB."""
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"
