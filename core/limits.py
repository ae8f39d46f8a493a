"""The default limits, in one place: the settings, the memory service and the conversation read them here."""

from __future__ import annotations

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_MEMORIES_PER_SCOPE = 200_000
MAX_TEXT_CHARS = 8_000
CONTEXT_MEMORIES = 6
"""Memories put in a prompt."""
HISTORY_TURNS = 6
"""Recent exchanges of the chat put in a prompt."""
