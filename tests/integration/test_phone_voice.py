"""A voice note is transcribed locally (packaged Whisper base), shown, then handled exactly like typed text."""

from __future__ import annotations

import pytest

from bench.phone_media import can_speak, silence, speak
from core.ingestion.fake_transcriber import ScriptedTranscriber
from core.models import Attachment, AttachmentKind
from tests.requests import request

pytestmark = pytest.mark.timeout(180)
SCOPE = "console:user:local"


@pytest.fixture(autouse=True)
def _speech_tools():
    if not can_speak():
        pytest.fail(
            "espeak-ng or ffmpeg is missing: .ci/run installs them (Debian packages espeak-ng, ffmpeg)"
        )


def voice_note(data: bytes, *, language: str | None = None, duration: float | None = None):
    """A request carrying one Telegram-style voice note (OGG/Opus, no file name)."""

    async def fetch() -> bytes:
        return data

    incoming = request(language=language)
    incoming.attachments = [
        Attachment("", len(data), fetch, mime="audio/ogg", kind=AttachmentKind.AUDIO, duration=duration)
    ]
    return incoming


async def test_a_french_voice_question_is_shown_and_its_words_reach_the_prompt(make_app, fake_ollama):
    app = await make_app(language="fr")
    await app.memory.teaching.teach(SCOPE, "La clé de la voiture est accrochée près de la porte d'entrée.")
    note = speak("Où est la clé de la voiture ?", "fr")
    reply = await (await app.assistant.handle(voice_note(note, language="fr"))).final_text()
    heard, answer = reply.split("\n\n", 1)
    assert heard.startswith("🎤 ")
    for word in ("clé", "voiture"):
        assert word in heard.lower(), heard
    messages = fake_ollama.chat_requests[-1]["messages"]
    question = messages[-1]["content"]
    assert heard == f"🎤 {question}" and answer == f"You said: {question}"
    assert "La clé de la voiture est accrochée" in messages[0]["content"]


async def test_an_english_voice_question_is_answered_from_memory(make_app, fake_ollama):
    app = await make_app(embedder="minilm")
    await app.memory.teaching.teach(SCOPE, "Alice's new flat is in Lisbon, near the river.")
    note = speak("Where does my sister Alice live now? Is it Lisbon?", "en")
    reply = await (await app.assistant.handle(voice_note(note, language="en"))).final_text()
    assert reply.startswith("🎤 ") and "lisbon" in reply.split("\n\n", 1)[0].lower(), reply
    prompt = fake_ollama.chat_requests[-1]["messages"][0]["content"]
    assert "Alice's new flat is in Lisbon" in prompt


async def test_a_spoken_teach_stores_a_teaching(make_app):
    app = await make_app()
    note = speak("Teach: the spare key is under the blue flower pot.", "en")
    reply = await (await app.assistant.handle(voice_note(note, language="en"))).final_text()
    assert "✅ Remembered as #" in reply, reply
    stored = await app.store.memories.all_memories(SCOPE)
    assert [m.kind.value for m in stored] == ["teaching"]
    assert "spare key is under the blue flower pot" in stored[0].text.lower()
    assert not stored[0].text.lower().startswith("teach")


async def test_a_long_voice_note_is_refused_before_and_after_download(make_app):
    app = await make_app(**{"voice": {"max_seconds": 5}})

    async def never() -> bytes:
        raise AssertionError("downloaded a note the platform said was too long")

    declared = request()
    declared.attachments = [Attachment("", 9000, never, kind=AttachmentKind.AUDIO, duration=600)]
    reply = await (await app.assistant.handle(declared)).final_text()
    assert reply == "❌ voice note: too long (the limit is 5 s of audio). Nothing was done."

    undeclared = await (await app.assistant.handle(voice_note(silence(8)))).final_text()
    assert undeclared == "❌ voice note: too long (the limit is 5 s of audio). Nothing was done."
    assert await app.store.memories.all_memories(SCOPE) == []


async def test_a_file_that_is_not_audio_gets_a_clear_message(make_app):
    app = await make_app()
    reply = await (await app.assistant.handle(voice_note(b"OggS not really"))).final_text()
    assert reply == "❌ voice note: this is not a sound file I can play. Nothing was done.", reply


async def test_voice_is_off_with_a_clear_message_when_disabled(make_app):
    app = await make_app(**{"voice": {"enabled": False}})
    reply = await (await app.assistant.handle(voice_note(b"whatever"))).final_text()
    assert "cannot listen to voice notes" in reply


async def test_silence_is_reported_in_words_that_fit_audio(make_app):
    app = await make_app()
    reply = await (await app.assistant.handle(voice_note(silence(4)))).final_text()
    assert "I heard no one speaking in it" in reply and "readable text" not in reply, reply


async def test_a_spoken_forget_runs_only_after_a_yes_and_a_no_cancels_it(make_app):
    app = await make_app()
    first = await app.memory.teaching.teach(SCOPE, "The old address was 12 Baker Street.")
    await app.memory.teaching.teach(SCOPE, "The new address is 3 Rose Lane.")
    note = speak("Forget. Number one.", "en")
    asked = await (await app.assistant.handle(voice_note(note, language="en"))).final_text()
    heard, question = asked.split("\n\n", 1)
    assert heard.lower().startswith("🎤 forget"), asked
    assert question.startswith("❓ Forget memory #1?"), asked
    assert await app.store.memories.count_live(SCOPE) == 2, "nothing is forgotten before the yes"
    done = await (await app.assistant.handle(request("yes"))).final_text()
    assert "Forgot #1" in done and first.text[:20] in done, done
    assert await app.store.memories.count_live(SCOPE) == 1

    app.assistant.media.transcriber = ScriptedTranscriber("Oublie. Le souvenir numéro deux.")
    asked = await (await app.assistant.handle(voice_note(b"OggS", language="fr"))).final_text()
    assert "Oublier le souvenir n°\u00a02" in asked, asked
    cancelled = await (await app.assistant.handle(request("non", language="fr"))).final_text()
    assert "Annulé" in cancelled and await app.store.memories.count_live(SCOPE) == 1


async def test_a_looping_transcript_is_shown_and_never_obeyed(make_app):
    app = await make_app()
    await app.memory.teaching.teach(SCOPE, "La réunion des copropriétaires est le 12 mars.")
    app.assistant.media.transcriber = ScriptedTranscriber("oublie, oublie, oublie, oublie, oublie,")
    reply = await (await app.assistant.handle(voice_note(b"OggS", language="fr"))).final_text()
    assert reply.startswith("🎤 oublie, oublie") and "Rien n’a été fait" in reply, reply
    assert await app.store.memories.count_live(SCOPE) == 1
    yes = await (await app.assistant.handle(request("oui", language="fr"))).final_text()
    assert "Oublié" not in yes and await app.store.memories.count_live(SCOPE) == 1


async def test_a_refused_spoken_command_shows_the_transcript_above_the_reason(make_app):
    app = await make_app()
    app.assistant.media.transcriber = ScriptedTranscriber("Forget. The old address.")
    reply = await (await app.assistant.handle(voice_note(b"OggS"))).final_text()
    assert reply.startswith("🎤 Forget. The old address.\n\nWhat should I forget? Send /forget N"), reply
