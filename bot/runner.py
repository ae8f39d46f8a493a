"""`souvenir run`: every configured platform in one event loop, or the console when none is."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal

from adapters.console import ConsoleAdapter
from bot.app import App
from bot.platforms import Platform, configured_platforms

log = logging.getLogger(__name__)


async def warm_up(app: App) -> None:
    """Load the embedding model before the first message, then take the start-up heap out of GC sweeps.

    The model leaves ~450k long-lived objects; every full collection would scan them all while
    holding the GIL (~300 ms here), stalling the event loop whichever thread triggered it.
    """
    await asyncio.to_thread(app.embedder.embed, ["warm up"])
    gc.freeze()


async def run_platforms(app: App, platforms: list[Platform]) -> int:
    """Start the platforms, print the pairing code, and run until SIGINT/SIGTERM."""
    await warm_up(app)
    code = app.assistant.access.new_pairing_code()
    print(f"Pairing code: {code}  (send '/start {code}' to the bot to become its owner)", flush=True)
    started: list[Platform] = []
    for platform in platforms:
        try:
            await platform.start()
        except Exception as error:
            log.error("%s did not start: %s", platform.name, type(error).__name__, exc_info=True)
            continue
        started.append(platform)
        log.info("%s started", platform.name)
    if not started:
        log.error("no platform could start")
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    print(f"Souvenir is running on {', '.join(p.name for p in started)}. Ctrl-C to stop.", flush=True)
    try:
        await stop.wait()
    finally:
        for platform in reversed(started):
            try:
                await asyncio.wait_for(platform.stop(), timeout=15)
            except Exception:
                log.warning("%s did not stop cleanly", platform.name, exc_info=True)
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)
    return 0


async def run(app: App) -> int:
    """The main job: platforms when configured, else the console assistant."""
    platforms = configured_platforms(app.settings, app.assistant)
    if not platforms:
        await ConsoleAdapter(app.assistant, language=app.settings.language).run()
        return 0
    return await run_platforms(app, platforms)
