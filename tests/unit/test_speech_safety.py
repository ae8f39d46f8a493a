"""What a voice note may not do: a looping transcript is not obeyed, a truncated packaged model is not loaded."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from core.ingestion.packaged_whisper import check_complete
from core.ingestion.transcription import repeats_itself


@pytest.mark.parametrize(
    "transcript",
    [
        "oublie, oublie, oublie, oublie, oublie,",
        "Forget forget forget forget.",
        "la clé la clé la clé",
        "? vous vous vous vous",
        "oublie le oublie la oublie les oublie tout",
    ],
)
def test_a_looping_transcript_is_unreliable(transcript):
    assert repeats_itself(transcript)


@pytest.mark.parametrize(
    "transcript",
    [
        "Oublie. Le souvenir numéro douze.",
        "Retiens. La réunion des copropriétaires est le 12 mars.",
        "non non non",
        "Teach: the spare key is under the blue flower pot.",
        "le chat, le chien, le lapin et le rat sont à la maison",
        "",
    ],
)
def test_what_people_say_is_not_mistaken_for_a_loop(transcript):
    assert not repeats_itself(transcript)


def _string(text: str) -> bytes:
    raw = text.encode() + b"\0"
    return struct.pack("<H", len(raw)) + raw


def _model_bin(weights: list[tuple[str, bytes]]) -> bytes:
    """A CTranslate2 model.bin laid out as the converter writes it (version, spec, revision, weights)."""
    out = struct.pack("<I", 6) + _string("WhisperSpec") + struct.pack("<I", 3) + struct.pack("<I", len(weights))
    for name, data in weights:
        out += _string(name) + struct.pack("<B", 1) + struct.pack("<I", len(data) // 4) + struct.pack("<B", 4)
        out += struct.pack("<I", len(data)) + data
    return out


def test_a_model_cut_short_is_refused_with_the_reason(tmp_path: Path):
    whole = _model_bin([("encoder/conv1/weight", b"\1" * 4000), ("decoder/embeddings", b"\2" * 8000)])
    complete = tmp_path / "model.bin"
    complete.write_bytes(whole)
    check_complete(complete)
    cut = tmp_path / "cut.bin"
    cut.write_bytes(whole[:6000])
    with pytest.raises(FileNotFoundError, match="weight 2 of 2"):
        check_complete(cut)


def test_silence_is_told_apart_before_whisper_runs():
    from bench.phone_media import silence, speak
    from core.ingestion.transcription import decode_audio, is_silent

    assert is_silent(decode_audio("quiet.ogg", silence(6), 300))
    assert not is_silent(decode_audio("note.ogg", speak("Où est la clé ?", "fr"), 300))


@pytest.mark.parametrize(
    ("heard", "typed"),
    [
        ("Le souvenir numéro douze.", "12"),
        ("number one.", "1"),
        ("#12", "12"),
        ("12.", "12"),
        ("document 3", "doc 3"),
        ("doc trois.", "doc 3"),
        ("The old address.", "The old address"),
    ],
)
def test_a_spoken_forget_reads_its_number_as_typed(heard, typed):
    from core.spoken import spoken_arguments

    assert spoken_arguments(heard) == typed
