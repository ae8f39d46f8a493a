"""`souvenir run`: every configured platform in one event loop, or the console when none is."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Iterator

from adapters.console import ConsoleAdapter
from bot.app import App
from bot.platforms import Platform, configured_platforms

log = logging.getLogger(__name__)
STOP_TIMEOUT = 15.0


async def warm_up(app: App) -> None:
    """Load the embedding model before the first message, then take the start-up heap out of GC sweeps.

    The model leaves ~450k long-lived objects; every full collection would scan them all while
    holding the GIL (~300 ms here), stalling the event loop whichever thread triggered it.
    """
    await asyncio.to_thread(app.embedder.embed, ["warm up"])
    gc.freeze()


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set `stop` for as long as the block runs (installed before anything can hang)."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except NotImplementedError:  # an event loop without signal handlers (Windows)
            log.debug("no handler for %s on this event loop: the default one stays", sig.name)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def _start_one(platform: Platform, timeout: float) -> bool:
    """Start one platform within `timeout`; on failure (or cancellation) undo what it had begun."""
    try:
        await asyncio.wait_for(platform.start(), timeout)
    except asyncio.CancelledError:
        await _stop_one(platform)
        raise
    except TimeoutError:
        log.error("%s did not start within %.0f s (server unreachable?)", platform.name, timeout)
    except Exception as error:
        log.error("%s did not start: %s: %s", platform.name, type(error).__name__, error)
        log.debug("%s start failure", platform.name, exc_info=True)
    else:
        log.info("%s started", platform.name)
        return True
    await _stop_one(platform)
    return False


async def _stop_one(platform: Platform) -> None:
    """Stop one platform, bounded in time; a failure to stop is logged, never raised."""
    try:
        await asyncio.wait_for(platform.stop(), STOP_TIMEOUT)
    except Exception:
        log.warning("%s did not stop cleanly", platform.name, exc_info=True)


async def start_platforms(platforms: list[Platform], stop: asyncio.Event, timeout: float) -> list[Platform]:
    """Start every platform at once, each bounded by `timeout`; a stop request abandons those still starting."""
    tasks = {asyncio.create_task(_start_one(p, timeout), name=f"start-{p.name}"): p for p in platforms}
    stopping = asyncio.create_task(stop.wait())
    pending = set(tasks)
    while pending and not stop.is_set():
        _, pending = await asyncio.wait(pending | {stopping}, return_when=asyncio.FIRST_COMPLETED)
        pending.discard(stopping)
    stopping.cancel()
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return [
        p for task, p in tasks.items() if not task.cancelled() and task.exception() is None and task.result()
    ]


def pairing_hint(platforms: list[Platform], code: str, minutes: int) -> str:
    """`send '!start CODE' on matrix, or '/start CODE' on telegram…`: each platform's own syntax."""
    by_prefix: dict[str, list[str]] = {}
    for platform in platforms:
        by_prefix.setdefault(getattr(platform, "prefix", "/"), []).append(platform.name)
    ways = [f"'{prefix}start {code}' on {' or '.join(names)}" for prefix, names in by_prefix.items()]
    return f"send {', or '.join(ways)} within {minutes} minutes to become the owner of the bot"


async def run_platforms(app: App, platforms: list[Platform], *, start_timeout: float = 60.0) -> int:
    """Start the platforms, print the pairing code, and run until SIGINT/SIGTERM; 1 when none could start."""
    stop = asyncio.Event()
    started: list[Platform] = []
    with stop_on_signals(stop):
        try:
            await warm_up(app)
            code = app.assistant.access.new_pairing_code()
            minutes = round(app.assistant.access.rules.pairing_ttl / 60)
            print(f"Pairing code: {code}  ({pairing_hint(platforms, code, minutes)})", flush=True)
            started = await start_platforms(platforms, stop, start_timeout)
            if stop.is_set():
                return 0
            if not started:
                log.error("no platform could start")
                return 1
            missing = [p.name for p in platforms if p not in started]
            note = f" ({', '.join(missing)} did not start)" if missing else ""
            print(
                f"Souvenir is running on {', '.join(p.name for p in started)}{note}. Ctrl-C to stop.",
                flush=True,
            )
            await stop.wait()
            return 0
        finally:
            for platform in reversed(started):
                await _stop_one(platform)
            if started:
                print("Souvenir stopped.", flush=True)


async def run(app: App) -> int:
    """The main job: platforms when configured, else the console assistant."""
    platforms = configured_platforms(app.settings, app.assistant)
    if not platforms:
        await ConsoleAdapter(app.assistant, language=app.settings.language).run()
        return 0
    return await run_platforms(app, platforms, start_timeout=app.settings.start_timeout)
