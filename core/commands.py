"""The declared commands: one registry from which dispatch, help, menus and slash commands are generated."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.errors import BadInput

Text = dict[str, str]
"""A text in each supported language: {"en": ..., "fr": ...}."""


@dataclass(frozen=True)
class Argument:
    """One argument of a command: `key` names it where platforms name options (Discord)."""

    key: str
    placeholder: Text
    help: Text
    required: bool = True
    file: bool = False
    template: str = "{}"
    """How an option's value reads in the command's text (`page {}`)."""

    def shown(self, lang: str) -> str:
        """`TEXT`, or `[TEXT]` when optional, in `lang`."""
        word = pick(self.placeholder, lang)
        return word if self.required else f"[{word}]"


@dataclass(frozen=True)
class Command:
    """A command users can send, declared once for every platform."""

    name: str
    help: Text
    arguments: tuple[Argument, ...] = ()
    aliases: tuple[str, ...] = ()
    lists_memory: bool = False
    """Its reply shows memory contents: shown to the caller only where the platform can, in groups."""
    admin_in_groups: bool = False
    """Changing something with it in a group needs an admin (showing does not)."""
    separator: str = " "
    """What joins the arguments in its text (`correct WRONG | RIGHT`)."""

    def usage(self, lang: str, prefix: str) -> str:
        """`/teach TEXT` in the platform's syntax and the language's placeholders."""
        words = self.separator.join(a.shown(lang) for a in self.arguments)
        return f"{prefix}{self.name} {words}".strip()

    def describe(self, lang: str) -> str:
        """The one-line help in `lang`."""
        return pick(self.help, lang)

    def text_of(self, values: dict[str, str]) -> str:
        """The argument text from named option values (a Discord slash command's options)."""
        parts = [a.template.format(values[a.key]) for a in self.arguments if values.get(a.key) and not a.file]
        return self.separator.join(parts)


def pick(text: Text, lang: str) -> str:
    """`text` in `lang`, else English."""
    return text.get(lang) or text["en"]


def _arg(key: str, en: str, fr: str, help_en: str, help_fr: str, **options: object) -> Argument:
    return Argument(key, {"en": en, "fr": fr}, {"en": help_en, "fr": help_fr}, **options)


_TEXT = _arg("text", "TEXT", "TEXTE", "The text", "Le texte")

COMMANDS: tuple[Command, ...] = (
    Command("help", {"en": "What I can do", "fr": "Ce que je sais faire"}, aliases=("aide",)),
    Command(
        "talk",
        {"en": "Ask me something (plain text works too)", "fr": "Me demander quelque chose (un texte simple suffit)"},
        (_arg("text", "QUESTION", "QUESTION", "Your question", "Votre question"),),
        aliases=("ask",),
    ),
    Command(
        "teach",
        {"en": "Remember a fact", "fr": "Retenir un fait"},
        (_arg("text", "TEXT", "TEXTE", "The fact to remember", "Le fait à retenir"),),
    ),
    Command(
        "correct",
        {"en": "Correct something I got wrong", "fr": "Corriger une erreur"},
        (
            _arg("wrong", "WRONG", "FAUX", "What is wrong", "Ce qui est faux"),
            _arg("right", "RIGHT", "JUSTE", "What is right", "Ce qui est juste"),
        ),
        separator=" | ",
    ),
    Command(
        "remember",
        {"en": "List memories (or those matching QUERY)", "fr": "Lister les souvenirs (ou ceux liés à REQUÊTE)"},
        (
            _arg("text", "QUERY", "REQUÊTE", "Words to look for", "Mots à chercher", required=False),
            _arg("page", "page N", "page N", "Page number", "Numéro de page", required=False, template="page {}"),
        ),
        aliases=("search",),
        lists_memory=True,
    ),
    Command(
        "forget",
        {"en": "Delete one memory, or a whole document", "fr": "Effacer un souvenir, ou tout un document"},
        (_arg("id", "N | doc N", "N | doc N", "#N of a memory, or doc N", "n° d'un souvenir, ou doc N"),),
    ),
    Command(
        "ingest",
        {
            "en": "Add a file, a photo of a page or a link's article to the memory",
            "fr": "Ajouter un fichier, la photo d'une page ou l'article d'un lien à la mémoire",
        },
        (
            _arg(
                "file",
                "FILE",
                "FICHIER",
                "txt, md, json, csv, pdf, docx or a photo",
                "txt, md, json, csv, pdf, docx ou une photo",
                required=False,
                file=True,
            ),
            _arg("url", "URL", "URL", "A link to an article", "Un lien vers un article", required=False),
        ),
    ),
    Command(
        "why",
        {"en": "Which memories my last answer used", "fr": "Sur quels souvenirs s'appuyait ma dernière réponse"},
        lists_memory=True,
    ),
    Command(
        "status",
        {"en": "Memory and model status", "fr": "État de la mémoire et du modèle"},
        lists_memory=True,
    ),
    Command(
        "export",
        {"en": "Export this chat's memory as a file", "fr": "Exporter la mémoire de cette discussion"},
        (_arg("format", "json|jsonl|text", "json|jsonl|text", "File format", "Format du fichier", required=False),),
        lists_memory=True,
    ),
    Command(
        "model",
        {"en": "Show or switch the model of this chat", "fr": "Voir ou changer le modèle de cette discussion"},
        (_arg("name", "NAME", "NOM", "An Ollama model", "Un modèle Ollama", required=False),),
        admin_in_groups=True,
    ),
    Command(
        "language",
        {"en": "Show or choose the language of this chat", "fr": "Voir ou choisir la langue de cette discussion"},
        (_arg("language", "fr|en", "fr|en", "fr or en", "fr ou en", required=False),),
        aliases=("langue",),
        admin_in_groups=True,
    ),
    Command(
        "reset",
        {"en": "Clear the short-term conversation (memories are kept)", "fr": "Effacer la conversation récente (les souvenirs restent)"},
    ),
    Command(
        "start",
        {"en": "Start; with a pairing code, become the owner", "fr": "Démarrer ; avec un code d'appairage, devenir propriétaire"},
        (_arg("code", "CODE", "CODE", "The pairing code", "Le code d'appairage", required=False),),
        aliases=("pair",),
    ),
)


@dataclass(frozen=True)
class Registry:
    """The declared commands, found by name or alias."""

    commands: tuple[Command, ...] = COMMANDS
    _by_word: dict[str, Command] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words = {word: c for c in self.commands for word in (c.name, *c.aliases)}
        object.__setattr__(self, "_by_word", words)

    def find(self, word: str | None) -> Command | None:
        """The command called `word` (a name or an alias), or None."""
        return self._by_word.get((word or "").lower())

    def words(self) -> set[str]:
        """Every name and alias."""
        return set(self._by_word)

    def split(self, text: str, prefix: str) -> tuple[str | None, str]:
        """`/teach X` → ("teach", "X") with the platform's `prefix`; anything else → (None, text).

        Without a prefix (the console), only a known command word at the start is a command.
        """
        stripped = text.strip()
        if prefix:
            if not stripped.startswith(prefix):
                return None, stripped
            stripped = stripped[len(prefix) :]
        else:
            stripped = stripped.lstrip("/!")
        parts = stripped.split(maxsplit=1)
        word = parts[0].lower() if parts else ""
        rest = parts[1] if len(parts) > 1 else ""
        if not prefix and self.find(word) is None:
            return None, text.strip()
        return (word or None), rest.strip()


REGISTRY = Registry()
PLATFORM_PREFIXES = {"Telegram, Discord": "/", "Matrix": "!", "Console": ""}


def markdown_table(registry: Registry = REGISTRY) -> str:
    """The command table of docs/commands.md: each command in each platform's syntax, help in en and fr."""
    head = [*PLATFORM_PREFIXES, "What it does", "Ce que ça fait"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for command in registry.commands:
        usages = [f"`{command.usage('en', prefix)}`".replace("|", "\\|") for prefix in PLATFORM_PREFIXES.values()]
        helps = [command.describe("en"), command.describe("fr")]
        if command.aliases:
            helps[0] += f" (also: {', '.join(command.aliases)})"
            helps[1] += f" (aussi : {', '.join(command.aliases)})"
        rows.append("| " + " | ".join([*usages, *helps]) + " |")
    return "\n".join(rows)
_PAGE = re.compile(r"(?:^|\s)page\s+(\d+)\s*$", re.IGNORECASE)
_MEMORY = re.compile(r"^#?(\d+)$")
_DOCUMENT = re.compile(r"^#?doc(?:ument)?\s*#?(\d+)$", re.IGNORECASE)


def parse_correction(args: str) -> tuple[str, str]:
    """`WRONG | RIGHT` → (wrong, right)."""
    wrong, bar, right = args.partition("|")
    if not bar or not wrong.strip() or not right.strip():
        raise BadInput(key="correct.usage")
    return wrong.strip(), right.strip()


def parse_forget(args: str) -> tuple[bool, int]:
    """`12` or `#12` → (False, 12); `doc 3` → (True, 3)."""
    text = args.strip()
    if match := _MEMORY.match(text):
        return False, int(match.group(1))
    if match := _DOCUMENT.match(text):
        return True, int(match.group(1))
    raise BadInput(key="forget.usage")


def correction_target(wrong: str) -> int | None:
    """The memory number a correction names (`#12`, as remember shows it), or None when WRONG is text."""
    match = re.fullmatch(r"#(\d+)", wrong.strip())
    return int(match.group(1)) if match else None


def parse_page(args: str) -> tuple[str, int]:
    """`QUERY page N` → (query, N); page defaults to 1."""
    match = _PAGE.search(args)
    if not match:
        return args.strip(), 1
    return args[: match.start()].strip(), max(1, int(match.group(1)))
