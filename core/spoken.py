"""Reading a command out of a voice-note transcript, the way the console reads a typed line."""

from __future__ import annotations

import re

from core.commands import REGISTRY, Registry

# Words people say for a command, besides its name and aliases (Whisper writes what it hears).
SPOKEN = {
    "enseigne": "teach",
    "retiens": "teach",
    "apprends": "teach",
    "corrige": "correct",
    "oublie": "forget",
}
_HEAD = re.compile(r"^\s*([^\W\d_]+)\s*([.,:;!?…-]+|$)\s*(.*)$", re.DOTALL)


def command_words() -> str:
    """The words that start a spoken command, as Whisper hot words (so "teach, …" is heard as such)."""
    return ", ".join(["teach", "correct", "remember", "forget", *SPOKEN])


def spoken_command(transcript: str, registry: Registry = REGISTRY) -> tuple[str | None, str]:
    """`Teach. The key is…` → ("teach", "The key is…"); a question stays (None, transcript).

    A command word counts only when it stands alone or is followed by a pause that Whisper writes as
    punctuation, so "Why is the sky blue?" stays a question while "Why?" asks which memories were used.
    """
    match = _HEAD.match(transcript)
    if not match:
        return None, transcript.strip()
    word = match.group(1).lower()
    command = registry.find(SPOKEN.get(word, word))
    if command is None:
        return None, transcript.strip()
    return command.name, match.group(3).strip()
