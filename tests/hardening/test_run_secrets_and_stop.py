"""`souvenir run` as a real process: refused or unreachable platforms leak no secret and end it with status 1;
an unreachable one never holds the others back; SIGTERM always stops it cleanly."""

from __future__ import annotations

import asyncio
import signal
import socket
import time
from pathlib import Path

import pytest

from core.redaction import encodings
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.matrix_refusing import RefusingMatrix
from tests.fakes.telegram_server import FakeTelegram
from tests.hardening.processes import souvenir_command, souvenir_env

pytestmark = pytest.mark.timeout(240)

TELEGRAM_TOKEN = "123456:AAtelegramSECRETtoken-value_1"
SECRETS = {
    "SOUVENIR_TELEGRAM__TOKEN": TELEGRAM_TOKEN,
    "SOUVENIR_TELEGRAM__WEBHOOK_SECRET": "webhookSECRETvalue2",
    "SOUVENIR_DISCORD__TOKEN": "MTIzNDU2Nzg5.discordSECRET.tokenvalue3",
    "SOUVENIR_MATRIX__PASSWORD": "p@ss w0rd/SECRET+matrix4",
    "SOUVENIR_MATRIX__ACCESS_TOKEN": "syt_matrixSECRETaccess5",
}
START_TIMEOUT = 8
STOP_DEADLINE = 20


def _closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _platform_env(data_dir: Path, telegram: str, discord: str, matrix: str) -> dict[str, str]:
    return souvenir_env(
        data_dir,
        SOUVENIR_LOG_LEVEL="DEBUG",
        SOUVENIR_START_TIMEOUT=str(START_TIMEOUT),
        SOUVENIR_TELEGRAM__BASE_URL=f"{telegram}/bot",
        SOUVENIR_TELEGRAM__BASE_FILE_URL=f"{telegram}/file/bot",
        SOUVENIR_DISCORD__API_BASE=f"{discord}/api/v10",
        SOUVENIR_DISCORD__GATEWAY_URL=discord.replace("http", "ws") + "/gateway",
        SOUVENIR_MATRIX__HOMESERVER=matrix,
        SOUVENIR_MATRIX__USER_ID="@souvenir:localhost",
        **SECRETS,
    )


class Running:
    """A `souvenir run` child process whose output is collected as it comes."""

    def __init__(self, env: dict[str, str]) -> None:
        self._env = env
        self.output = bytearray()
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task | None = None
        self.started = time.monotonic()

    async def __aenter__(self) -> Running:
        self.process = await asyncio.create_subprocess_exec(
            *souvenir_command("run"),
            env=self._env,
            cwd=str(Path(self._env["SOUVENIR_DATA_DIR"]).parent),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.process and self.process.stdout
        while chunk := await self.process.stdout.read(4096):
            self.output.extend(chunk)

    @property
    def text(self) -> str:
        return self.output.decode(errors="replace")

    async def finish(self, deadline: float) -> tuple[int, float]:
        """Wait for the process to end by itself within `deadline` seconds: its status and lifetime."""
        assert self.process and self._reader
        try:
            await asyncio.wait_for(asyncio.gather(self._reader, self.process.wait()), deadline)
        except TimeoutError:
            pytest.fail(f"souvenir run still running after {deadline} s:\n{self.text[-3000:]}")
        return self.process.returncode or 0, time.monotonic() - self.started

    async def __aexit__(self, *exc: object) -> None:
        if self.process and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


def _assert_no_secret(text: str, where: str) -> None:
    for name, secret in SECRETS.items():
        for form in encodings(secret) | {secret.split(":")[-1]}:
            assert form not in text, f"{name} leaked in {where} as {form!r}"


def _assert_no_secret_in_files(data_dir: Path) -> None:
    for path in data_dir.rglob("*"):
        if path.is_file():
            _assert_no_secret(path.read_bytes().decode("latin-1"), str(path))


async def test_every_platform_refusing_the_credentials_ends_run_with_status_1_and_no_secret(tmp_path):
    async with (
        FakeTelegram("999:not-ours") as telegram,
        FakeDiscord("not-ours") as discord,
        RefusingMatrix() as hs,
    ):
        async with Running(_platform_env(tmp_path / "data", telegram.url, discord.url, hs.url)) as run:
            rc, _ = await run.finish(START_TIMEOUT + 50)
        assert hs.requests, "the homeserver was really asked"
    assert rc == 1, run.text
    assert "no platform could start" in run.text
    for platform in ("telegram", "discord", "matrix"):
        assert f"{platform} did not start" in run.text, run.text
    _assert_no_secret(run.text, "the output (DEBUG)")
    _assert_no_secret_in_files(tmp_path / "data")


async def test_unreachable_platforms_are_given_up_after_the_start_timeout(tmp_path):
    closed = f"http://127.0.0.1:{_closed_port()}"
    async with Running(_platform_env(tmp_path / "data", closed, closed, closed)) as run:
        rc, _ = await run.finish(START_TIMEOUT + 50)
    assert rc == 1, run.text
    assert f"matrix did not start within {START_TIMEOUT} s" in run.text, run.text
    _assert_no_secret(run.text, "the output (DEBUG)")


async def test_one_unreachable_platform_does_not_hold_back_the_others_and_sigterm_stops_cleanly(tmp_path):
    closed = f"http://127.0.0.1:{_closed_port()}"
    async with FakeTelegram(TELEGRAM_TOKEN) as telegram:
        env = _platform_env(tmp_path / "data", telegram.url, closed, closed)
        env["SOUVENIR_START_TIMEOUT"] = "300"  # the Matrix login is still being retried when the user stops
        env["SOUVENIR_ALLOWED_USERS"] = "telegram:42"
        env.pop("SOUVENIR_TELEGRAM__WEBHOOK_SECRET")
        async with Running(env) as run:
            await telegram.wait_for(lambda: telegram.sent("getUpdates"), timeout=60)
            telegram.push_message("/teach the spare key is under the blue pot", user_id=42)
            await telegram.wait_for(lambda: any("#" in text for text in telegram.chat_text(42)), timeout=30)
            assert "Souvenir is running" not in run.text, (
                "Matrix is still starting, yet Telegram already answers"
            )
            assert run.process is not None
            run.process.send_signal(signal.SIGTERM)
            rc, _ = await run.finish(STOP_DEADLINE)
    assert rc == 0, run.text
    for unclean in ("did not stop cleanly", "CancelledError", "Task was destroyed", "Unclosed", "uncaught"):
        assert unclean not in run.text, run.text
    assert "telegram started" in run.text and "Souvenir stopped." in run.text
    _assert_no_secret(run.text, "the output (DEBUG)")
