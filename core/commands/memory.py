"""Building the memory: teach, correct, list, forget, ingest."""

from __future__ import annotations

from core.commands.call import Call
from core.commands.declaration import argument, command
from core.commands.parsing import correction_target, parse_correction, parse_forget, parse_page
from core.errors import BadInput
from core.models import Memory, Reply
from core.text import shorten

PAGE_SIZE = 10


@command(
    "teach",
    "Remember a fact",
    "Retenir un fait",
    argument("text", "TEXT", "TEXTE", "The fact to remember", "Le fait à retenir"),
    names={"fr": "apprends"},
    aliases=("retiens",),
    spoken=("teach", "enseigne", "retiens", "apprends"),
)
async def teach(call: Call) -> Reply:
    """Store a fact at teaching importance and give its number."""
    if not call.args.strip():
        raise BadInput(key="teach.empty")
    memory = await call.services.memory.teaching.teach(call.incoming.scope, call.args, author=call.incoming.user)
    return Reply(text=call.say("teach.done", id=memory.number))


@command(
    "correct",
    "Correct something I got wrong",
    "Corriger une erreur",
    argument("wrong", "WRONG", "FAUX", "What is wrong", "Ce qui est faux"),
    argument("right", "RIGHT", "JUSTE", "What is right", "Ce qui est juste"),
    names={"fr": "corrige"},
    separator=" -> ",
    spoken=("correct", "corrige"),
)
async def correct(call: Call) -> Reply:
    """Store RIGHT as a correction and say which memories it replaced or now accompanies."""
    wrong, right = parse_correction(call.args)
    incoming = call.incoming
    result = await call.services.memory.corrections.correct(
        incoming.scope, wrong, right, author=incoming.user, target=correction_target(wrong)
    )
    lines = [call.say("correct.done", id=result.correction.number)]
    if result.superseded:
        lines.append(call.say("correct.superseded", ids=_listed(result.superseded)))
    if result.linked:
        lines.append(call.say("correct.linked", ids=_listed(result.linked)))
    if not result.superseded and not result.linked:
        lines.append(call.say("correct.nothing"))
        if result.candidates:
            lines.append(call.say("correct.candidates"))
            lines += [f"  #{m.number} {shorten(m.text)}" for m in result.candidates]
            lines.append(call.say("correct.by_id", id=result.candidates[0].number))
    return Reply(text="\n".join(lines))


@command(
    "remember",
    "List memories (or those matching QUERY)",
    "Lister les souvenirs (ou ceux liés à REQUÊTE)",
    argument("text", "QUERY", "REQUÊTE", "Words to look for", "Mots à chercher", required=False),
    argument("page", "page N", "page N", "Page number", "Numéro de page", required=False, template="page {}"),
    names={"fr": "souvenirs"},
    aliases=("search",),
    lists_memory=True,
    spoken=("remember",),
)
async def remember(call: Call) -> Reply:
    """One page of the memories (those matching the query, when one is given)."""
    query, page = parse_page(call.args)
    offset = (page - 1) * PAGE_SIZE
    memories, total = await call.services.memory.reading.remember(
        call.incoming.scope, query or None, offset=offset, limit=PAGE_SIZE
    )
    if not memories:
        return Reply(text=call.say("remember.nothing_matches" if total else "remember.empty"))
    last = offset + len(memories)
    lines = [call.say("remember.header", first=offset + 1, last=last, count=total, total=total)]
    for m in memories:
        tags = f" [{', '.join(m.tags)}]" if m.tags else ""
        kind = call.say(f"kind.{m.kind.value}")
        text = shorten(m.text, 160)
        lines.append(call.say("remember.line", id=m.number, kind=kind, importance=m.importance, tags=tags, text=text))
    if last < total:
        more = f"{query} " if query else ""
        lines.append(call.say("remember.more", query=more, page=page + 1))
    return Reply(text="\n".join(lines))


async def forget_question(call: Call) -> Reply:
    """Said aloud: which memory or document would go, asked before anything is deleted."""
    is_document, number = parse_forget(call.args)
    return Reply(text=call.say("forget.confirm_document" if is_document else "forget.confirm", id=number))


@command(
    "forget",
    "Delete one memory, or a whole document",
    "Effacer un souvenir, ou tout un document",
    argument("id", "N | doc N", "N | doc N", "#N of a memory, or doc N", "le numéro d’un souvenir, ou doc N"),
    names={"fr": "oublie"},
    spoken=("forget", "oublie"),
    destructive=True,
    question=forget_question,
)
async def forget(call: Call) -> Reply:
    """Delete one memory (what it had replaced comes back) or every chunk of one document."""
    is_document, number = parse_forget(call.args)
    memory = call.services.memory
    if is_document:
        document, count = await memory.forgetting.forget_document(call.incoming.scope, number)
        return Reply(text=call.say("forget.document", doc=number, name=document.name, count=count))
    forgotten, restored = await memory.forgetting.forget_number(call.incoming.scope, number)
    lines = [call.say("forget.done", id=forgotten.number, text=shorten(forgotten.text))]
    if restored:
        lines.append(call.say("forget.restored", ids=", ".join(f"#{m.number}" for m in restored)))
    return Reply(text="\n".join(lines))


@command(
    "ingest",
    "Add a file, a photo of a page or a link's article to the memory",
    "Ajouter un fichier, la photo d’une page ou l’article d’un lien à la mémoire",
    argument(
        "file",
        "FILE",
        "FICHIER",
        "txt, md, json, csv, pdf, docx or a photo",
        "txt, md, json, csv, pdf, docx ou une photo",
        required=False,
        file=True,
    ),
    argument("url", "URL", "URL", "A link to an article", "Un lien vers un article", required=False),
    names={"fr": "ajoute"},
    takes_files=True,
)
async def ingest(call: Call) -> Reply:
    """Reached without a file or a link (the intake takes those): say how to use it."""
    raise BadInput(key="ingest.link_usage")


def _listed(memories: list[Memory]) -> str:
    """`#1 (excerpt); #2 (excerpt)`."""
    return "; ".join(f"#{m.number} ({shorten(m.text, 60)})" for m in memories)
