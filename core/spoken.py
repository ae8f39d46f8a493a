"""Reading a command out of a voice-note transcript, the way the console reads a typed line."""

from __future__ import annotations

import re

from core.capture.phrasings import parse_phrasing
from core.commands import REGISTRY, Command, Registry

_HEAD = re.compile(r"^\s*([^\W\d_]+)\s*([.,:;!?…-]+|$)\s*(.*)$", re.DOTALL)


def command_words(registry: Registry = REGISTRY) -> str:
    """The words that start a spoken command, as Whisper hot words (so "teach, …" is heard as such)."""
    return registry.hot_words()


def heard_command(transcript: str, registry: Registry = REGISTRY) -> tuple[Command | None, str]:
    """`Teach. The key is…` → (teach, "The key is…"); a question stays (None, transcript).

    A command word counts only when it stands alone or is followed by a pause that Whisper writes as
    punctuation, so "Why is the sky blue?" stays a question while "Why?" asks which memories were used.
    Words come from the registry: each command's spoken words, and any of its names. An explicit
    phrasing ("Oublie, ce que je t'ai dit sur…", "Remember, that…") is no command: it is said as typed.
    """
    if parse_phrasing(transcript) is not None:
        return None, transcript.strip()
    match = _HEAD.match(transcript)
    command = registry.heard(match.group(1)) if match else None
    if command is None:
        return None, transcript.strip()
    return command, match.group(3).strip()


def spoken_command(transcript: str, registry: Registry = REGISTRY) -> tuple[str | None, str]:
    """The name of the command a transcript starts with (or None) and the rest."""
    command, rest = heard_command(transcript, registry)
    return (command.name if command else None), rest


_NUMBER_WORDS = {
    "zéro": 0, "zero": 0, "un": 1, "une": 1, "one": 1, "deux": 2, "two": 2, "trois": 3, "three": 3,
    "quatre": 4, "four": 4, "cinq": 5, "five": 5, "six": 6, "sept": 7, "seven": 7, "huit": 8, "eight": 8,
    "neuf": 9, "nine": 9, "dix": 10, "ten": 10, "onze": 11, "eleven": 11, "douze": 12, "twelve": 12,
    "treize": 13, "thirteen": 13, "quatorze": 14, "fourteen": 14, "quinze": 15, "fifteen": 15,
    "seize": 16, "sixteen": 16, "dix-sept": 17, "seventeen": 17, "dix-huit": 18, "eighteen": 18,
    "dix-neuf": 19, "nineteen": 19, "vingt": 20, "twenty": 20,
}  # fmt: skip
_FILLER = re.compile(
    r"^(?:(?:le|la|du|the)\s+)?(?:souvenir|mémoire|memory|note)?\s*(?:numéro|number|num|n°|no\.?|#)?\s*", re.I
)
_DOCUMENT_WORDS = re.compile(r"^(?:(?:le|the)\s+)?(?:document|doc)\s+(?:numéro|number|n°|#)?\s*", re.I)


def spoken_arguments(args: str) -> str:
    """A destructive command's arguments as typed: "Le souvenir numéro douze." → "12", "document 3" → "doc 3".

    Whisper writes numbers as words or digits and ends sentences with a full stop; the command
    parsers expect `12` or `doc 3`. Anything else is left as heard (and then refused by its usage).
    """
    text = args.strip().rstrip(".!?…").strip()
    words = [str(_NUMBER_WORDS.get(word.lower(), word)) for word in text.split()]
    text = " ".join(words)
    if document := _DOCUMENT_WORDS.match(text):
        rest = text[document.end() :].strip()
        return f"doc {rest}" if rest.isdigit() else text
    rest = text[_FILLER.match(text).end() :].strip()
    return rest if rest.isdigit() else text
