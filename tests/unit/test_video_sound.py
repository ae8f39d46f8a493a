"""A video note or video message is listened to: its sound track is decoded, its pictures never are."""

from __future__ import annotations

import pytest

from core.errors import CorruptFile
from core.ingestion.transcription import SAMPLE_RATE, decode_audio, is_silent
from core.media import is_spoken, kind_of
from core.models import Attachment, AttachmentKind


async def _nothing() -> bytes:
    return b""


@pytest.mark.parametrize(
    ("name", "mime"),
    [("clip.mp4", None), ("IMG_0042.MOV", None), ("", "video/mp4"), ("video", "video/webm")],
)
def test_a_video_is_recognised_and_heard_like_a_voice_note(name, mime):
    attachment = Attachment(name=name, size=10, fetch=_nothing, mime=mime)
    assert kind_of(attachment) is AttachmentKind.VIDEO and is_spoken(attachment)


def test_a_document_is_not_listened_to():
    assert not is_spoken(Attachment(name="notes.pdf", size=10, fetch=_nothing, mime="application/pdf"))


def test_the_sound_track_of_a_video_note_is_decoded():
    from bench.phone_media import video_note

    audio = decode_audio("note.mp4", video_note("Où est la clé de la voiture ?", "fr"), 300)
    assert audio.size > SAMPLE_RATE and not is_silent(audio)


def test_a_video_without_sound_is_refused_as_such():
    from bench.phone_media import video_note

    with pytest.raises(CorruptFile) as refused:
        decode_audio("mute.mp4", video_note("", sound=False), 300)
    assert refused.value.key == "error.corrupt_file_no_sound"
