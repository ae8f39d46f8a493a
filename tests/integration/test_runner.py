"""`souvenir run`: platforms start together, a broken one does not stop the others, SIGTERM stops all."""

import asyncio
import os
import signal

from bot.platforms import configured_platforms
from bot.runner import run_platforms


class RecordingPlatform:
    """A platform double that records its lifecycle."""

    def __init__(self, name: str, events: list, *, fail: bool = False):
        self.name = name
        self._events = events
        self._fail = fail

    async def start(self):
        if self._fail:
            raise ConnectionError("cannot reach https://api.example/botSECRET-TOKEN")
        self._events.append(("start", self.name))

    async def stop(self):
        self._events.append(("stop", self.name))


async def test_run_starts_all_prints_a_pairing_code_and_stops_on_sigterm(make_app, capsys, caplog):
    app = await make_app()
    events: list = []
    platforms = [RecordingPlatform("one", events), RecordingPlatform("broken", events, fail=True),
                 RecordingPlatform("two", events)]
    asyncio.get_running_loop().call_later(0.2, os.kill, os.getpid(), signal.SIGTERM)
    assert await run_platforms(app, platforms) == 0
    assert events == [("start", "one"), ("start", "two"), ("stop", "two"), ("stop", "one")]
    out = capsys.readouterr().out
    code = app.assistant.access.pairing_code
    assert code and f"/start {code}" in out
    assert "broken did not start" in caplog.text


async def test_run_fails_when_no_platform_starts(make_app):
    app = await make_app()
    assert await run_platforms(app, [RecordingPlatform("broken", [], fail=True)]) == 1


async def test_no_configured_platform_means_the_console(make_app):
    app = await make_app()
    assert configured_platforms(app.settings, app.assistant) == []


async def test_warm_up_loads_the_model_off_the_loop_and_freezes_the_start_up_heap(make_app):
    import gc
    import threading

    from bot.runner import warm_up

    app = await make_app()
    gc.unfreeze()
    try:
        await warm_up(app)
        assert app.embedder.calls == [1], "the model is used once before the first message"
        assert threading.get_ident() not in app.embedder.threads, "loading ran in a worker"
        assert gc.get_freeze_count() > 0, "long-lived start-up objects are kept out of full collections"
    finally:
        gc.unfreeze()
