"""Which Whisper model for voice notes: French and English word error rate, seconds of work per second of
audio, and spoken-command safety, for each model against the shipped default measured in the same run.

Every configuration hears the same notes (bench/speech_set.py: espeak-ng voices and variants, rates,
pauses, numbers and dates as said), note after note in turn, so a burst of load from other work on a
shared machine falls on all of them alike. The baseline is the product as it was: packaged Whisper
base, CPU int8, beam 5, the command words given as hot words in every language. `base-int8-product`
is the product now: hot words in English only, a French prompt. A configuration whose model cannot be
loaded is reported with the reason (the packaged `small` is incomplete on the registry: see
core/ingestion/packaged_whisper.py).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import machine, peak_rss_mb, run_benchmark
from bench.phone import edit_distance
from bench.phone_media import speak
from bench.speech_set import Note, notes, words
from core.ingestion.transcription import PROMPTS, TranscriptionOptions, WhisperTranscriber, repeats_itself
from core.spoken import command_words, spoken_command

TEN_SECONDS = (
    "Rappelle-toi que le rendez-vous chez le dentiste est mardi à quinze heures trente, "
    "et que ma sœur Camille arrive à Lyon le douze mars avec les enfants."
)


@dataclass(frozen=True)
class Config:
    """One way to run Whisper: model, weight type, the languages given the command words as hot words, the prompt."""

    name: str
    model: str
    compute_type: str
    hotwords: tuple[str, ...]
    prompt: bool = False


EVERY = ("fr", "en")
CONFIGS = {
    "base-int8-hot": Config("base-int8-hot", "packaged", "int8", EVERY),
    "base-int8": Config("base-int8", "packaged", "int8", ()),
    "base-int8-prompt": Config("base-int8-prompt", "packaged", "int8", (), True),
    "base-int8-product": Config("base-int8-product", "packaged", "int8", ("en",), True),
    "base-float32-prompt": Config("base-float32-prompt", "packaged", "float32", (), True),
    "small-int8": Config("small-int8", "packaged-small", "int8", ("en",), True),
    "small-float32": Config("small-float32", "packaged-small", "float32", ("en",), True),
}
BASELINE = "base-int8-hot"


class Tally:
    """Word errors, busy seconds and command outcomes of one configuration in one language."""

    def __init__(self) -> None:
        self.errors = self.words = self.notes = 0
        self.busy = self.audio = 0.0
        self.commands_heard = self.commands_said = self.invented = self.repetitive = 0

    def add(self, note: Note, text: str, busy: float, duration: float) -> None:
        """Count one transcribed note."""
        expected = words(note.truth)
        self.errors += edit_distance(words(text), expected)
        self.words += len(expected)
        self.notes += 1
        self.busy += busy
        self.audio += duration
        unreliable = repeats_itself(text)
        self.repetitive += unreliable
        heard, _ = spoken_command(text)
        heard = None if unreliable else heard
        if note.command:
            self.commands_said += 1
            self.commands_heard += heard == note.command
        if heard is not None and heard != note.command:
            self.invented += 1

    def figures(self) -> dict:
        """The tally as figures."""
        return {
            "notes": self.notes,
            "audio_s": round(self.audio, 1),
            "wer": round(self.errors / max(self.words, 1), 3),
            "s_per_audio_s": round(self.busy / max(self.audio, 1e-9), 3),
            "commands_heard": f"{self.commands_heard}/{self.commands_said}",
            "commands_invented": self.invented,
            "repetitive_transcripts": self.repetitive,
        }


def _transcriber(config: Config, args: argparse.Namespace) -> WhisperTranscriber:
    """A transcriber for `config`, with the product's other options."""
    return WhisperTranscriber(
        TranscriptionOptions(
            model=config.model,
            compute_type=config.compute_type,
            beam_size=args.beam,
            hotwords=command_words(),
            hotword_languages=config.hotwords,
            prompts=PROMPTS if config.prompt else (),
            download_dir=args.model_dir,
        )
    )


def measure_sync(args: argparse.Namespace) -> dict:
    """Load each configuration, then transcribe every note with each in turn."""
    figures: dict = {"machine": machine(), "baseline": BASELINE, "configs": {}}
    loaded: dict[str, WhisperTranscriber] = {}
    for name in args.configs:
        transcriber = _transcriber(CONFIGS[name], args)
        started = time.perf_counter()
        try:
            transcriber._loaded()
        except (FileNotFoundError, RuntimeError, ValueError) as error:
            figures["configs"][name] = {"unavailable": str(error)}
            continue
        figures["configs"][name] = {"load_s": round(time.perf_counter() - started, 2)}
        loaded[name] = transcriber
    spoken = [(note, speak(note.text, note.voice, speed=note.speed, markup=True)) for note in notes(args.french, args.english)]
    tallies = {name: {"fr": Tally(), "en": Tally()} for name in loaded}
    samples: dict[str, list[str]] = {name: [] for name in loaded}
    for note, data in spoken:
        for name, transcriber in loaded.items():
            started = time.perf_counter()
            result = transcriber.transcribe("note.ogg", data, note.language)
            tallies[name][note.language].add(note, result.text, time.perf_counter() - started, result.duration)
            if len(samples[name]) < args.samples:
                samples[name].append(f"[{note.voice}] {note.truth.strip()} → {result.text}")
    ten = speak(TEN_SECONDS, "fr", speed=115)
    for name, transcriber in loaded.items():
        started, cpu = time.perf_counter(), time.process_time()
        result = transcriber.transcribe("note.ogg", ten, "fr")
        row = figures["configs"][name]
        row["ten_second_note"] = {
            "audio_s": round(result.duration, 1),
            "busy_s": round(time.perf_counter() - started, 2),
            # CPU seconds over every thread: what an idle machine spends, whatever the others' load
            "cpu_s": round(time.process_time() - cpu, 2),
            "text": result.text,
        }
        row["french"] = tallies[name]["fr"].figures()
        row["english"] = tallies[name]["en"].figures()
        row["samples"] = samples[name]
    base = figures["configs"].get(BASELINE, {})
    for row in figures["configs"].values():
        if "french" in row and "french" in base:
            for language in ("french", "english"):
                row[language]["time_vs_baseline"] = round(
                    row[language]["s_per_audio_s"] / max(base[language]["s_per_audio_s"], 1e-9), 2
                )
    figures["peak_rss_mb"] = peak_rss_mb()
    return figures


async def measure(args: argparse.Namespace) -> dict:
    """The measurement in a worker thread, as the product transcribes."""
    return await asyncio.to_thread(measure_sync, args)


def summary(figures: dict) -> str:
    """One line per configuration."""
    lines = [f"baseline: {figures['baseline']} (the shipped default before this run)"]
    for name, row in figures["configs"].items():
        if "unavailable" in row:
            lines.append(f"{name}: unavailable — {row['unavailable']}")
            continue
        fr, en = row["french"], row["english"]
        lines.append(
            f"{name}: WER fr {fr['wer']:.2f} en {en['wer']:.2f}; s per audio s fr {fr['s_per_audio_s']:.2f} "
            f"({fr.get('time_vs_baseline', 1):.2f}× baseline) en {en['s_per_audio_s']:.2f}; "
            f"10 s note {row['ten_second_note']['busy_s']} s for {row['ten_second_note']['audio_s']} s; "
            f"commands fr {fr['commands_heard']} en {en['commands_heard']}, invented "
            f"{fr['commands_invented'] + en['commands_invented']}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.speech", description=__doc__)
    parser.add_argument(
        "--configs",
        type=lambda text: [c.strip() for c in text.split(",") if c.strip()],
        default=list(CONFIGS),
        help=f"comma-separated, among {', '.join(CONFIGS)} (the baseline {BASELINE} is always added)",
    )
    parser.add_argument("--french", type=int, default=12, help="French sentences (each said by two voices)")
    parser.add_argument("--english", type=int, default=6, help="English sentences (each said by two voices)")
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--samples", type=int, default=6, help="transcripts kept per configuration")
    parser.add_argument("--model-dir", type=Path, default=Path.home() / ".cache" / "souvenir" / "models")
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    args = parser.parse_args(argv)
    unknown = [c for c in args.configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration(s): {', '.join(unknown)}")
    if BASELINE not in args.configs:
        args.configs.insert(0, BASELINE)
    return args


def main(argv: list[str] | None = None) -> dict:
    """Entry point."""
    return run_benchmark(parse_args(argv), measure, summary)


if __name__ == "__main__":
    main()
