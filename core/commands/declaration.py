"""How a command is declared: its handler with everything platforms and the router need to know about it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.commands.call import Call
    from core.models import Reply

Text = dict[str, str]
"""A text in each supported language: {"en": ..., "fr": ...}."""
Handler = Callable[["Call"], Awaitable["Reply"]]


def pick(text: Text, lang: str) -> str:
    """`text` in `lang`, else English."""
    return text.get(lang) or text["en"]


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


def argument(key: str, en: str, fr: str, help_en: str, help_fr: str, **options: object) -> Argument:
    """An argument with its placeholder and help in English and French."""
    return Argument(key, {"en": en, "fr": fr}, {"en": help_en, "fr": help_fr}, **options)


@dataclass(frozen=True, eq=False)
class Command:
    """A command users can send, declared once for every platform, with the handler that runs it."""

    name: str
    """Its English name: the one every platform accepts, and the key of its messages."""
    help: Text
    handler: Handler
    arguments: tuple[Argument, ...] = ()
    aliases: tuple[str, ...] = ()
    """Other words typed for it, in any language (found with or without accents)."""
    names: Text = field(default_factory=dict)
    """The name published per language where it differs from `name` (menus, slash commands)."""
    spoken: tuple[str, ...] = ()
    """Words that start it in a voice note; an empty tuple: it cannot be spoken."""
    lists_memory: bool = False
    """Its reply shows memory contents: shown to the caller only where the platform can, in groups."""
    admin_in_groups: bool = False
    """Changing something with it in a group needs an admin (showing does not)."""
    destructive: bool = False
    """It deletes something the user cannot get back by asking again (memories, the conversation)."""
    question: Handler | None = None
    """For a destructive command said aloud: checks the arguments (raising its usage) and returns the
    yes/no question asked before it runs; None: a generic question naming the command."""
    plain_text: bool = False
    """Messages without a command word are this command's arguments (talk)."""
    takes_files: bool = False
    """Files and links sent with it (or without a command) are ingested through the intake."""
    pairs: bool = False
    """With an argument, it is a pairing or invitation code tried before the access check (start)."""
    strangers: bool = False
    """People without access may run it (asking for access)."""
    private: bool = False
    """Its reply is for the caller only (codes, member lists): ephemeral where the platform can, else
    sent to their direct chat from a group."""
    separator: str = " "
    """What joins the arguments in its text (`correct WRONG -> RIGHT`)."""
    setting: bool = False
    """A setting or an occasional command: help lists it apart from the everyday ones."""

    def usage(self, lang: str, prefix: str) -> str:
        """`/teach TEXT` (`/apprends TEXTE`) in the platform's syntax, the language's name and placeholders."""
        words = self.separator.join(a.shown(lang) for a in self.arguments)
        return f"{prefix}{self.name_in(lang)} {words}".strip()

    def describe(self, lang: str) -> str:
        """The one-line help in `lang`."""
        return pick(self.help, lang)

    def name_in(self, lang: str | None) -> str:
        """The name shown to speakers of `lang`."""
        return self.names.get(lang or "", self.name)

    def words(self) -> tuple[str, ...]:
        """Every word that calls it: its name, its names per language and its aliases."""
        return (self.name, *self.names.values(), *self.aliases)

    def text_of(self, values: dict[str, str]) -> str:
        """The argument text from named option values (a Discord slash command's options)."""
        parts = [a.template.format(values[a.key]) for a in self.arguments if values.get(a.key) and not a.file]
        return self.separator.join(parts)


def command(name: str, en: str, fr: str, *arguments: Argument, **options: object) -> Callable[[Handler], Command]:
    """Declare the decorated handler as the command `name`, with its help in English and French."""

    def declare(handler: Handler) -> Command:
        return Command(name, {"en": en, "fr": fr}, handler, arguments, **options)

    return declare
