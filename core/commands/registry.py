"""The registry: the declared commands, found by any of their words, typed or spoken."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from types import ModuleType

from core.capture.phrasings import parse_phrasing
from core.commands.declaration import Command

PLATFORM_PREFIXES = {"Telegram, Discord": "/", "Matrix": "!", "Console": ""}


def folded(word: str) -> str:
    """`État` → `etat`: how a command word is compared (people type without accents on a phone)."""
    decomposed = unicodedata.normalize("NFKD", word.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Registry:
    """The declared commands, in the order help and menus show them."""

    commands: tuple[Command, ...]
    _by_word: dict[str, Command] = field(init=False, repr=False, compare=False)
    _by_spoken: dict[str, Command] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words: dict[str, Command] = {}
        for command in self.commands:
            for word in command.words():
                if words.setdefault(folded(word), command) is not command:
                    raise ValueError(f"two commands answer to {word!r}")
        object.__setattr__(self, "_by_word", words)
        object.__setattr__(self, "_by_spoken", {folded(w): c for c in self.commands for w in c.spoken})

    @classmethod
    def of_modules(cls, *modules: ModuleType) -> Registry:
        """Every command declared in `modules`, in module order then declaration order."""
        return cls(tuple(v for m in modules for v in vars(m).values() if isinstance(v, Command)))

    def find(self, word: str | None) -> Command | None:
        """The command called `word` (a name, a localized name or an alias, accents optional), or None."""
        return self._by_word.get(folded(word or ""))

    def closest(self, word: str) -> Command | None:
        """The command a misspelt `word` most likely meant (`aprends` → teach), or None when none is close."""
        found = difflib.get_close_matches(folded(word), list(self._by_word), n=1, cutoff=0.75)
        return self._by_word[found[0]] if found else None

    def heard(self, word: str) -> Command | None:
        """The command a spoken `word` starts (its spoken words, else any of its names), or None."""
        key = folded(word)
        return self._by_spoken.get(key) or self._by_word.get(key)

    def hot_words(self) -> str:
        """The words that start a spoken command, as speech-recognition hot words."""
        return ", ".join(w for c in self.commands for w in c.spoken)

    @property
    def plain_text(self) -> Command:
        """The command that plain messages (no command word) go to."""
        return next(c for c in self.commands if c.plain_text)

    def words(self) -> set[str]:
        """Every name and alias."""
        return {w.lower() for c in self.commands for w in c.words()}

    def split(self, text: str, prefix: str) -> tuple[str | None, str]:
        """`/teach X` → ("teach", "X") with the platform's `prefix`; anything else → (None, text).

        Without a prefix (the console), a known command word at the start is a command, and so is any
        word written `/word` or `!word` (an unknown one then gets a suggestion, not an answer); not when
        the whole line is an explicit phrasing ("remember that…", "note que…").
        """
        stripped = text.strip()
        if not prefix and parse_phrasing(stripped) is not None:
            return None, stripped
        if prefix:
            if not stripped.startswith(prefix):
                return None, stripped
            stripped = stripped[len(prefix) :]
        marked = not prefix and stripped[:1] in ("/", "!")
        if not prefix:
            stripped = stripped.lstrip("/!")
        parts = stripped.split(maxsplit=1)
        word = parts[0].lower() if parts else ""
        rest = parts[1] if len(parts) > 1 else ""
        if not prefix and not marked and self.find(word) is None:
            return None, text.strip()
        return (word or None), rest.strip()

    def markdown_table(self) -> str:
        """The command table of docs/commands.md: each command in each platform's syntax, help in en and fr."""
        head = [*PLATFORM_PREFIXES, "What it does", "Ce que ça fait"]
        rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for command in self.commands:
            usages = [f"`{command.usage('en', p)}`".replace("|", "\\|") for p in PLATFORM_PREFIXES.values()]
            helps = [command.describe("en"), command.describe("fr")]
            others = [*command.names.values(), *command.aliases]
            if others:
                helps[0] += f" (also: {', '.join(others)})"
                helps[1] += f" (aussi : {', '.join(others)})"
            rows.append("| " + " | ".join([*usages, *helps]) + " |")
        return "\n".join(rows)
