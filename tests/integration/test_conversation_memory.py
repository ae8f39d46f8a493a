"""Memory from conversation through the real app: explicit phrasings, statements, newer first, visible, reversible."""

from __future__ import annotations

import json

import pytest

from core.ingestion.transcription import Transcript
from core.models import Attachment, AttachmentKind, Kind
from core.training.records import training_pairs
from tests.requests import request, say

pytestmark = pytest.mark.timeout(180)
SCOPE = "console:user:local"


async def handle(app, text: str, **kwargs):
    """The reply and its final text."""
    reply = await app.assistant.handle(request(text, **kwargs))
    return reply, await reply.final_text()


async def live(app, scope: str = SCOPE):
    return await app.store.memories.all_memories(scope)


async def test_a_french_statement_becomes_a_dated_conversation_memory_linked_to_its_exchange(make_app, fake_ollama):
    app = await make_app(embedder="use", language="fr")
    reply, _ = await handle(app, "Je pars à Lyon le 14 février pour le mariage de Paul.")
    (memory,) = await live(app)
    assert memory.kind is Kind.CONVERSATION and 0.5 <= memory.importance <= 0.6
    assert memory.author == "console:local" and memory.created_at > 0
    (exchange,) = await app.store.interactions.recent_interactions(SCOPE, SCOPE, 5)
    assert memory.metadata["interaction"] == exchange.id
    assert reply.acknowledgement.emoji == "✍️"
    assert f"n°\u00a0{memory.number}" in reply.acknowledgement.line
    # the message was still answered by the model, and the statement was not retrieved for itself
    assert exchange.output.startswith("You said:")
    assert exchange.memory_ids == []
    # a day later, in other words: found, and the prompt says when it was said and what day it is
    answer = await say(app, "Quand est-ce que je pars à Lyon ?")
    assert answer.startswith("You said:")
    system = fake_ollama.chat_requests[-1]["messages"][0]["content"]
    assert f"[#{memory.number}] (conversation, said on " in system and "Today is " in system
    assert "14 février" in system


@pytest.mark.parametrize(
    "text",
    ["Bonjour !", "merci beaucoup", "Quand est-ce que je pars à Lyon ?", "tu peux me donner une recette ?", "je suis crevée"],
)
async def test_questions_greetings_and_chitchat_are_answered_and_not_stored(make_app, text):
    app = await make_app(embedder="hash", language="fr")
    reply, answer = await handle(app, text)
    assert answer.startswith("You said:")
    assert await live(app) == []
    assert reply.acknowledgement.emoji == "" and reply.acknowledgement.line == ""


async def test_explicit_phrasings_teach_with_the_teach_confirmation_typed_without_accents(make_app):
    app = await make_app(embedder="hash", language="fr")
    _, answer = await handle(app, "noublie pas que le code wifi est TRUC-42")
    (memory,) = await live(app)
    assert answer == f"✅ Retenu sous le n°\u00a0{memory.number}."
    assert memory.kind is Kind.TEACHING and memory.text == "Le code wifi est TRUC-42"
    _, answer = await handle(app, "Souviens-toi que Mamie est allergique aux noix")
    assert answer.startswith("✅ Retenu sous le n°\u00a02")
    assert [m.text for m in await live(app)][-1] == "Mamie est allergique aux noix"


async def test_remember_that_on_the_console_is_a_fact_not_the_remember_command(make_app):
    app = await make_app(embedder="hash")
    _, answer = await handle(app, "remember that the garage door code is 7781")
    assert answer == "✅ Remembered as #1."
    assert [m.text for m in await live(app)] == ["The garage door code is 7781"]
    _, listing = await handle(app, "remember", command="remember")
    assert "#1" in listing and "7781" in listing


async def test_finalement_replaces_the_plan_it_updates_and_says_which(make_app):
    app = await make_app(embedder="use", language="fr")
    await handle(app, "Le rdv chez le dentiste est mercredi à 14h")
    (old,) = await live(app)
    _, answer = await handle(app, "finalement le rdv chez le dentiste est jeudi à 10h")
    assert f"remplace le n°\u00a0{old.number}" in answer
    hits = await app.memory.reading.search(SCOPE, "c'est quand le dentiste", limit=5)
    assert hits[0].memory.text == "Le rdv chez le dentiste est jeudi à 10h"
    assert all(h.memory.id != old.id for h in hits)


async def test_non_cest_pas_replaces_the_words_in_the_memory_that_said_them(make_app):
    app = await make_app(embedder="use", language="fr")
    await handle(app, "Le vol pour Montréal est le 3 août à 9h40 depuis CDG")
    _, answer = await handle(app, "non, c'est le 4 août, pas le 3 août")
    assert "remplace le n°\u00a01" in answer
    assert [m.text for m in await live(app)] == ["Le vol pour Montréal est le 4 août à 9h40 depuis CDG"]


async def test_a_statement_that_updates_an_older_one_ranks_first_and_both_are_kept(make_app, fake_ollama):
    app = await make_app(embedder="use", language="fr")
    await handle(app, "ma soeur Nadia vient dîner samedi avec ses deux enfants")
    await handle(app, "Nadia vient finalement dimanche midi, pas samedi")
    older, newer = await live(app)
    hits = await app.memory.reading.search(SCOPE, "Quand vient Nadia ?", limit=5)
    assert [h.memory.id for h in hits[:2]] == [newer.id, older.id]
    await say(app, "Quand vient Nadia ?")
    system = fake_ollama.chat_requests[-1]["messages"][0]["content"]
    assert system.index(f"[#{newer.number}]") < system.index(f"[#{older.number}]")
    assert f"(older: updated later by #{newer.number})" in system


async def test_an_unsure_correction_asks_before_replacing_and_never_guesses(make_app):
    app = await make_app(embedder="use", language="fr")
    await handle(app, "Léa a piscine le mardi à 17h")
    await handle(app, "Tom a piscine le mardi à 18h")
    _, answer = await handle(app, "en fait la piscine c'est le jeudi")
    texts = [m.text for m in await live(app)]
    assert len(texts) == 3, "nothing was replaced on a guess"
    assert "Répondez" in answer and "#1" in answer and "#2" in answer
    _, answer = await handle(app, "1")
    assert "remplace le n°\u00a01" in answer
    assert [m.text for m in await live(app)] == ["Tom a piscine le mardi à 18h", "La piscine c'est le jeudi"]


async def test_forget_what_i_said_lists_and_deletes_only_after_yes(make_app):
    app = await make_app(embedder="use", language="fr")
    await handle(app, "retiens que le dentiste de Léa est le docteur Martin")
    await handle(app, "retiens que le code wifi est TRUC-42")
    _, answer = await handle(app, "Oublie ce que je t'ai dit sur le dentiste")
    assert "docteur Martin" in answer and "Répondez" in answer
    assert len(await live(app)) == 2, "nothing is forgotten before the answer"
    _, answer = await handle(app, "non")
    assert answer == "D’accord, rien n’a changé."
    assert len(await live(app)) == 2
    await handle(app, "oublie ce que je t’ai dit sur le dentiste")
    _, answer = await handle(app, "oui")
    assert answer.startswith("🗑️ Oublié")
    assert [m.text for m in await live(app)] == ["Le code wifi est TRUC-42"]
    _, answer = await handle(app, "oui")  # the question was answered: a later "oui" is just a message
    assert answer.startswith("You said:")


async def test_captured_memories_are_listed_explained_forgotten_and_exported_not_seeded(make_app):
    app = await make_app(embedder="hash", language="fr")
    await handle(app, "Ma fille s'appelle Léa, elle a 7 ans.")
    await handle(app, "retiens que le code wifi est TRUC-42")
    said, taught = await live(app)
    _, listing = await handle(app, "", command="remember")
    assert f"#{said.number} · souvenir de conversation" in listing
    _, why = await handle(app, "", command="why")
    assert "Léa" in why and f"oublie {said.number}" in why
    exported = json.loads((await app.assistant.services.exporter(SCOPE, "json")).data)
    assert "Ma fille s'appelle Léa, elle a 7 ans." in [f["text"] for f in exported["facts"]]
    text = (await app.assistant.services.exporter(SCOPE, "text")).data.decode()
    assert "Ma fille s'appelle Léa" in text
    assert [p.assistant for p in training_pairs(await live(app))] == [taught.text]
    _, answer = await handle(app, "", command="forget", args=str(said.number))
    assert answer.startswith(f"🗑️ Souvenir n°\u00a0{said.number} oublié")
    assert [m.id for m in await live(app)] == [taught.id]


async def test_in_a_group_statements_wait_for_an_admin_and_unaddressed_chatter_is_never_stored(make_app):
    app = await make_app(embedder="hash", language="fr", allowed_users=["console:bob"])
    group = {"scope": "console:group:famille", "chat": "console:group:famille", "is_group": True}
    # not addressed (no mention, no command): not answered, not stored
    assert await app.assistant.handle(request("Je pars à Lyon le 14 février", **group)) is None
    addressed = request("Je pars à Lyon le 14 février", **group)
    addressed.mentions_bot = True
    reply = await app.assistant.handle(addressed)
    await reply.final_text()
    assert await live(app, "console:group:famille") == [], "the group default is explicit"
    spoken = request("retiens que la fête est samedi", **group)
    spoken.mentions_bot = True
    assert (await (await app.assistant.handle(spoken)).final_text()).startswith("✅ Retenu")
    # only an admin changes the group's setting; the owner (console:local) is one
    refused = await say(app, command="memory", args="auto", user="bob", **group)
    assert refused == app.assistant.text("fr", "error.not_allowed")
    assert "seulement ce que vous me demandez" in await say(app, command="memory", user="bob", **group)
    assert (await say(app, command="memory", args="auto", **group)).startswith("✅")
    reply = await app.assistant.handle(addressed)
    await reply.final_text()
    assert [m.kind for m in await live(app, "console:group:famille")] == [Kind.TEACHING, Kind.CONVERSATION]


async def test_memory_off_stores_nothing_from_conversation(make_app):
    app = await make_app(embedder="hash", language="fr")
    assert (await say(app, command="memory", args="non")).startswith("✅")
    _, answer = await handle(app, "retiens que le code wifi est TRUC-42")
    assert answer.startswith("You said:")
    await handle(app, "Ma fille s'appelle Léa")
    assert await live(app) == []
    assert "rien de notre conversation" in await say(app, command="memory")


class HeardText:
    """A transcriber that hears the given words (the synthetic French voice of espeak is not what Whisper
    base understands; test_phone_voice.py runs the real Whisper): this checks what the router does with them."""

    def __init__(self, text: str) -> None:
        self.text = text

    def transcribe(self, name: str, data: bytes, prefer: str | None = None) -> Transcript:
        return Transcript(self.text, "fr", 3.0)


@pytest.mark.parametrize(
    "heard", ["Rappelle-toi que la réunion de l'école est le 12 mars.", "Retiens que la réunion de l'école est le 12 mars."]
)
async def test_a_spoken_phrasing_is_a_taught_fact_like_the_typed_one(make_app, heard):
    app = await make_app(language="fr")
    app.assistant.media.transcriber = HeardText(heard)
    note = request(language="fr")
    note.attachments = [Attachment("", 4, _audio, mime="audio/ogg", kind=AttachmentKind.AUDIO, duration=3.0)]
    reply = await (await app.assistant.handle(note)).final_text()
    assert reply == f"🎤 {heard}\n\n✅ Retenu sous le n°\u00a01."
    (memory,) = await live(app)
    assert memory.kind is Kind.TEACHING and memory.text == "La réunion de l'école est le 12 mars."


async def _audio() -> bytes:
    return b"OggS"


async def test_statements_are_remembered_with_no_model_reachable(make_app):
    app = await make_app(embedder="hash", language="fr", ollama_host="http://127.0.0.1:9")
    reply, answer = await handle(app, "Mon frère Paul habite à Lyon depuis mars")
    assert "le modèle de langage ne répond pas" in answer  # said plainly, and still remembered
    assert reply.acknowledgement.emoji == "✍️"
    assert [m.text for m in await live(app)] == ["Mon frère Paul habite à Lyon depuis mars"]


async def test_in_a_group_the_asked_member_answers_oui_without_naming_the_bot(make_app):
    app = await make_app(embedder="hash", language="fr", allowed_users=["console:bob"])
    group = {"scope": "console:group:famille", "chat": "console:group:famille", "is_group": True}
    taught = request("retiens que le dentiste de Léa est le docteur Martin", **group)
    taught.mentions_bot = True
    await (await app.assistant.handle(taught)).final_text()
    asked = request("oublie ce que je t'ai dit sur le dentiste", **group)
    asked.mentions_bot = True
    assert "Répondez" in await (await app.assistant.handle(asked)).final_text()
    # another member's "oui" is ordinary chatter: not for the bot, nothing forgotten
    assert await app.assistant.handle(request("oui", user="bob", **group)) is None
    assert len(await live(app, "console:group:famille")) == 1
    answer = await (await app.assistant.handle(request("oui", **group))).final_text()
    assert answer.startswith("🗑️ Oublié")
    assert await live(app, "console:group:famille") == []
    assert await app.assistant.handle(request("oui", **group)) is None, "answered once; then chatter again"


async def test_any_part_of_souvenir_can_ask_and_the_next_oui_answers_it(make_app):
    from core.models import Reply

    app = await make_app(embedder="hash", language="fr")
    done = []

    async def on_yes(choice):
        done.append(choice)
        return Reply(text="C’est fait.")

    app.assistant.confirmations.ask(SCOPE, "console:local", on_yes)
    assert await say(app, "Oui") == "C’est fait." and done == [None]
    app.assistant.confirmations.ask(SCOPE, "console:local", on_yes)
    assert await say(app, "non") == "D’accord, rien n’a changé." and done == [None]
