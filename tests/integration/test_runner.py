"""`souvenir run`: platforms start together, a broken one does not stop the others, SIGTERM stops all."""

import asyncio
import os
import signal
import subprocess
import sys

from bot.platforms import configured_platforms
from bot.runner import run_platforms
from tests.fakes.platform import RecordingPlatform

TOKEN = "123456:SECRET-TOKEN-abcdef"
RUN = """
import asyncio, sys
from bot.app import build_app
from bot.logging_setup import configure_logging
from bot.runner import run_platforms
from tests.fakes.platform import RecordingPlatform
from bot.settings import Settings
from core.embeddings.fake import HashingEmbedder
from tests.fakes.platform import RecordingPlatform

async def main():
    settings = Settings(_env_file=None, data_dir=sys.argv[1], telegram={"token": sys.argv[2]}, language="en")
    configure_logging(settings)
    app = await build_app(settings, embedder=HashingEmbedder())
    failing = f"cannot reach https://api.telegram.org/bot{sys.argv[2]}/getMe"
    platforms = [RecordingPlatform("one"), RecordingPlatform("broken", fail_with=failing), RecordingPlatform("two")]
    try:
        return await run_platforms(app, platforms)
    finally:
        await app.close()

sys.exit(asyncio.run(main()))
"""


def test_run_starts_all_prints_a_pairing_code_keeps_secrets_out_of_the_log_and_stops_on_sigterm(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-c", RUN, str(tmp_path / "data"), TOKEN],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Souvenir is running" in line:
                break
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, err
    printed = [line.strip() for line in "".join(lines).splitlines() + out.splitlines()]
    lifecycle = [line for line in printed if line.startswith(("start ", "stop "))]
    assert set(lifecycle[:3]) == {"start one", "start two", "stop broken"}, "started together; a failed start undone"
    assert lifecycle[3:] == ["stop two", "stop one"]
    code = next(line for line in printed if line.startswith("Pairing code:")).split()[2]
    assert f"/start {code}" in "".join(lines)
    assert "broken did not start" in err
    assert "SECRET-TOKEN" not in err + out and "123456" not in err + out


async def test_a_hanging_platform_holds_back_no_other_and_is_given_up(make_app, capsys, caplog):
    app = await make_app()
    platforms = [RecordingPlatform("stuck", hang=True), RecordingPlatform("one")]
    loop = asyncio.get_running_loop()
    loop.call_later(0.3, print, "seen running")
    loop.call_later(0.8, os.kill, os.getpid(), signal.SIGTERM)
    assert await run_platforms(app, platforms, start_timeout=0.5) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith(("start ", "stop ", "seen "))]
    assert lines[:2] == ["start one", "seen running"], "one served before stuck was given up"
    assert "stop stuck" in lines and lines[-1] == "stop one"
    assert "stuck did not start within" in caplog.text
    assert "Souvenir is running on one (stuck did not start)" in out


async def test_sigterm_while_a_platform_is_still_starting_stops_cleanly(make_app, capsys):
    app = await make_app()
    platforms = [RecordingPlatform("stuck", hang=True), RecordingPlatform("one")]
    asyncio.get_running_loop().call_later(0.3, os.kill, os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(run_platforms(app, platforms, start_timeout=60), 10) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("start ", "stop "))]
    assert "stop stuck" in lines and lines[-1] == "stop one"


async def test_run_fails_when_no_platform_starts(make_app):
    app = await make_app()
    assert await run_platforms(app, [RecordingPlatform("broken", fail_with="refused")]) == 1


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
