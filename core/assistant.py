"""The assistant: one entry point, `handle(Incoming) -> Reply`, for every platform."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from core.access import AccessControl
from core.commands import ALIASES, COMMANDS, CommandSpec, parse_correction, parse_memory_id, parse_page
from core.conversation import Conversation, guarded
from core.errors import BadInput, FileTooLarge, NotAllowed, UserError
from core.i18n import Translator, normalise_language
from core.ingestion.parsers import check_supported
from core.llm import ChatModel
from core.memory import MemoryService
from core.models import Attachment, Incoming, IngestReport, OutgoingFile, Reply
from core.text import shorten

log = logging.getLogger(__name__)

Exporter = Callable[[str, str], Awaitable[OutgoingFile]]
PAGE_SIZE = 10


class Assistant:
    """Checks access, parses commands, calls the memory and the conversation, and words the replies."""

    def __init__(
        self,
        memory: MemoryService,
        conversation: Conversation,
        access: AccessControl,
        llm: ChatModel,
        translate: Translator,
        *,
        exporter: Exporter | None = None,
    ) -> None:
        self.memory = memory
        self.conversation = conversation
        self.access = access
        self._llm = llm
        self._t = translate
        self._exporter = exporter

    def commands(self) -> list[CommandSpec]:
        """The commands to register with the platforms."""
        return list(COMMANDS)

    def text(self, lang: str | None, key: str, **params: object) -> str:
        """A translated message."""
        return self._t(lang, key, **params)

    def language(self, incoming: Incoming) -> str:
        """The language to answer in."""
        return normalise_language(incoming.language, self._t.default)

    async def handle(self, incoming: Incoming) -> Reply:
        """Answer one request; user errors become translated text, other failures a short apology."""
        lang = self.language(incoming)
        try:
            return await self._dispatch(incoming, lang)
        except UserError as error:
            return Reply(text=self._t(lang, error.key, **error.params))
        except Exception:
            log.exception("handling a %s request failed", incoming.platform)
            return Reply(text=self._t(lang, "error.generic"))

    async def _dispatch(self, incoming: Incoming, lang: str) -> Reply:
        command = ALIASES.get(incoming.command or "", incoming.command)
        if command == "start" and incoming.args.strip():
            return await self._pair(incoming, lang)
        if not await self.access.is_allowed(incoming.user):
            return Reply(text=self._t(lang, "access.denied", user=incoming.user))
        if incoming.attachments:
            return Reply(updates=guarded(self._ingest(incoming, lang), lang, self._t))
        if command is None or command == "talk":
            question = (incoming.args if command == "talk" else incoming.text).strip()
            if not question:
                return Reply(text=self._t(lang, "talk.empty"))
            return Reply(updates=guarded(self.conversation.answer(incoming, question, lang), lang, self._t))
        handler = getattr(self, f"_cmd_{command}", None)
        if handler is None:
            return Reply(text=self._t(lang, "unknown.command", name=command))
        return await handler(incoming, lang)

    async def _pair(self, incoming: Incoming, lang: str) -> Reply:
        if await self.access.pair(incoming.user, incoming.args):
            return Reply(text=self._t(lang, "access.paired", user=incoming.user))
        if await self.access.is_allowed(incoming.user):
            return Reply(text=self._t(lang, "start.welcome"))
        return Reply(
            text=self._t(lang, "access.bad_code") + "\n" + self._t(lang, "access.denied", user=incoming.user)
        )

    async def _cmd_start(self, incoming: Incoming, lang: str) -> Reply:
        return Reply(text=self._t(lang, "start.welcome"))

    async def _cmd_help(self, incoming: Incoming, lang: str) -> Reply:
        lines = [self._t(lang, "help.header")]
        for spec in COMMANDS:
            lines.append(f"• {spec.usage(lang)} — {spec.help.get(lang, spec.help['en'])}")
        lines.append(self._t(lang, "help.footer"))
        return Reply(text="\n".join(lines))

    async def _cmd_teach(self, incoming: Incoming, lang: str) -> Reply:
        if not incoming.args.strip():
            raise BadInput(key="teach.empty")
        memory = await self.memory.teach(incoming.scope, incoming.args, author=incoming.user)
        return Reply(text=self._t(lang, "teach.done", id=memory.id))

    async def _cmd_correct(self, incoming: Incoming, lang: str) -> Reply:
        wrong, right = parse_correction(incoming.args)
        result = await self.memory.correct(incoming.scope, wrong, right, author=incoming.user)
        lines = [self._t(lang, "correct.done", id=result.correction.id)]
        if result.superseded:
            lines.append(self._t(lang, "correct.superseded", ids=_ids(result.superseded)))
        if result.linked:
            lines.append(self._t(lang, "correct.linked", ids=_ids(result.linked)))
        if not result.superseded and not result.linked:
            lines.append(self._t(lang, "correct.nothing"))
        return Reply(text="\n".join(lines))

    async def _cmd_forget(self, incoming: Incoming, lang: str) -> Reply:
        memory, restored = await self.memory.forget(incoming.scope, parse_memory_id(incoming.args))
        lines = [self._t(lang, "forget.done", id=memory.id, text=shorten(memory.text))]
        if restored:
            lines.append(self._t(lang, "forget.restored", ids=", ".join(f"#{i}" for i in restored)))
        return Reply(text="\n".join(lines))

    async def _cmd_remember(self, incoming: Incoming, lang: str) -> Reply:
        query, page = parse_page(incoming.args)
        offset = (page - 1) * PAGE_SIZE
        memories, total = await self.memory.remember(
            incoming.scope, query or None, offset=offset, limit=PAGE_SIZE
        )
        if not memories:
            return Reply(text=self._t(lang, "remember.empty"), private=True)
        lines = [self._t(lang, "remember.header", first=offset + 1, last=offset + len(memories), total=total)]
        for m in memories:
            tags = f" [{', '.join(m.tags)}]" if m.tags else ""
            lines.append(f"#{m.id} · {m.kind.value} · {m.importance:.2f}{tags} — {shorten(m.text, 160)}")
        if offset + len(memories) < total:
            lines.append(self._t(lang, "remember.more", query=f"{query} " if query else "", page=page + 1))
        return Reply(text="\n".join(lines), private=True)

    async def _cmd_why(self, incoming: Incoming, lang: str) -> Reply:
        return Reply(text=await self.conversation.why(incoming, lang), private=True)

    async def _cmd_status(self, incoming: Incoming, lang: str) -> Reply:
        status = await self.memory.status(incoming.scope)
        model = await self.conversation.model_for(incoming.chat_key)
        reachable = await self._llm.is_reachable()
        kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(status.stats.by_kind.items())) or "—"
        lines = [
            self._t(lang, "status.header", scope=incoming.scope),
            self._t(lang, "status.kinds", total=status.stats.live, kinds=kinds),
            self._t(lang, "status.superseded", count=status.stats.superseded),
            self._t(lang, "status.documents", count=status.stats.documents),
            self._t(lang, "status.index", size=_human_size(status.index_bytes)),
            self._t(lang, "status.embedder", name=status.embedder),
            self._t(
                lang,
                "status.model",
                model=model,
                state=self._t(lang, "status.reachable" if reachable else "status.unreachable"),
            ),
            self._t(lang, "status.interactions", count=status.stats.interactions),
        ]
        return Reply(text="\n".join(lines), private=True)

    async def _cmd_model(self, incoming: Incoming, lang: str) -> Reply:
        wanted = incoming.args.strip()
        current = await self.conversation.model_for(incoming.chat_key)
        if not wanted:
            try:
                models = await self._llm.list_models()
            except UserError:
                return Reply(
                    text=self._t(lang, "model.current", model=current)
                    + "\n"
                    + self._t(lang, "model.unreachable")
                )
            return Reply(
                text=self._t(lang, "model.current", model=current)
                + "\n"
                + self._t(lang, "model.available", models=", ".join(models) or "—")
            )
        if incoming.is_group and not await self.access.is_admin(incoming.user):
            raise NotAllowed()
        models = await self._llm.list_models()
        if wanted not in models and f"{wanted}:latest" not in models:
            return Reply(text=self._t(lang, "error.model_missing", model=wanted))
        await self.memory.store.set_chat_model(incoming.chat_key, wanted)
        return Reply(text=self._t(lang, "model.set", model=wanted))

    async def _cmd_reset(self, incoming: Incoming, lang: str) -> Reply:
        await self.memory.store.reset_chat(incoming.chat_key)
        return Reply(text=self._t(lang, "reset.done"))

    async def _cmd_export(self, incoming: Incoming, lang: str) -> Reply:
        if self._exporter is None:
            return Reply(text=self._t(lang, "export.unavailable"))
        fmt = (incoming.args.strip() or "json").lower()
        if fmt not in ("json", "jsonl", "text"):
            raise BadInput(detail="export json|jsonl|text")
        exported = await self._exporter(incoming.scope, fmt)
        return Reply(text=exported.caption or exported.name, file=exported, private=True)

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
        """Progress lines for one file, ending with its outcome."""
        name = attachment.name
        try:
            check_supported(name)
            limit = self.memory.limits.max_upload_bytes
            if attachment.size is not None and attachment.size > limit:
                raise FileTooLarge(name=name, size=attachment.size, limit=limit)
            yield self._t(lang, "ingest.reading", name=name)
            data = await attachment.fetch()
            queue: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
            task = asyncio.create_task(
                self.memory.ingest(
                    incoming.scope,
                    name,
                    data,
                    author=incoming.user,
                    progress=lambda done, total: queue.put_nowait((done, total)),
                )
            )
            while not task.done():
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    done, total = getter.result()
                    yield self._t(lang, "ingest.progress", name=name, done=done, total=total)
                else:
                    getter.cancel()
            yield self._report(await task, lang)
        except UserError as error:
            yield self._t(lang, error.key, **{**error.params, "name": name})

    def _report(self, report: IngestReport, lang: str) -> str:
        """The final line for one ingested file."""
        if report.duplicate_of is not None:
            return self._t(lang, "ingest.duplicate", name=report.name, doc=report.duplicate_of)
        return self._t(lang, "ingest.done", name=report.name, count=report.count, doc=report.document_id)


def _ids(memories: list) -> str:
    """`#1, #2` with a short excerpt each."""
    return "; ".join(f"#{m.id} ({shorten(m.text, 60)})" for m in memories)


def _human_size(size: int) -> str:
    """Bytes as B, KB or MB."""
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"
