"""Getting started: what the bot can do, and talking to it."""

from __future__ import annotations

from core.commands.call import Call
from core.commands.declaration import argument, command
from core.models import Reply


@command("help", "What I can do", "Ce que je sais faire", aliases=("aide",))
async def show_help(call: Call) -> Reply:
    """Every command's usage and help, in the chat's language and the platform's syntax."""
    prefix = call.incoming.prefix
    lines = [call.say("help.header")]
    for declared in call.services.registry.commands:
        lines.append(f"• {declared.usage(call.lang, prefix)} — {declared.describe(call.lang)}")
    lines.append(call.say("help.footer"))
    if call.incoming.is_group:
        lines.append(call.say("help.group"))
    return Reply(text="\n".join(lines))


@command(
    "talk",
    "Ask me something (plain text works too)",
    "Me demander quelque chose (un texte simple suffit)",
    argument("text", "QUESTION", "QUESTION", "Your question", "Votre question"),
    aliases=("ask",),
    plain_text=True,
)
async def talk(call: Call) -> Reply:
    """An answer from the memories and the model, streamed."""
    question = call.args.strip()
    if not question:
        return Reply(text=call.say("talk.empty"))
    return Reply(updates=call.services.conversation.answer(call.incoming, question, call.lang))
