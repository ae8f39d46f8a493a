"""Limits protect the machine with clear messages; lists page; CPU work stays off the event loop."""

import threading

from tests.requests import say


async def test_a_full_scope_refuses_new_memories_and_keeps_the_old(make_app):
    app = await make_app(limits={"max_memories_per_scope": 2})
    await say(app, command="teach", args="one")
    await say(app, command="teach", args="two")
    assert "full" in await say(app, command="teach", args="three")
    assert "full" in await say(app, files={"a.txt": b"Alpha. Beta."})
    assert (await app.memory.reading.status("console:user:local")).stats.live == 2


async def test_overlong_and_empty_teachings_are_refused(make_app):
    app = await make_app(limits={"max_text_chars": 20})
    assert "too long" in await say(app, command="teach", args="x" * 21)
    assert "For example: /teach" in await say(app, command="teach", args="   ")
    assert "For example: /correct" in await say(app, command="correct", args="only one side")
    assert (await app.memory.reading.status("console:user:local")).stats.live == 0


async def test_remember_pages_through_memories(make_app):
    app = await make_app()
    for i in range(25):
        await app.memory.teaching.teach("console:user:local", f"Fact number {i}.")
    first = await say(app, command="remember")
    assert "1–10 of 25" in first and "Fact number 24." in first and "remember page 2" in first
    third = await say(app, command="remember", args="page 3")
    assert "21–25 of 25" in third and "Fact number 0." in third and "page 4" not in third


async def test_embedding_runs_off_the_event_loop_thread(make_app):
    app = await make_app()
    await app.memory.teaching.teach("console:user:local", "A fact.")
    await say(app, files={"doc.txt": b"Some document text. Another sentence."})
    await app.memory.reading.search("console:user:local", "fact")
    assert app.embedder.threads
    assert threading.get_ident() not in app.embedder.threads
