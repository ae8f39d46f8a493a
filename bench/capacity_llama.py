"""Failover on real model servers: bench.capacity's failover scenario with two real llama.cpp servers.

`souvenir run` on Telegram (the real python-telegram-bot against the local Bot API stand-in) gets
U users × Q questions, answered by two llama.cpp servers (llama-cpp-python with the small Gemma 3
model, one slot each, answers capped at 64 tokens); once the wave is under way one server is killed
(SIGKILL) while it answers. Counted from Souvenir's interaction log: questions answered by a model,
empty answers (the model's own), failures shown to the user, and questions lost (no answer at all).
The 270M model's answers are poor: this measures the protocol and the failover, not the answers.
Needs `pip install -e '.[llamacpp]'` (llama.cpp builds from source: about 10 minutes on 2 cores).

    python -m bench.capacity_llama [--users 6 --questions 2] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.capacity import TOKEN, Souvenir, WatchedTelegram, _env
from bench.common import machine, run_benchmark
from tests.llama_cpp_server import ALIAS, LlamaCppServer

EMPTY = "gave an empty answer"


def _interactions(data: Path) -> list[tuple[str, str, str]]:
    """(chat key, model, answer) of every logged exchange, read beside the running process."""
    database = data / "souvenir.db"
    if not database.exists():
        return []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
        return db.execute("SELECT chat_key, model, output FROM interactions ORDER BY id").fetchall()


async def _answered(data: Path, user: int, count: int, timeout: float) -> bool:
    """Wait until `user`'s chat has `count` logged exchanges."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(1 for chat, _, _ in _interactions(data) if chat == f"telegram:chat:{user}") >= count:
            return True
        await asyncio.sleep(0.25)
    return False


async def measure(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        servers = [LlamaCppServer(tmp), LlamaCppServer(tmp)]
        try:
            await asyncio.gather(*(asyncio.to_thread(s.wait_ready) for s in servers))
            return await _run(args, tmp, servers)
        finally:
            for server in servers:
                server.stop()


async def _run(args: argparse.Namespace, tmp: Path, servers: list[LlamaCppServer]) -> dict:
    data = tmp / "data"
    warm = args.users + 1
    async with WatchedTelegram(TOKEN) as tg:
        souvenir = Souvenir(
            _env(
                data,
                tg,
                warm,
                SOUVENIR_OLLAMA__SERVERS=", ".join(f"openai {s.url} 1" for s in servers),
                SOUVENIR_OLLAMA__MODEL=ALIAS,
                SOUVENIR_OLLAMA__ANSWER_TOKENS="64",
                SOUVENIR_OLLAMA__TEMPERATURE="0",
                SOUVENIR_OLLAMA__RECHECK="600",
                SOUVENIR_EMBEDDINGS__MODEL="hashing",
            )
        )
        await souvenir.start(tg)
        try:
            tg.push_message("Count from 1 to 10.", user_id=warm)
            if not await _answered(data, warm, 1, 300):
                raise RuntimeError("the warm-up question was not answered")

            async def user(uid: int) -> int:
                for k in range(args.questions):
                    tg.push_message(f"Question {k}: count from 1 to 20, please.", user_id=uid)
                    if not await _answered(data, uid, k + 1, 300):
                        return k
                return args.questions

            started = time.monotonic()
            wave = asyncio.gather(*(user(u) for u in range(1, args.users + 1)))
            while len(_interactions(data)) < 3:  # both servers busy, the queue full: kill one mid-answer
                await asyncio.sleep(0.1)
            await asyncio.to_thread(servers[0].kill)
            killed_after = len(_interactions(data)) - 1
            await wave
            wall = time.monotonic() - started
            souvenir.log.seek(0)
            cut = souvenir.log.read().decode(errors="replace").count("failed (LLMCut)")
        finally:
            await souvenir.stop()
    logged = [(model, text) for chat, model, text in _interactions(data) if chat != f"telegram:chat:{warm}"]
    asked = args.users * args.questions
    return {
        "machine": machine(),
        "questions": asked,
        "answered_by_a_model": sum(1 for model, _ in logged if model != "(offline)"),
        "empty_answers_of_the_model": sum(1 for _, text in logged if EMPTY in text),
        "failures_shown": sum(1 for model, text in logged if model == "(offline)" and EMPTY not in text),
        "lost": asked - len(logged),
        "answered_before_the_kill": killed_after,
        "answers_cut_by_the_kill_and_restarted": cut,
        "wall_s": round(wall, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=6)
    parser.add_argument("--questions", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    run_benchmark(parser.parse_args(argv), measure)


if __name__ == "__main__":
    main()
