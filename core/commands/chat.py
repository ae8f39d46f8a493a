"""This chat's settings (model, language, recent turns) and the first contact."""

from __future__ import annotations

from core.capture.service import MemoryMode
from core.commands.call import Call
from core.commands.declaration import argument, command
from core.commands.registry import folded
from core.errors import BadInput, UserError
from core.i18n import SUPPORTED
from core.models import Reply


@command(
    "model",
    "Show or switch the model of this chat",
    "Voir ou changer le modèle de cette discussion",
    argument("name", "NAME", "NOM", "An Ollama model", "Un modèle de langage installé", required=False),
    names={"fr": "modele"},
    admin_in_groups=True,
    setting=True,
)
async def model(call: Call) -> Reply:
    """The chat's model and those available, or switch to another one."""
    conversation, llm, chat = call.services.conversation, call.services.llm, call.incoming.chat_key
    wanted = call.args.strip()
    current = call.say("model.current", model=await conversation.model_for(chat))
    if not wanted:
        try:
            models = await llm.list_models()
        except UserError:
            return Reply(text=current + "\n" + call.say("model.unreachable"))
        return Reply(text=current + "\n" + call.say("model.available", models=", ".join(models) or "—"))
    models = await llm.list_models()
    if wanted not in models and f"{wanted}:latest" not in models:
        return Reply(text=call.say("error.model_missing", model=wanted))
    await conversation.set_model(chat, wanted)
    return Reply(text=call.say("model.set", model=wanted))


@command(
    "language",
    "Show or choose the language of this chat",
    "Voir ou choisir la langue de cette discussion",
    argument("language", "fr|en", "fr|en", "fr or en", "fr ou en", required=False),
    names={"fr": "langue"},
    admin_in_groups=True,
    setting=True,
)
async def language(call: Call) -> Reply:
    """The chat's language, or choose another (answered in the new one)."""
    wanted = call.args.strip().lower()
    if not wanted:
        return Reply(text=call.say("language.current"))
    if wanted not in SUPPORTED:
        raise BadInput(key="language.usage")
    await call.services.conversation.set_language(call.incoming.chat_key, wanted)
    return Reply(text=call.say("language.set", lang=wanted))


@command(
    "reset",
    "Clear the short-term conversation (memories are kept)",
    "Effacer la conversation récente (les souvenirs restent)",
    names={"fr": "efface"},
    destructive=True,
    setting=True,
)
async def reset(call: Call) -> Reply:
    """Forget this chat's recent turns; memories stay."""
    await call.services.conversation.reset(call.incoming.chat_key)
    return Reply(text=call.say("reset.done"))


@command(
    "start",
    "Start; with a code, become the owner (pairing) or join (invitation)",
    "Démarrer ; avec un code, devenir propriétaire (code affiché au lancement) ou entrer (invitation)",
    argument("code", "CODE", "CODE", "A pairing or invitation code", "Le code affiché au lancement, ou d’invitation", required=False),
    names={"fr": "demarre"},
    aliases=("pair",),
    pairs=True,
    setting=True,
)
async def start(call: Call) -> Reply:
    """The welcome (a code is tried by the router through core.membership, before access is checked)."""
    return Reply(text=call.say("start.welcome"))


_MODES = {
    "auto": MemoryMode.AUTO,
    "automatique": MemoryMode.AUTO,
    "on": MemoryMode.AUTO,
    "oui": MemoryMode.AUTO,
    "explicit": MemoryMode.EXPLICIT,
    "explicite": MemoryMode.EXPLICIT,
    "manuel": MemoryMode.EXPLICIT,
    "manual": MemoryMode.EXPLICIT,
    "off": MemoryMode.OFF,
    "non": MemoryMode.OFF,
    "no": MemoryMode.OFF,
    "aucun": MemoryMode.OFF,
    "rien": MemoryMode.OFF,
    "desactive": MemoryMode.OFF,
    "none": MemoryMode.OFF,
}


@command(
    "memory",
    "Show or choose what I remember of our conversation here",
    "Voir ou choisir ce que je retiens de nos conversations ici",
    argument(
        "mode",
        "auto|explicit|off",
        "auto|explicite|non",
        "auto, explicit or off",
        "auto, explicite ou non",
        required=False,
    ),
    names={"fr": "memoire"},
    admin_in_groups=True,
    setting=True,
)
async def memory_mode(call: Call) -> Reply:
    """This chat's memory from conversation: `auto` (direct chats), `explicit` (groups) or `off`."""
    capture = call.services.capture
    if capture is None:
        raise BadInput(key="memory.usage")
    wanted = call.args.strip()
    if not wanted:
        mode = await capture.mode(call.incoming)
        return Reply(
            text=call.say(
                "memory.current",
                mode=call.say(f"memory.mode.{mode}"),
                explained=call.say(f"memory.explained.{mode}"),
            )
        )
    mode = _MODES.get(folded(wanted))
    if mode is None:
        raise BadInput(key="memory.usage")
    await capture.set_mode(call.incoming.chat_key, mode)
    return Reply(
        text=call.say(
            "memory.set", mode=call.say(f"memory.mode.{mode}"), explained=call.say(f"memory.explained.{mode}")
        )
    )
