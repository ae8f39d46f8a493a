"""Getting started: what the bot can do, and talking to it."""

from __future__ import annotations

from core.capture.service import REACTION
from core.commands.call import Call
from core.commands.declaration import argument, command
from core.errors import DiskFull
from core.models import Reply


@command("help", "What I can do", "Ce que je sais faire", names={"fr": "aide"}, setting=True)
async def show_help(call: Call) -> Reply:
    """Every command's usage and help, in the chat's language and the platform's syntax: the everyday
    commands first, then settings and occasional ones."""
    prefix = call.incoming.prefix
    lines = [call.say("help.header")]
    for setting, heading in ((False, "help.everyday"), (True, "help.settings")):
        lines.append(call.say(heading))
        for declared in call.services.registry.commands:
            if declared.setting == setting:
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
    names={"fr": "question"},
    aliases=("ask",),
    plain_text=True,
)
async def talk(call: Call) -> Reply:
    """An answer from the memories and the model, streamed; what the user says may be remembered.

    First an answer to a question asked in this chat ("oui", "non", a number), then an explicit
    phrasing ("retiens que…", "en fait…", "oublie ce que je t'ai dit sur…") carried out instead of
    the model's answer; otherwise the model answers and, once the exchange is logged, a statement
    becomes a memory of its own, acknowledged by a reaction on the message (or a short line).
    """
    question = call.args.strip()
    if not question:
        return Reply(text=call.say("talk.empty"))
    capture, incoming = call.services.capture, call.incoming
    if capture is not None:
        answered = await capture.answer_pending(incoming, question, call.lang)
        if answered is not None:
            return answered
        said = await capture.explicit(incoming, question, call.lang)
        if said is not None:
            return Reply(text=said.text)
    reply = Reply()

    async def remember(interaction_id: int | None) -> None:
        try:
            memory = await capture.after_answer(incoming, question, interaction_id) if capture else None
        except DiskFull:  # a statement to remember, on a full disk: the answer stands, and says so
            reply.acknowledgement.line = call.say("error.disk_full")
            return
        if memory is not None:  # mutated, not replaced: a voice note's copy of the reply shares it
            reply.acknowledgement.emoji = REACTION
            reply.acknowledgement.line = capture.noted_line(incoming, call.lang, memory)

    reply.updates = call.services.conversation.answer(incoming, question, call.lang, after=remember)
    return reply
