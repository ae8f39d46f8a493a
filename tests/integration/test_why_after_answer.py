"""/why sent the moment an answer's last words show names that answer, not the one before."""

import asyncio

from tests.requests import request, say


async def _shown_whole(updates, words: str) -> None:
    """Read snapshots until one shows `words`, then stop, as a renderer waiting between two edits."""
    async for snapshot in updates:
        if isinstance(snapshot, str) and words in snapshot:
            return


async def test_why_sent_as_the_last_words_show_names_that_answer(make_app, fake_ollama):
    app = await make_app()
    await say(app, command="teach", args="The gate code is 4711.")
    fake_ollama.reply = "The gate code is 4711 [#1]."
    reply = await app.assistant.handle(request("What is the gate code?"))
    await _shown_whole(reply.updates, "4711 [#1].")

    why = asyncio.create_task(say(app, command="why"))  # the user reads the answer and asks why
    await asyncio.sleep(0.2)
    assert not why.done(), "/why answered before the answer on screen was logged"
    async for _ in reply.updates:  # the renderer reads on: the exchange is logged
        pass
    text = await asyncio.wait_for(why, 10)
    assert "#1" in text and "gate code is 4711" in text


async def test_why_with_no_answer_in_flight_answers_at_once(make_app):
    app = await make_app()
    assert await asyncio.wait_for(say(app, command="why"), 2) == "I have not answered anything in this chat yet."
