"""Looking into the memory: the sources of the last answer, the state of things, an export."""

from __future__ import annotations

import time
from dataclasses import replace

from core.commands.call import Call
from core.commands.declaration import argument, command
from core.errors import BadInput
from core.models import Reply

EXPORT_FORMATS = ("json", "jsonl", "text")
FORMAT_WORDS = {"texte": "text", "txt": "text"}
"""Other words for a format, as French speakers and file names write them."""


@command(
    "why",
    "Which memories my last answer used",
    "Sur quels souvenirs s’appuyait ma dernière réponse",
    names={"fr": "pourquoi"},
    lists_memory=True,
)
async def why(call: Call) -> Reply:
    """The memories behind the last answer in this chat."""
    return Reply(text=await call.services.conversation.why(call.incoming, call.lang))


@command(
    "status",
    "Memory and model status",
    "État de la mémoire et du modèle",
    names={"fr": "etat"},
    lists_memory=True,
    setting=True,
)
async def status(call: Call) -> Reply:
    """Counts, sizes, the embedder and whether the model answers."""
    services, incoming = call.services, call.incoming
    state = await services.memory.reading.status(incoming.scope)
    model = await services.conversation.model_for(incoming.chat_key)
    reachable = await services.llm.is_reachable()
    counts = sorted(state.stats.by_kind.items())
    kinds = ", ".join(call.say(f"count.{kind}", count=count) for kind, count in counts) or "—"
    answering = call.say("status.reachable" if reachable else "status.unreachable")
    lines = [
        call.say("status.header_group" if incoming.is_group else "status.header"),
        call.say("status.kinds", total=state.stats.live, kinds=kinds),
        call.say("status.superseded", count=state.stats.superseded),
        call.say("status.documents", count=state.stats.documents),
        call.say("status.index", size=state.index_bytes),
        call.say("status.model", model=model, state=answering),
        call.say("status.interactions", count=state.stats.interactions),
    ]
    if await _is_admin(call):
        lines.insert(5, call.say("status.embedder", name=state.embedder))  # for admins: which search model runs
    lines += await _disk_lines(call)
    lines += await _queue_lines(call)
    return Reply(text="\n".join(lines))


async def _queue_lines(call: Call) -> list[str]:
    """For admins: the questions waiting for the model and each model server's load."""
    if not await _is_admin(call):
        return []
    return call.services.conversation.queue_lines(call.lang)


async def _is_admin(call: Call) -> bool:
    """Whether the caller may read the details meant for the people who run Souvenir."""
    membership = call.services.membership
    return membership is not None and await membership.access.is_admin(call.incoming.user)


async def _disk_lines(call: Call) -> list[str]:
    """For admins: writes refused for lack of space, and free space under the warning threshold."""
    services = call.services
    if services.disk is None or services.membership is None:
        return []
    if not await services.membership.access.is_admin(call.incoming.user):
        return []
    lines = []
    full_since = services.memory.store.database.full_since
    if full_since is not None:
        lines.append(call.say("status.disk_full", since=_clock(full_since, call.lang)))
    free = services.disk.free()
    if free is not None and free < services.disk.warn_below:
        lines.append(call.say("status.disk_low", free=free, threshold=services.disk.warn_below))
    return lines


def _clock(moment: float, lang: str) -> str:
    """The local time of `moment`: `14 h 05` in French, `14:05` in English."""
    local = time.localtime(moment)
    return f"{local.tm_hour}\u00a0h\u00a0{local.tm_min:02d}" if lang == "fr" else f"{local.tm_hour:02d}:{local.tm_min:02d}"


@command(
    "export",
    "Export this chat's memory as a file",
    "Exporter la mémoire de cette discussion",
    argument("format", "json|jsonl|text", "json|jsonl|texte", "File format", "Format du fichier", required=False),
    names={"fr": "exporte"},
    lists_memory=True,
    setting=True,
)
async def export(call: Call) -> Reply:
    """This scope's memory as a file in the asked format."""
    exporter = call.services.exporter
    if exporter is None:
        return Reply(text=call.say("export.unavailable"))
    fmt = (call.args.strip() or "json").lower()
    fmt = FORMAT_WORDS.get(fmt, fmt)
    if fmt not in EXPORT_FORMATS:
        raise BadInput(key="error.export_format")
    exported = await exporter(call.incoming.scope, fmt)
    caption = call.say("export.caption", name=exported.name, count=exported.memories, size=len(exported.data))
    return Reply(text=caption, file=replace(exported, caption=caption))
