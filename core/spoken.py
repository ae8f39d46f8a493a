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
