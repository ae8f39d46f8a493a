"""Corrections that always win, and importance that never hides the answer (real models, SQLite, FAISS)."""

import pytest

from core.errors import UnknownMemory
from core.models import Kind
from tests.requests import say

pytestmark = pytest.mark.timeout(120)
SCOPE = "console:user:local"
FACTS = [
    "Le mot de passe du Wi-Fi de la maison est « tournesol-47 ».",
    "Le digicode de l'immeuble est 4B729.",
    "Thomas prend le train de 7 h 42 pour aller au bureau.",
    "Le vétérinaire de Pistache est le docteur Roux à Chambray.",
]


@pytest.mark.parametrize("embedder", ["use", "minilm"])
async def test_a_reworded_correction_replaces_the_fact_and_ranks_first(make_app, embedder):
    app = await make_app(embedder=embedder, language="fr")
    for fact in FACTS:
        await app.memory.teaching.teach(SCOPE, fact)
    booking = await app.memory.teaching.teach(SCOPE, "Le numéro de réservation du vol pour Porto est K7Q2LM.")
    reply = await say(
        app,
        command="correct",
        args="le code de réservation du vol est K7Q2LM | Le code de réservation du vol pour Porto est K7Q2LN.",
    )
    assert f"#{booking.number}" in reply, reply
    hits = await app.memory.reading.search(SCOPE, "Quel est le code de réservation du vol pour Porto ?")
    assert hits[0].memory.text.endswith("K7Q2LN.")
    assert booking.id not in [h.memory.id for h in hits], "the old fact is never retrieved again"
    assert await app.store.memories.count_live(SCOPE) == len(FACTS) + 1, "nothing else was replaced"


async def test_correct_by_id_targets_exactly_one_memory(make_app):
    app = await make_app(embedder="use", language="fr")
    first = await app.memory.teaching.teach(SCOPE, "La piscine ferme à 20 h le vendredi.")
    twin = await app.memory.teaching.teach(SCOPE, "La piscine ferme à 20 h le samedi.")
    reply = await say(app, command="correct", args=f"#{first.number} | La piscine ferme à 21 h le vendredi.", language="fr")
    assert f"#{first.number}" in reply
    assert (await app.store.memories.get_memory(SCOPE, first.id)).superseded_by is not None
    assert (await app.store.memories.get_memory(SCOPE, twin.id)).superseded_by is None, "only the named memory"
    with pytest.raises(UnknownMemory):
        await app.memory.corrections.correct(SCOPE, "", "Autre chose.", target=9999)


async def test_correct_by_id_of_a_document_chunk_links_the_correction_ahead_of_it(make_app):
    app = await make_app(embedder="use", language="fr")
    text = "# Hôtel\n\nLes chambres sont disponibles à partir de 15 h. Le petit-déjeuner est compris."
    report = await app.memory.documents.ingest(SCOPE, "porto.md", text.encode())
    (chunk_id,) = report.memory_ids
    chunk = await app.store.memories.get_memory(SCOPE, chunk_id)
    await say(app, command="correct", args=f"#{chunk.number} | On peut arriver à l'hôtel dès 14 h.")
    hits = await app.memory.reading.search(SCOPE, "petit-déjeuner compris", mode="keyword")
    assert [h.memory.kind for h in hits[:2]] == [Kind.CORRECTION, Kind.DOCUMENT]
    assert hits[1].memory.id == chunk_id, "the chunk stays, with its correction ahead of it"


async def test_a_correction_that_matches_nothing_shows_the_closest_memories_with_their_ids(make_app):
    app = await make_app(embedder="use", language="fr")
    numbers = [(await app.memory.teaching.teach(SCOPE, fact)).number for fact in FACTS]
    reply = await say(app, command="correct", args="le chat mange des croquettes | Le chat mange de la pâtée.", language="fr")
    assert "Je n’avais rien retenu qui dise cela\u00a0: rien n’a été remplacé" in reply
    assert "Aucun souvenir ne disait" not in reply and "✅ Correction enregistrée" in reply, "no contradiction"
    assert f"corrige #{numbers[3]} -> la bonne version" in reply, "the vet of the cat is the closest memory"
    assert await app.store.memories.count_live(SCOPE) == len(FACTS) + 1, "nothing was replaced"


async def test_importance_never_pushes_a_clearly_better_chunk_out_of_the_top_three(make_app):
    app = await make_app(language="fr")  # the hashing embedder: cosines known in advance
    body = "Léo a réagi à l amoxicilline en 2019 : cet antibiotique est à éviter, Léo ne doit pas le prendre."
    (chunk,) = (await app.memory.documents.ingest(SCOPE, "sante.txt", body.encode())).memory_ids
    for fact in [  # cosines to the question 0.67, 0.55, 0.57 against the chunk's 0.58
        "Léo ne doit pas prendre le bus seul.",
        "Quel jour Léo doit-il prendre son sac de sport ?",
        "Léo ne doit pas prendre de sucre le soir.",
    ]:
        await app.memory.teaching.teach(SCOPE, fact, importance=1.0)
    hits = await app.memory.reading.search(SCOPE, "Quel antibiotique Léo ne doit-il pas prendre ?", mode="dense")
    assert chunk in [h.memory.id for h in hits[:3]], "critical facts less relevant than the chunk hid it"


async def test_a_correction_ranks_ahead_of_a_live_memory_that_nearly_repeats_it(make_app):
    app = await make_app(embedder="use", language="fr")
    correction = (await app.memory.corrections.correct(SCOPE, "poubelles jaunes lundi", "Les poubelles jaunes sont ramassées le mardi.")).correction
    stale = await app.memory.teaching.teach(SCOPE, "Les poubelles jaunes sont ramassées le lundi.", importance=1.0)
    hits = await app.memory.reading.search(SCOPE, "poubelles jaunes ramassées le lundi")
    ids = [h.memory.id for h in hits]
    assert ids.index(correction.id) < ids.index(stale.id), [h.memory.text for h in hits]


async def test_a_correction_is_found_by_the_words_of_what_it_replaced(make_app):
    app = await make_app(language="fr")
    await app.memory.teaching.teach(SCOPE, "Le vétérinaire de Pistache est le docteur Roux à Chambray.")
    result = await app.memory.corrections.correct(
        SCOPE, "le véto du chat c'est le Dr Roux", "Le vétérinaire de Pistache est le docteur Leroux."
    )
    hits = await app.memory.reading.search(SCOPE, "veto du chat", mode="keyword")
    assert [h.memory.id for h in hits] == [result.correction.id]


async def test_a_correction_ranks_first_for_the_words_it_was_asked_in_even_beside_a_closer_fact(make_app):
    app = await make_app(embedder="use", language="fr")
    cat = await app.memory.teaching.teach(SCOPE, "Notre chat s'appelle Pistache ; c'est un chartreux de sept ans.")
    await app.memory.teaching.teach(SCOPE, FACTS[3])
    result = await app.memory.corrections.correct(
        SCOPE, "le véto du chat c'est le Dr Roux", "Le vétérinaire de Pistache est le docteur Leroux, à Joué-lès-Tours."
    )
    # Embedded from RIGHT alone, the correction came second, behind the fact naming the cat.
    hits = await app.memory.reading.search(SCOPE, "Qui est le vétérinaire du chat ?", mode="dense")
    assert [h.memory.id for h in hits[:2]] == [result.correction.id, cat.id]
