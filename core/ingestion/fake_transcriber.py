"""A scripted test double for the transcriber: says what Whisper would have heard, in order."""

from __future__ import annotations

from core.ingestion.transcription import Transcript


class ScriptedTranscriber:
    """Returns the scripted transcripts one after the other (the last one again when they run out)."""

    name = "scripted"

    def __init__(self, *heard: str, duration: float = 4.0) -> None:
        self.heard = list(heard)
        self.duration = duration
        self.calls = 0

    def transcribe(self, name: str, data: bytes, prefer: str | None = None) -> Transcript:
        """The next scripted transcript, in the preferred language."""
        text = self.heard[min(self.calls, len(self.heard) - 1)]
        self.calls += 1
        return Transcript(text, prefer or "", self.duration)
