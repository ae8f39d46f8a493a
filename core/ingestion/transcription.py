"""Transcribing voice notes locally with faster-whisper (CTranslate2, CPU int8; blocking, run in a worker)."""

from __future__ import annotations

import importlib.util
import io
import logging
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from core.errors import AudioTooLong, CorruptFile

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
# What Whisper is told came before a note: a neutral sentence in the note's language, which keeps the
# small model in that language and its written style (measured in bench/speech.py).
PROMPTS = (("fr", "Voici mon message vocal, en français."),)
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class TranscriptionOptions:
    """Which Whisper model, how it runs, which languages it may hear, and the longest note accepted."""

    model: str = "packaged"
    compute_type: str = "int8"
    threads: int = 0
    languages: tuple[str, ...] = ("fr", "en")
    max_seconds: float = 300.0
    beam_size: int = 5
    download_dir: Path | None = None
    hotwords: str = ""
    hotword_languages: tuple[str, ...] = ("en",)
    switch_ratio: float = 20.0
    prompts: tuple[tuple[str, str], ...] = ()

    def prompt_for(self, language: str | None) -> str | None:
        """The text Whisper is told came before the note in `language` (None: no prompt)."""
        return dict(self.prompts).get(language or "") or None


@dataclass
class Transcript:
    """What was said, in which language, over how many seconds of audio."""

    text: str
    language: str
    duration: float


def is_silent(audio: np.ndarray, floor: float = 0.003) -> bool:
    """True when no 50 ms stretch is louder than `floor` (RMS, about -50 dBFS): nothing to hear.

    Whisper fed silence does not return nothing: it loops on "?" or "l l l…". Silence is told apart
    before the model runs (which also saves its time).
    """
    window = SAMPLE_RATE // 20
    usable = audio[: audio.size // window * window]
    if not usable.size:
        return True
    return float(np.sqrt((usable.reshape(-1, window) ** 2).mean(axis=1)).max()) < floor


def repeats_itself(text: str) -> bool:
    """True when a transcript loops ("oublie, oublie, oublie, oublie"): Whisper's sign of a mishearing.

    A word said four times in a row, a group of two to four words said three times in a row, or one
    word making half of a note of six words or more: no one speaks like that, so such a transcript
    may be shown but never obeyed as a command.
    """
    tokens = _WORDS.findall(text.lower())
    for size in range(1, 5):
        needed = 4 if size == 1 else 3
        for start in range(0, len(tokens) - size * needed + 1):
            group = tokens[start : start + size]
            if all(tokens[start + k * size : start + (k + 1) * size] == group for k in range(1, needed)):
                return True
    counts = Counter(token for token in tokens if len(token) > 2)
    return len(tokens) >= 6 and bool(counts) and counts.most_common(1)[0][1] * 2 >= len(tokens)


class Transcriber(Protocol):
    """Anything that turns audio bytes into text."""

    name: str

    def transcribe(self, name: str, data: bytes, prefer: str | None = None) -> Transcript:
        """The words of the audio (`prefer`: the speaker's usual language); AudioTooLong, CorruptFile."""
        ...


def decode_audio(name: str, data: bytes, max_seconds: float) -> np.ndarray:
    """Mono 16 kHz float32 samples; stops decoding (AudioTooLong) as soon as the limit is passed."""
    import av

    limit = int(max_seconds * SAMPLE_RATE)
    parts: list[np.ndarray] = []
    count = 0
    try:
        with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise CorruptFile(key="error.corrupt_file_no_sound", name=name)
            resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    samples = out.to_ndarray().reshape(-1)
                    parts.append(samples)
                    count += samples.size
                if count > limit:
                    raise AudioTooLong(name=name, seconds=int(max_seconds))
    except (av.error.FFmpegError, ValueError) as error:
        raise CorruptFile(key="error.corrupt_file_audio", name=name) from error
    if not count:
        raise CorruptFile(key="error.corrupt_file_no_sound", name=name)
    return np.concatenate(parts).astype(np.float32) / 32768.0


class WhisperTranscriber:
    """faster-whisper, loaded once on first use; language chosen among the allowed ones."""

    name = "faster-whisper"

    def __init__(self, options: TranscriptionOptions = TranscriptionOptions()) -> None:
        if importlib.util.find_spec("faster_whisper") is None:  # checked, not imported: start-up stays fast
            raise ImportError("faster-whisper is not installed (the `voice` extra)")

        self.options = options
        self._model = None
        self._lock = threading.Lock()

    @property
    def model_name(self) -> str:
        """The configured model (`packaged`, a size such as `base`, or a directory)."""
        return self.options.model

    def _loaded(self):
        """The Whisper model, loaded on first use (tens of MB; a few seconds)."""
        if self._model is None:
            from faster_whisper import WhisperModel

            from core.ingestion.packaged_whisper import resolve_model

            source = resolve_model(self.options.model, self.options.download_dir)
            self._model = WhisperModel(
                source,
                device="cpu",
                compute_type=self.options.compute_type,
                cpu_threads=self.options.threads,
                download_root=str(self.options.download_dir) if self.options.download_dir else None,
            )
            log.info("whisper model %s loaded", self.options.model)
        return self._model

    def transcribe(self, name: str, data: bytes, prefer: str | None = None) -> Transcript:
        """Decode within the duration limit, choose among the allowed languages, transcribe in one pass.

        Decoding is redone at a higher temperature only when the text loops (compression ratio), not
        on every unsure passage: on a small CPU the default fallback made some notes five times
        slower. The command words are hot words only in `hotword_languages` (English: "Teach." is
        heard as such 4 times out of 4 instead of 2); in French they made Whisper base loop on a word
        and raised the word error rate from 0.86 to 1.35 (bench/speech.py). Silence is not
        transcribed at all (Whisper invents words for it).
        """
        audio = decode_audio(name, data, self.options.max_seconds)
        duration = audio.size / SAMPLE_RATE
        if is_silent(audio):
            return Transcript("", prefer or "", duration)
        with self._lock:  # one transcription at a time: each already uses every thread it is given
            model = self._loaded()
            language = self._language(model, audio, prefer)
            segments, _ = model.transcribe(
                audio,
                language=language,
                beam_size=self.options.beam_size,
                temperature=(0.0, 0.4, 0.8),
                log_prob_threshold=None,
                vad_filter=False,
                condition_on_previous_text=False,
                hotwords=(self.options.hotwords or None) if language in self.options.hotword_languages else None,
                initial_prompt=self.options.prompt_for(language),
            )
            text = " ".join(segment.text.strip() for segment in segments).strip()
        return Transcript(text, language or "", duration)

    def _language(self, model, audio: np.ndarray, prefer: str | None) -> str | None:
        """The speaker's language unless another allowed one is clearly likelier (None: Whisper chooses).

        Whisper's detection is unsure on short or synthetic notes, so the preferred language keeps
        the note unless another allowed language is `switch_ratio` times as likely.
        """
        allowed: Sequence[str] = self.options.languages
        if not allowed:
            return None
        if len(allowed) == 1:
            return allowed[0]
        _, _, probabilities = model.detect_language(audio)
        scores = dict(probabilities)
        best = max(allowed, key=lambda lang: scores.get(lang, 0.0))
        if prefer in allowed and scores.get(best, 0.0) < self.options.switch_ratio * scores.get(prefer, 0.0):
            return prefer
        return best
