"""Responsiveness: event-loop lag and talk latency (20 concurrent requests) while a big document is ingested."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.beir import DEFAULT_DATASET
from bench.common import machine, make_embedder, open_app, run_benchmark
from bench.ingest import sample_text
from bot.runner import warm_up
from core.models import Incoming

SCOPE = "console:local"
TICK = 0.005


async def watch_lag(samples: list[float], stop: asyncio.Event) -> None:
    """Sleep TICK again and again; record how late each wake-up is."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        await asyncio.sleep(TICK)
        samples.append(max(0.0, loop.time() - started - TICK))


async def talk_wave(app, count: int) -> list[float]:
    """`count` concurrent talk requests through the assistant; seconds each took to its final text."""

    async def one(i: int) -> float:
        started = time.perf_counter()
        incoming = Incoming(
            "console", "local", SCOPE, f"console:bench:{i}", text=f"What do you know about cells {i}?"
        )
        await (await app.assistant.handle(incoming)).final_text()
        return time.perf_counter() - started

    return list(await asyncio.gather(*(one(i) for i in range(count))))


def summary(lags: list[float], talks: list[float]) -> dict[str, float]:
    """Worst lag, p99 lag and talk p50/p99, in milliseconds."""
    lag = np.asarray(lags or [0.0]) * 1000
    talk = np.asarray(talks or [0.0]) * 1000
    return {
        "max_lag_ms": round(float(lag.max()), 1),
        "p99_lag_ms": round(float(np.percentile(lag, 99)), 1),
        "talk_p50_ms": round(float(np.percentile(talk, 50)), 1),
        "talk_p99_ms": round(float(np.percentile(talk, 99)), 1),
        "talk_requests": len(talks),
    }


async def measure(app, seconds: float, concurrency: int, busy: asyncio.Task | None) -> dict[str, float]:
    """Lag and talk latencies for `seconds` (or until `busy` ends, at least one wave)."""
    lags: list[float] = []
    talks: list[float] = []
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_lag(lags, stop))
    deadline = time.perf_counter() + seconds
    while True:
        talks += await talk_wave(app, concurrency)
        await asyncio.sleep(0.2)
        if time.perf_counter() >= deadline or (busy is not None and busy.done()):
            break
    stop.set()
    await watcher
    return summary(lags, talks)


async def main_async(args: argparse.Namespace) -> dict:
    """Baseline (idle) then the same load during ingestion of a document of --mb megabytes."""
    text = sample_text(Path(args.dataset), int(args.mb * 1_000_000))
    data = text.encode()[: int(args.mb * 1_000_000)]
    embedder = make_embedder(args.embedder)
    embedder.embed(["warm up"])
    with tempfile.TemporaryDirectory() as scratch:
        app = await open_app(Path(scratch), embedder)
        await warm_up(app)  # as `souvenir run` does before serving
        try:
            await app.memory.teaching.teach(SCOPE, "Cells divide by mitosis.")
            idle = await measure(app, args.seconds / 3, args.concurrency, None)
            started = time.perf_counter()
            ingestion = asyncio.create_task(app.memory.documents.ingest(SCOPE, "big-document.txt", data))
            busy = await measure(app, args.seconds, args.concurrency, ingestion)
            finished = ingestion.done()
            if finished:
                chunks = (await ingestion).count
            else:
                ingestion.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ingestion
                chunks = None
            window = time.perf_counter() - started
        finally:
            await app.close()
    return {
        "machine": machine(),
        "embedder": embedder.name,
        "document_mb": round(len(data) / 1e6, 2),
        "concurrency": args.concurrency,
        "window_s": round(window, 1),
        "ingestion_finished": finished,
        "chunks": chunks,
        "idle": idle,
        "during_ingestion": busy,
        "max_lag_ms": busy["max_lag_ms"],
        "talk_p99_ms": busy["talk_p99_ms"],
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.responsiveness", description=__doc__)
    parser.add_argument("--mb", type=float, default=20.0, help="document size in megabytes")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to measure during ingestion")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--dataset", default=str(DEFAULT_DATASET), help="BEIR folder whose prose is used")
    parser.add_argument("--embedder", default="minilm", choices=["minilm", "hash"])
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    """Entry point."""
    return run_benchmark(parse_args(argv), main_async)


if __name__ == "__main__":
    main()
