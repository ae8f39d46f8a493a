"""The command table (names, arguments, help in French and English) and argument parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import BadInput


@dataclass(frozen=True)
class CommandSpec:
    """A command users can send; `help` maps a language to its one-line description."""

    name: str
    args: str
    help: dict[str, str]
    args_fr: str | None = None

    def usage(self, lang: str) -> str:
        """`name ARGS` with the argument placeholders in `lang`."""
        args = self.args_fr if lang == "fr" and self.args_fr is not None else self.args
        return f"{self.name} {args}".strip()


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "start",
        "[CODE]",
        {
            "en": "Start; with a pairing code, become the owner",
            "fr": "Démarrer ; avec un code d'appairage, devenir propriétaire",
        },
    ),
    CommandSpec("help", "", {"en": "What I can do", "fr": "Ce que je sais faire"}),
    CommandSpec("teach", "TEXT", {"en": "Remember a fact", "fr": "Retenir un fait"}, "TEXTE"),
    CommandSpec(
        "correct",
        "WRONG | RIGHT",
        {"en": "Correct something I got wrong", "fr": "Corriger une erreur"},
        "FAUX | JUSTE",
    ),
    CommandSpec(
        "remember",
        "[QUERY] [page N]",
        {
            "en": "List memories (or those matching QUERY)",
            "fr": "Lister les souvenirs (ou ceux liés à REQUÊTE)",
        },
        "[REQUÊTE] [page N]",
    ),
    CommandSpec("forget", "ID", {"en": "Delete one memory", "fr": "Effacer un souvenir"}, "N°"),
    CommandSpec(
        "why",
        "",
        {
            "en": "Which memories my last answer used",
            "fr": "Sur quels souvenirs s'appuyait ma dernière réponse",
        },
    ),
    CommandSpec("status", "", {"en": "Memory and model status", "fr": "État de la mémoire et du modèle"}),
    CommandSpec(
        "export",
        "[json|jsonl|text]",
        {"en": "Export this chat's memory as a file", "fr": "Exporter la mémoire de cette discussion"},
    ),
    CommandSpec(
        "model",
        "[NAME]",
        {
            "en": "Show or switch the model of this chat",
            "fr": "Voir ou changer le modèle de cette discussion",
        },
        "[NOM]",
    ),
    CommandSpec(
        "reset",
        "",
        {
            "en": "Clear the short-term conversation (memories are kept)",
            "fr": "Effacer la conversation récente (les souvenirs restent)",
        },
    ),
)

ALIASES = {"pair": "start", "talk": "talk", "ask": "talk", "aide": "help", "search": "remember"}
_PAGE = re.compile(r"(?:^|\s)page\s+(\d+)\s*$", re.IGNORECASE)
_ID = re.compile(r"^#?(\d+)$")


def parse_correction(args: str) -> tuple[str, str]:
    """`WRONG | RIGHT` → (wrong, right)."""
    wrong, bar, right = args.partition("|")
    if not bar or not wrong.strip() or not right.strip():
        raise BadInput(key="correct.usage")
    return wrong.strip(), right.strip()


def parse_memory_id(args: str) -> int:
    """`12` or `#12` → 12."""
    match = _ID.match(args.strip())
    if not match:
        raise BadInput(key="forget.usage")
    return int(match.group(1))


def parse_page(args: str) -> tuple[str, int]:
    """`QUERY page N` → (query, N); page defaults to 1."""
    match = _PAGE.search(args)
    if not match:
        return args.strip(), 1
    return args[: match.start()].strip(), max(1, int(match.group(1)))


def split_command(text: str, prefixes: str = "/!") -> tuple[str | None, str]:
    """`/teach@bot hello` → ("teach", "hello"); plain text → (None, text)."""
    stripped = text.strip()
    if not stripped or stripped[0] not in prefixes:
        return None, stripped
    head, _, rest = stripped[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return (name or None), rest.strip()
