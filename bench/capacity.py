"""Capacity: `souvenir run` on Telegram (the real python-telegram-bot against the local Bot API stand-in)
and Ollama stand-ins, measured from outside the process.

Scenarios (each starts its own `souvenir run`, on fresh data):
  users     N users × 5 questions with an instant model that takes every request at once (no queue: what
            Souvenir itself costs), after a baseline of B users × 5: lost or error answers, and
            CPU-seconds of the Souvenir process per answer (ratio to the baseline).
  queue     a server with 2 slots and slow answers, 20 users at once: timeouts, time until each queued
            user sees a place, and fairness: a group chat with 5 queued questions, then another chat.
  failover  two servers, one killed mid-run: questions answered.
  uploads   three 200 KB uploads at once while other chats talk: peak RSS against the baseline RSS, and
            the p95 answer time of the other chats against the same chats without uploads.

    python -m bench.capacity [--users 200 --baseline-users 50] [--only users,queue,...] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.beir import DEFAULT_DATASET
from bench.common import machine, run_benchmark
from bench.ingest import sample_text
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.telegram_server import FakeTelegram

TOKEN = "123456:CAPACITY-bench"
ANSWER = "The answer is forty two."
ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")
FAILED = ("⚠️", "Sorry, something went wrong")
GROUP = -100_777
THINK_SECONDS = 1.0


class WatchedTelegram(FakeTelegram):
    """The Bot API stand-in, noting per chat when each bot message appeared and what it reads now."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.by_chat: dict[int, dict[int, str]] = {}
        self.first_seen: dict[int, list[tuple[float, str]]] = {}
        self.changed: dict[int, asyncio.Event] = {}

    def _note(self, chat_id: int, message_id: int, text: str) -> None:
        messages = self.by_chat.setdefault(chat_id, {})
        if message_id not in messages:
            self.first_seen.setdefault(chat_id, []).append((time.monotonic(), text))
        messages[message_id] = text
        self.changed.setdefault(chat_id, asyncio.Event()).set()

    async def _m_sendMessage(self, params: dict):
        response = await super()._m_sendMessage(params)
        self._note(int(params["chat_id"]), self._next_message, params["text"])
        return response

    async def _m_editMessageText(self, params: dict):
        response = await super()._m_editMessageText(params)
        if response.status == 200:
            self._note(int(params["chat_id"]), int(params["message_id"]), params["text"])
        return response

    def finished(self, chat_id: int, done: tuple[str, ...]) -> list[str]:
        """The bot messages of a chat that read as a final answer or a failure."""
        return [
            t for t in self.by_chat.get(chat_id, {}).values() if t.startswith(done) or t.startswith(FAILED)
        ]

    async def until(self, chat_id: int, predicate, timeout: float) -> bool:
        """Wait until `predicate()` holds for this chat (False on timeout)."""
        deadline = time.monotonic() + timeout
        event = self.changed.setdefault(chat_id, asyncio.Event())
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), left)
        return True


class Souvenir:
    """One `souvenir run` process, its CPU time and resident memory read from /proc."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: asyncio.subprocess.Process | None = None
        Path(env["SOUVENIR_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
        self.log = (Path(env["SOUVENIR_DATA_DIR"]) / "souvenir.log").open("w+b")

    async def start(self, telegram: WatchedTelegram) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), **self.env}
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            cwd=self.env["SOUVENIR_DATA_DIR"],
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 240
        while not any(c.method == "getUpdates" for c in telegram.calls):
            if self.process.returncode is not None or time.monotonic() > deadline:
                self.log.seek(0)
                raise RuntimeError("souvenir run did not start:\n" + self.log.read().decode()[-3000:])
            await asyncio.sleep(0.1)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def errors_logged(self) -> int:
        self.log.seek(0)
        return self.log.read().decode(errors="replace").count("Traceback")

    def warnings_logged(self) -> int:
        self.log.seek(0)
        return self.log.read().decode(errors="replace").count(" WARNING ")

    async def stop(self) -> None:
        if self.process and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


def _env(data: Path, telegram: WatchedTelegram, users: int, **extra: str) -> dict[str, str]:
    return {
        "SOUVENIR_DATA_DIR": str(data),
        "SOUVENIR_LANGUAGE": "en",
        "SOUVENIR_LOG_LEVEL": "WARNING",
        "SOUVENIR_TELEGRAM__TOKEN": TOKEN,
        "SOUVENIR_TELEGRAM__BASE_URL": f"{telegram.url}/bot",
        "SOUVENIR_TELEGRAM__BASE_FILE_URL": f"{telegram.url}/file/bot",
        "SOUVENIR_ALLOWED_USERS": ",".join(f"telegram:{u}" for u in range(1, users + 1)),
        "SOUVENIR_EMBEDDINGS__MODEL": "packaged",
        **extra,
    }


async def _ask(
    tg: WatchedTelegram, user: int, text: str, *, nth: int, timeout: float, done=(ANSWER,), **push
) -> str:
    """Send one question and wait for the `nth` finished message of that chat; its text or 'lost'."""
    chat = push.get("chat_id", user)
    tg.push_message(text, user_id=user, **push)
    if not await tg.until(chat, lambda: len(tg.finished(chat, done)) >= nth, timeout):
        return "lost"
    return tg.finished(chat, done)[nth - 1]


# --- (1) many users, an instant model --------------------------------------------------------------


async def users_wave(tg: WatchedTelegram, souvenir: Souvenir, first: int, count: int, questions: int) -> dict:
    """`count` users (ids from `first`) each asking `questions` questions one after another."""

    waits: list[float] = []

    async def user(uid: int) -> list[str]:
        answers = []
        for k in range(questions):
            asked = time.monotonic()
            answers.append(await _ask(tg, uid, f"What is question {k} about?", nth=k + 1, timeout=120))
            waits.append(time.monotonic() - asked)
        return answers

    calls, cpu, started = len(tg.calls), souvenir.cpu_seconds(), time.monotonic()
    results = [
        a for answers in await asyncio.gather(*(user(first + i) for i in range(count))) for a in answers
    ]
    cpu, wall = souvenir.cpu_seconds() - cpu, time.monotonic() - started
    ok = sum(1 for a in results if a == ANSWER)
    made = [c.method for c in tg.calls[calls:]]
    return {
        "users": count,
        "answers": ok,
        "lost": sum(1 for a in results if a == "lost"),
        "errors": sum(1 for a in results if a not in (ANSWER, "lost")),
        "cpu_s_per_answer": round(cpu / max(ok, 1), 4),
        "answers_per_s": round(ok / wall, 1),
        "mean_answer_s": round(float(np.mean(waits)), 2),
        "bot_api_calls_per_answer": round(len(made) / max(ok, 1), 2),
        "typing_per_answer": round(made.count("sendChatAction") / max(ok, 1), 2),
    }


async def scenario_users(args, tg: WatchedTelegram, tmp: Path) -> dict:
    async with FakeOllama(ANSWER) as ollama:
        total = args.baseline_users + args.users
        souvenir = Souvenir(
            _env(
                tmp / "users",
                tg,
                total + 1,
                SOUVENIR_OLLAMA__HOST=ollama.url,
                SOUVENIR_OLLAMA__PARALLEL="512",
            )
        )
        (tmp / "users").mkdir(parents=True, exist_ok=True)
        await souvenir.start(tg)
        try:
            await _ask(tg, total + 1, "warm up", nth=1, timeout=240)
            baseline = await users_wave(tg, souvenir, 1, args.baseline_users, args.questions)
            many = await users_wave(tg, souvenir, args.baseline_users + 1, args.users, args.questions)
            rss = souvenir.rss_mb()
        finally:
            await souvenir.stop()
        return {
            "baseline": baseline,
            "many": many,
            "cpu_ratio_many_vs_baseline": round(
                many["cpu_s_per_answer"] / max(baseline["cpu_s_per_answer"], 1e-9), 2
            ),
            "rss_mb_after": round(rss),
            "tracebacks_logged": souvenir.errors_logged(),
            "warnings_logged": souvenir.warnings_logged(),
        }


# --- (2) a 2-slot server with slow answers ------------------------------------------------------------


async def scenario_queue(args, tg: WatchedTelegram, tmp: Path) -> dict:
    words = 10
    answer = " ".join(["slow"] * (words - 1) + ["answer."])
    async with FakeOllama(answer) as ollama:
        ollama.parallel = 2
        ollama.chunk_delay = args.answer_seconds / words
        timeout = args.answer_seconds * 3  # far less than the 10 rounds the last user waits
        data = tmp / "queue"
        data.mkdir(parents=True, exist_ok=True)
        souvenir = Souvenir(
            _env(
                data,
                tg,
                40,
                SOUVENIR_OLLAMA__HOST=ollama.url,
                SOUVENIR_OLLAMA__PARALLEL="2",
                SOUVENIR_OLLAMA__TIMEOUT=f"{timeout:g}",
                SOUVENIR_EMBEDDINGS__MODEL="hashing",
            )
        )
        await souvenir.start(tg)
        try:
            await _ask(tg, 40, "warm up", nth=1, timeout=120, done=(answer,))
            users = list(range(1, 21))
            pushed: dict[int, float] = {}

            async def one(uid: int) -> str:
                pushed[uid] = time.monotonic()
                return await _ask(tg, uid, "Tell me slowly.", nth=1, timeout=timeout * 12, done=(answer,))

            started = time.monotonic()
            finals = await asyncio.gather(*(one(u) for u in users))
            wall = time.monotonic() - started
            firsts = {u: tg.first_seen[u][0] for u in users if u in tg.first_seen}
            queued = [t - pushed[u] for u, (t, text) in firsts.items() if text.startswith("⏳")]
            fairness = await _fairness(tg, ollama, timeout, args.answer_seconds, answer)
        finally:
            await souvenir.stop()
    return {
        "answer_s": args.answer_seconds,
        "timeout_s": timeout,
        "users": len(users),
        "answered": finals.count(answer),
        "timeouts": sum(1 for f in finals if "did not answer" in f),
        "lost": finals.count("lost"),
        "queued_users_shown_a_place": len(queued),
        "place_shown_max_s": round(max(queued, default=0.0), 2),
        "place_shown_p95_s": round(float(np.percentile(queued, 95)) if queued else 0.0, 2),
        "wall_s": round(wall, 1),
        "server_max_active": ollama.max_active,
        **fairness,
    }


async def _fairness(
    tg: WatchedTelegram, ollama: FakeOllama, timeout: float, answer_s: float, answer: str
) -> dict:
    """Two busy slots, a group chat queues 5 questions, then another chat asks: count who goes first."""
    step = answer_s / 6  # well within the busy answers: everything after them queues
    ollama.chat_requests.clear()
    busy = [
        asyncio.create_task(_ask(tg, 30 + i, f"busy {i}", nth=1, timeout=timeout * 6, done=(answer,)))
        for i in range(2)
    ]
    await asyncio.sleep(step)
    group = [
        asyncio.create_task(
            _ask(
                tg,
                21 + i,
                f"group question {i}",
                nth=i + 1,
                timeout=timeout * 10,
                done=(answer,),
                chat_id=GROUP,
                chat_type="group",
                reply_to_bot=True,
            )
        )
        for i in range(5)
    ]
    await asyncio.sleep(step)
    other = asyncio.create_task(
        _ask(tg, 26, "the other chat's first question", nth=1, timeout=timeout * 10, done=(answer,))
    )
    await asyncio.gather(other, *busy, *group)
    order = [r["messages"][-1]["content"] for r in ollama.chat_requests]
    position = next(i for i, text in enumerate(order) if "other chat" in text)
    return {
        "group_questions_served_before_other_chat": sum(1 for t in order[:position] if "group question" in t)
    }


# --- (3) two servers, one killed ----------------------------------------------------------------------


async def scenario_failover(args, tg: WatchedTelegram, tmp: Path) -> dict:
    first, second = FakeOllama(ANSWER), FakeOllama(ANSWER)
    await first.__aenter__()
    await second.__aenter__()
    for server in (first, second):
        server.parallel = 2
        server.chunk_delay = 0.1
    data = tmp / "failover"
    data.mkdir(parents=True, exist_ok=True)
    souvenir = Souvenir(
        _env(
            data,
            tg,
            21,
            SOUVENIR_OLLAMA__SERVERS=f"{first.url} 2, {second.url} 2",
            SOUVENIR_OLLAMA__RECHECK="5",
            SOUVENIR_EMBEDDINGS__MODEL="hashing",
        )
    )
    await souvenir.start(tg)
    try:
        await _ask(tg, 21, "warm up", nth=1, timeout=120)

        async def user(uid: int) -> list[str]:
            return [await _ask(tg, uid, f"Question {k}?", nth=k + 1, timeout=60) for k in range(3)]

        wave = asyncio.gather(*(user(u) for u in range(1, 21)))
        while len(first.chat_requests) + len(second.chat_requests) < 20:
            await asyncio.sleep(0.05)
        in_hand = first.active
        await first.__aexit__(None, None, None)  # killed mid-run
        finals = [a for answers in await wave for a in answers]
    finally:
        await souvenir.stop()
        await second.__aexit__(None, None, None)
    return {
        "questions": len(finals),
        "answered": finals.count(ANSWER),
        "lost": finals.count("lost"),
        "errors": sum(1 for a in finals if a not in (ANSWER, "lost")),
        "answering_when_killed": in_hand,
        "answered_by_survivor": len(second.chat_requests),
    }


# --- (4) uploads while others talk ----------------------------------------------------------------------


async def _talkers(tg: WatchedTelegram, users: list[int], stop: asyncio.Event, times: list[float]) -> None:
    async def talk(uid: int) -> None:
        n = len(tg.finished(uid, (ANSWER,)))
        while not stop.is_set():
            n += 1
            started = time.monotonic()
            if await _ask(tg, uid, f"What about item {n}?", nth=n, timeout=120) == ANSWER:
                times.append(time.monotonic() - started)
            await asyncio.sleep(THINK_SECONDS)  # a person reads the answer before the next question

    await asyncio.gather(*(talk(u) for u in users))


async def scenario_uploads(args, tg: WatchedTelegram, tmp: Path) -> dict:
    text = sample_text(DEFAULT_DATASET, 200_000)
    async with FakeOllama(ANSWER) as ollama:
        data = tmp / "uploads"
        data.mkdir(parents=True, exist_ok=True)
        souvenir = Souvenir(
            _env(data, tg, 20, SOUVENIR_OLLAMA__HOST=ollama.url, SOUVENIR_OLLAMA__PARALLEL="512")
        )
        await souvenir.start(tg)
        try:
            talkers = list(range(4, 14))
            for uid in [*talkers, 1, 2, 3]:  # every chat has talked once: the embedder and indexes are warm
                await _ask(tg, uid, "warm up", nth=1, timeout=240)
            baseline_rss = souvenir.rss_mb()
            quiet: list[float] = []
            stop = asyncio.Event()
            talking = asyncio.create_task(_talkers(tg, talkers, stop, quiet))
            await asyncio.sleep(args.quiet_seconds)
            stop.set()
            await talking
            peak = [souvenir.rss_mb()]
            sampling = asyncio.Event()

            async def sample() -> None:
                while not sampling.is_set():
                    peak.append(souvenir.rss_mb())
                    await asyncio.sleep(0.02)

            sampler = asyncio.create_task(sample())
            busy: list[float] = []
            stop = asyncio.Event()
            talking = asyncio.create_task(_talkers(tg, talkers, stop, busy))
            started = time.monotonic()
            for uid in (1, 2, 3):
                tg.add_file(f"doc{uid}", (text + f" Upload {uid}.").encode())
            uploads = [
                _ask(
                    tg,
                    uid,
                    None,
                    nth=1,
                    timeout=600,
                    done=("✅",),
                    document={
                        "file_id": f"doc{uid}",
                        "file_unique_id": f"u{uid}",
                        "file_name": f"notes{uid}.txt",
                        "mime_type": "text/plain",
                        "file_size": len(text),
                    },
                )
                for uid in (1, 2, 3)
            ]
            results = await asyncio.gather(*uploads)
            upload_wall = time.monotonic() - started
            stop.set()
            await talking
            sampling.set()
            await sampler
            after = souvenir.rss_mb()
        finally:
            await souvenir.stop()
    p95_quiet = float(np.percentile(quiet, 95)) if quiet else 0.0
    p95_busy = float(np.percentile(busy, 95)) if busy else 0.0
    return {
        "uploads_stored": sum(1 for r in results if r.startswith("✅")),
        "upload_kb": round(len(text) / 1024),
        "uploads_wall_s": round(upload_wall, 1),
        "rss_baseline_mb": round(baseline_rss),
        "rss_peak_mb": round(max(peak)),
        "rss_peak_over_baseline_mb": round(max(peak) - baseline_rss),
        "rss_after_mb": round(after),
        "answers_quiet": len(quiet),
        "answers_during_uploads": len(busy),
        "p95_answer_quiet_s": round(p95_quiet, 3),
        "p95_answer_during_uploads_s": round(p95_busy, 3),
        "p95_ratio_uploads_vs_quiet": round(p95_busy / p95_quiet, 2) if p95_quiet else None,
    }


SCENARIOS = {
    "users": scenario_users,
    "queue": scenario_queue,
    "failover": scenario_failover,
    "uploads": scenario_uploads,
}


def _load() -> dict:
    with contextlib.suppress(OSError):
        return {"loadavg_1m": round(os.getloadavg()[0], 2)}
    return {}


async def measure(args: argparse.Namespace) -> dict:
    figures: dict = {"machine": machine()}
    chosen = [name.strip() for name in args.only.split(",") if name.strip()] if args.only else list(SCENARIOS)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(args.workdir or scratch)
        for name in chosen:
            async with WatchedTelegram(TOKEN) as tg:
                load = _load()
                figures[name] = {
                    **await SCENARIOS[name](args, tg, tmp),
                    "load_before": load,
                    "load_after": _load(),
                }
                print(f"{name}: {figures[name]}", file=sys.stderr, flush=True)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--baseline-users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument(
        "--answer-seconds", type=float, default=3.0, help="model answer time in the queue scenario"
    )
    parser.add_argument(
        "--quiet-seconds", type=float, default=8.0, help="talk without uploads, for the baseline"
    )
    parser.add_argument("--only", default="", help="comma-separated scenarios: " + ", ".join(SCENARIOS))
    parser.add_argument("--workdir", default="", help="keep each run's data and souvenir.log here")
    parser.add_argument("--json", action="store_true")
    run_benchmark(parser.parse_args(argv), measure)


if __name__ == "__main__":
    main()
