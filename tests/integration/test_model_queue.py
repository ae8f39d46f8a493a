"""Souvenir's model queue in front of a real-protocol Ollama stand-in that serves two chats at a time."""

from __future__ import annotations

import asyncio

import pytest

from core.models import Notice
from tests.requests import request

pytestmark = pytest.mark.timeout(120)
ANSWER = "The gate code is twenty five eighty."
USERS = [f"telegram:{i}" for i in range(1, 9)]


async def _ask(app, text: str, chat: str, user: str = "1", language: str | None = None) -> list[str]:
    """Every snapshot of the reply, in order."""
    scope = f"telegram:user:{user}"
    incoming = request(text, platform="telegram", user=user, scope=scope, chat=chat, language=language)
    reply = await app.assistant.handle(incoming)
    return [snapshot async for snapshot in reply.updates]


async def _app(make_app, fake_ollama, *, parallel: int, timeout: float = 1.0):
    fake_ollama.reply = ANSWER
    fake_ollama.parallel = parallel
    fake_ollama.chunk_delay = 0.1  # about 0.7 s an answer
    return await make_app(ollama={"timeout": timeout, "parallel": parallel}, allowed_users=USERS)


async def test_questions_beyond_the_servers_slots_wait_in_souvenir_showing_their_place_and_none_times_out(
    make_app, fake_ollama
):
    app = await _app(make_app, fake_ollama, parallel=2)
    asks = []
    for i in range(6):  # three rounds of 0.7 s: the last ones wait longer than the 1 s silence limit
        asks.append(asyncio.create_task(_ask(app, "What is the gate code?", f"telegram:chat:{i}", str(i + 1))))
        await asyncio.sleep(0.02)
    replies = await asyncio.gather(*asks)

    assert [r[-1] for r in replies] == [ANSWER] * 6  # no timeout, no error
    assert fake_ollama.max_active == 2  # the server never held a request Souvenir had not given it
    queued = [r for r in replies if isinstance(r[0], Notice)]
    assert len(queued) == 4
    assert [q[0] for q in queued] == [
        "⏳ Yours is the next question for the model… The answer will appear here.",
        "⏳ 1 question ahead of yours… The answer will appear here.",
        "⏳ 2 questions ahead of yours… The answer will appear here.",
        "⏳ 3 questions ahead of yours… The answer will appear here.",
    ]
    assert all(not isinstance(s, Notice) for r in replies for s in r[-1:])  # the answer replaced it


async def test_the_place_is_shown_in_french(make_app, fake_ollama):
    app = await _app(make_app, fake_ollama, parallel=1)
    first = asyncio.create_task(_ask(app, "Quel est le code ?", "telegram:chat:1", "1"))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(_ask(app, "Et le wifi ?", "telegram:chat:2", "2", "fr"))
    await asyncio.sleep(0.05)
    third = await _ask(app, "Et la clé ?", "telegram:chat:3", "3", "fr")
    assert (await second)[0] == "⏳ Votre question est la prochaine… La réponse s’affichera ici."
    assert third[0] == "⏳ 1 question avant la vôtre… La réponse s’affichera ici."
    assert third[-1] == (await first)[-1] == ANSWER


async def test_reset_drops_a_queued_question_and_a_newer_question_replaces_it(make_app, fake_ollama):
    app = await _app(make_app, fake_ollama, parallel=1)
    busy = asyncio.create_task(_ask(app, "What is the gate code?", "telegram:chat:busy", "1"))
    await asyncio.sleep(0.05)
    replaced = asyncio.create_task(_ask(app, "Where are the keys?", "telegram:group:9", "2"))
    await asyncio.sleep(0.05)
    dropped = asyncio.create_task(_ask(app, "Who feeds the cat?", "telegram:group:9", "3"))
    await asyncio.sleep(0.05)
    newer = asyncio.create_task(_ask(app, "Where are the car keys?", "telegram:group:9", "2"))
    await asyncio.sleep(0.05)
    assert (await replaced)[-1] == "⏹ This question was replaced by your newer one."
    reset = await app.assistant.handle(
        request(command="reset", platform="telegram", user="3", scope="telegram:user:3", chat="telegram:group:9")
    )
    assert reset.text
    assert (await dropped)[-1].startswith("⏹ This question was dropped: the conversation was reset.")
    assert (await busy)[-1] == ANSWER
    assert (await newer)[-1].startswith("⏹ This question was dropped")  # reset drops every queued one
    asked = [r["messages"][-1]["content"] for r in fake_ollama.chat_requests]
    assert asked == ["What is the gate code?"]  # nothing withdrawn ever reached the server


async def test_status_shows_admins_the_queue_and_each_servers_load_and_others_nothing_of_it(make_app, fake_ollama):
    app = await _app(make_app, fake_ollama, parallel=1)
    asks = []
    for i in range(3):
        asks.append(asyncio.create_task(_ask(app, "What is the gate code?", f"telegram:chat:{i}", str(i + 1))))
        await asyncio.sleep(0.05)
    admin = await (await app.assistant.handle(request(command="status"))).final_text()  # the console owner
    member = await (
        await app.assistant.handle(request(command="status", platform="telegram", user="5", scope="telegram:user:5"))
    ).final_text()
    await asyncio.gather(*asks)
    assert "Model queue: 2 questions waiting in 2 chats" in admin
    assert f"• {fake_ollama.url}: 1/1 busy, 0 answered" in admin
    assert "Model queue" not in member and fake_ollama.url not in member
    french = await (await app.assistant.handle(request(command="status", language="fr"))).final_text()
    assert "File du modèle\u00a0: aucune question en attente." in french  # not "0 question … depuis 0 s"
