"""Phone input on this CPU: OCR character accuracy and seconds per photo, speech word error rate and
seconds per minute of audio, peak memory; each against a baseline measured in the same run.

OCR reads pages drawn with Pillow (French and English, at phone-photo and small sizes, clean and
speckled). Baseline: Tesseract with English data only, the default of most OCR setups; Souvenir
reads with French + English. Speech: sentences spoken by espeak-ng (a robotic voice, much harder
than a person) encoded as OGG/Opus voice notes. Baseline: Whisper choosing the language on its own;
Souvenir prefers the speaker's language among the allowed ones.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
import unicodedata
from dataclasses import replace
from pathlib import Path

from bench.common import machine, peak_rss_mb, run_benchmark
from bench.phone_media import ENGLISH_LINES, FRENCH_LINES, draw_text, speak
from core.ingestion.ocr import OcrOptions, TesseractReader
from core.ingestion.transcription import TranscriptionOptions, WhisperTranscriber
from core.spoken import command_words

FRENCH_PAGES = (
    FRENCH_LINES,
    (
        "Compte rendu du conseil d'école",
        "Le voyage à Chamonix aura lieu du 9 au 13 février.",
        "Participation des familles : 145 € par élève.",
        "Réponse attendue avant le vendredi 19 décembre.",
    ),
    (
        "Ordonnance du Dr Lefèvre — 27/10/2026",
        "Amoxicilline 500 mg : 2 gélules matin et soir",
        "pendant 7 jours. Ne pas arrêter le traitement.",
        "Rendez-vous de contrôle le 6 novembre à 10 h 30.",
    ),
)
ENGLISH_PAGES = (
    ENGLISH_LINES,
    (
        "Parent-teacher meeting notes",
        "The school trip to York runs from 9 to 13 February.",
        "Each family contributes 145 pounds per pupil.",
        "Please reply before Friday 19 December.",
    ),
)
FRENCH_SPEECH = (
    "Où est la clé de la voiture ?",
    "Le rendez-vous chez le dentiste est mardi à quinze heures.",
    "La réunion de famille aura lieu à Paris, en décembre.",
    "Le mot de passe du wifi est dans le tiroir de la cuisine.",
    "Mon chat adore le chocolat.",
    "Rappelle-moi d'acheter du pain et du fromage.",
)
ENGLISH_SPEECH = (
    "Where does my sister Alice live now? Is it Lisbon?",
    "Teach: the spare key is under the blue flower pot.",
    "The dentist appointment is on Tuesday at three in the afternoon.",
    "Remind me to buy bread and cheese on the way home.",
    "My car is parked on the third floor of the station car park.",
    "What did the plumber say about the kitchen sink?",
)
VARIANTS = {"photo": {"scale": 2.0}, "small": {"size": 22}, "speckled": {"scale": 2.0, "noise": 7}}


def edit_distance(a: list[str] | str, b: list[str] | str) -> int:
    """Levenshtein distance between two sequences (characters or words)."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def normalise_chars(text: str) -> str:
    """Whitespace collapsed, typographic apostrophes made plain: what OCR is judged on."""
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip()


def words(text: str) -> list[str]:
    """Lower-case words without punctuation (hyphens and apostrophes split), accents kept."""
    text = unicodedata.normalize("NFC", text.lower().replace("’", "'"))
    return re.findall(r"\w+", text.replace("-", " ").replace("'", " "))


def ocr_figures(reader: TesseractReader, pages: dict[str, tuple[str, ...]]) -> dict:
    """Character accuracy (1 − CER) and seconds per image over every page and variant."""
    errors = chars = 0
    seconds: list[float] = []
    for lines in pages.values():
        truth = normalise_chars(" ".join(lines))
        for variant in VARIANTS.values():
            image = draw_text(lines, **variant)
            started = time.perf_counter()
            read = reader.read("page.png", image)
            seconds.append(time.perf_counter() - started)
            errors += edit_distance(normalise_chars(read.text), truth)
            chars += len(truth)
    return {
        "images": len(seconds),
        "char_accuracy": round(1 - errors / chars, 4),
        "s_per_photo": round(sum(seconds) / len(seconds), 3),
    }


def speech_figures(transcriber: WhisperTranscriber, notes: list[tuple[bytes, str, str]], prefer: bool) -> dict:
    """Word error rate and seconds of work per minute of audio."""
    errors = total = 0
    busy = audio = 0.0
    for data, language, truth in notes:
        started = time.perf_counter()
        result = transcriber.transcribe("note.ogg", data, language if prefer else None)
        busy += time.perf_counter() - started
        audio += result.duration
        expected = words(truth)
        errors += edit_distance(words(result.text), expected)
        total += len(expected)
    return {
        "notes": len(notes),
        "audio_s": round(audio, 1),
        "wer": round(errors / total, 3),
        "s_per_audio_minute": round(busy / audio * 60, 1),
    }


async def measure(args: argparse.Namespace) -> dict:
    """Run the OCR then the speech measurements (in a worker thread each, as the product does)."""
    figures: dict = {"machine": machine(), "rss_start_mb": peak_rss_mb()}
    french = {f"fr{i}": page for i, page in enumerate(FRENCH_PAGES[: args.pages])}
    english = {f"en{i}": page for i, page in enumerate(ENGLISH_PAGES[: args.pages])}
    product = TesseractReader(OcrOptions(languages="fra+eng"))
    baseline = TesseractReader(OcrOptions(languages="eng"))
    figures["ocr"] = {
        "souvenir_fra+eng": {
            "french": await asyncio.to_thread(ocr_figures, product, french),
            "english": await asyncio.to_thread(ocr_figures, product, english),
        },
        "baseline_eng_only": {
            "french": await asyncio.to_thread(ocr_figures, baseline, french),
            "english": await asyncio.to_thread(ocr_figures, baseline, english),
        },
    }
    figures["peak_rss_after_ocr_mb"] = peak_rss_mb()
    if args.sentences:
        notes = [(speak(s, "fr"), "fr", s) for s in FRENCH_SPEECH[: args.sentences]]
        notes += [(speak(s, "en"), "en", s) for s in ENGLISH_SPEECH[: args.sentences]]
        options = TranscriptionOptions(
            model=args.model, beam_size=args.beam, hotwords=command_words(), download_dir=args.model_dir
        )
        transcriber = WhisperTranscriber(options)
        started = time.perf_counter()
        await asyncio.to_thread(transcriber._loaded)
        load_s = time.perf_counter() - started
        french_notes = [n for n in notes if n[1] == "fr"]
        english_notes = [n for n in notes if n[1] == "en"]
        figures["speech"] = {
            "model": args.model,
            "load_s": round(load_s, 1),
            "souvenir_preferred_language": {
                "french": await asyncio.to_thread(speech_figures, transcriber, french_notes, True),
                "english": await asyncio.to_thread(speech_figures, transcriber, english_notes, True),
            },
            "baseline_whisper_detects": {
                "french": await asyncio.to_thread(
                    speech_figures, _detecting(transcriber), french_notes, False
                ),
                "english": await asyncio.to_thread(
                    speech_figures, _detecting(transcriber), english_notes, False
                ),
            },
        }
        figures["peak_rss_mb"] = peak_rss_mb()
    else:
        figures["peak_rss_mb"] = figures["peak_rss_after_ocr_mb"]
    return figures


def _detecting(transcriber: WhisperTranscriber) -> WhisperTranscriber:
    """The same loaded model, letting Whisper pick the language among all it knows."""
    twin = WhisperTranscriber(replace(transcriber.options, languages=()))
    twin._model = transcriber._loaded()
    return twin


def summary(figures: dict) -> str:
    """A few lines for people."""
    ocr = figures["ocr"]
    lines = [
        "OCR character accuracy (Souvenir fra+eng vs eng only): "
        f"French {ocr['souvenir_fra+eng']['french']['char_accuracy']:.3f} vs "
        f"{ocr['baseline_eng_only']['french']['char_accuracy']:.3f}, English "
        f"{ocr['souvenir_fra+eng']['english']['char_accuracy']:.3f} vs "
        f"{ocr['baseline_eng_only']['english']['char_accuracy']:.3f}; "
        f"{ocr['souvenir_fra+eng']['french']['s_per_photo']:.2f} s per photo",
    ]
    if "speech" in figures:
        speech = figures["speech"]
        ours, base = speech["souvenir_preferred_language"], speech["baseline_whisper_detects"]
        lines.append(
            f"Speech WER (preferred language vs Whisper detection): French {ours['french']['wer']:.2f} vs "
            f"{base['french']['wer']:.2f}, English {ours['english']['wer']:.2f} vs {base['english']['wer']:.2f}; "
            f"{ours['french']['s_per_audio_minute']:.0f}–{ours['english']['s_per_audio_minute']:.0f} s per "
            f"minute of audio; model load {speech['load_s']} s"
        )
    lines.append(f"Peak memory {figures['peak_rss_mb']} MiB")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.phone", description=__doc__)
    parser.add_argument("--pages", type=int, default=3, help="drawn pages per language (up to 3 fr, 2 en)")
    parser.add_argument("--sentences", type=int, default=6, help="spoken sentences per language (0: no speech)")
    parser.add_argument("--model", default="packaged", help="Whisper model (packaged = the base in the wheels)")
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--model-dir", type=Path, default=Path.home() / ".cache" / "souvenir" / "models")
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    """Entry point."""
    return run_benchmark(parse_args(argv), measure, summary)


if __name__ == "__main__":
    main()
