"""Query cost as memory grows: p50/p99 of one Souvenir retrieval vs raw encode + FAISS, 1k to 100k memories."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import machine, make_embedder, open_app, peak_rss_mb, run_benchmark
from core.embeddings import Embedder
from core.models import Kind, NewMemory
from core.store import Store
from core.vector_index import VectorIndexes

BIG = "bench:big"
SMALL = "bench:small"
SMALL_SIZE = 200
INSERT_BATCH = 5_000


def vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    """Pronounceable made-up words."""
    consonants, vowels = list("bcdfghklmnprstvz"), list("aeiou")
    return ["".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(3)) for _ in range(size)]


def synthetic(count: int, dimension: int, words: list[str], rng: np.random.Generator):
    """`count` memories of about 40 random words and random unit vectors."""
    texts = [" ".join(rng.choice(words, 40)) + "." for _ in range(count)]
    vectors = rng.standard_normal((count, dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return texts, vectors


async def grow(
    store: Store,
    indexes: VectorIndexes,
    embedder: Embedder,
    scope: str,
    count: int,
    words: list[str],
    rng: np.random.Generator,
) -> None:
    """Write `count` synthetic memories through the store's batch insert path and the index."""
    await indexes.prepare(scope)
    for start in range(0, count, INSERT_BATCH):
        texts, vectors = synthetic(min(INSERT_BATCH, count - start), embedder.dimension, words, rng)
        items = [NewMemory(text=t, kind=Kind.DOCUMENT, importance=0.5, source="synthetic") for t in texts]
        ids, _ = await store.memories.add_memories(scope, items, vectors, embedder.name)
        await indexes.add(scope, ids, vectors)
    await indexes.flush()


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 and p99 in milliseconds."""
    array = np.asarray(samples) * 1000
    return {
        "p50_ms": round(float(np.percentile(array, 50)), 2),
        "p99_ms": round(float(np.percentile(array, 99)), 2),
    }


async def time_souvenir(memory, scope: str, queries: list[str]) -> list[float]:
    """Seconds of each MemoryReader.search (embed query, dense, keyword, fusion, rows)."""
    samples = []
    for query in queries:
        started = time.perf_counter()
        await memory.reading.search(scope, query, limit=10)
        samples.append(time.perf_counter() - started)
    return samples


def raw_searcher(embedder: Embedder, vectors: np.ndarray):
    """One raw query encode + FAISS flat search over the same vectors; returns its seconds."""
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)

    def one(query: str) -> float:
        started = time.perf_counter()
        index.search(embedder.embed([query]), 10)
        return time.perf_counter() - started

    return one


async def time_both(memory, scope: str, raw_one, queries: list[str]) -> tuple[list[float], list[float]]:
    """Souvenir and raw seconds per query, alternating, so a load change on the machine hits both alike."""
    souvenir, raw = [], []
    for query in queries:
        started = time.perf_counter()
        await memory.reading.search(scope, query, limit=10)
        souvenir.append(time.perf_counter() - started)
        raw.append(await asyncio.to_thread(raw_one, query))
    return souvenir, raw


def plot(rows: list[dict], path: Path) -> None:
    """Latency vs scope size, Souvenir vs raw, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [row["size"] for row in rows]
    figure, axis = plt.subplots(figsize=(6, 4))
    for key, label, style in (("souvenir", "Souvenir hybrid", "o-"), ("raw", "raw encode + FAISS", "s--")):
        for pct in ("p50_ms", "p99_ms"):
            axis.plot(
                sizes,
                [row[key][pct] for row in rows],
                style,
                label=f"{label} {pct[:3]}",
                alpha=1.0 if pct == "p50_ms" else 0.5,
            )
    axis.set_xscale("log")
    axis.set_xlabel("memories in the scope")
    axis.set_ylabel("query latency (ms)")
    axis.set_title("One retrieval as memory grows")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def disk_bytes(data_dir: Path) -> int:
    """Bytes of the database (with WAL) and index files."""
    return sum(p.stat().st_size for p in data_dir.rglob("*") if p.is_file())


async def main_async(args: argparse.Namespace) -> dict:
    """Grow one scope through the sizes; measure Souvenir, raw, the small scope, RSS, disk and cold load."""
    rng = np.random.default_rng(7)
    words = vocabulary(5_000, rng)
    embedder = make_embedder(args.embedder)
    embedder.embed(["warm up"])
    queries = [" ".join(rng.choice(words, 8)) for _ in range(args.queries)]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch)
        app = await open_app(data_dir, embedder)
        await grow(app.store, app.indexes, embedder, SMALL, SMALL_SIZE, words, rng)
        await time_souvenir(app.memory, SMALL, queries[:3])
        small_alone = percentiles(await time_souvenir(app.memory, SMALL, queries))
        current = 0
        for size in sorted(args.sizes):
            await grow(app.store, app.indexes, embedder, BIG, size - current, words, rng)
            current = size
            _, blobs, _ = await app.store.embeddings.live_vectors(BIG)
            matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), embedder.dimension)
            raw_one = await asyncio.to_thread(raw_searcher, embedder, matrix)
            await time_both(app.memory, BIG, raw_one, queries[:3])
            souvenir_s, raw_s = await time_both(app.memory, BIG, raw_one, queries)
            souvenir, raw = percentiles(souvenir_s), percentiles(raw_s)
            del matrix, blobs, raw_one
            small = percentiles(await time_souvenir(app.memory, SMALL, queries))
            await app.close()
            disk = disk_bytes(data_dir)
            app = await open_app(data_dir, embedder)
            started = time.perf_counter()
            await app.indexes.prepare(BIG)
            cold = time.perf_counter() - started
            rows.append(
                {
                    "size": size,
                    "souvenir": souvenir,
                    "raw": raw,
                    "small_scope": small,
                    "ratio_p50": round(souvenir["p50_ms"] / raw["p50_ms"], 2),
                    "peak_rss_mb": peak_rss_mb(),
                    "disk_mb": round(disk / 2**20, 1),
                    "cold_load_ms": round(cold * 1000, 1),
                }
            )
            if not args.json:
                print(rows[-1])
        await app.close()
    if args.plot:
        plot(rows, Path(args.plot))
    return {
        "machine": machine(),
        "queries": args.queries,
        "embedder": embedder.name,
        "sizes": rows,
        "small_scope_alone": small_alone,
        "small_scope_slowdown_p50": round(rows[-1]["small_scope"]["p50_ms"] / small_alone["p50_ms"], 2),
        "plot": args.plot,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__)
    parser.add_argument(
        "--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1_000, 10_000, 100_000]
    )
    parser.add_argument("--queries", type=int, default=100, help="queries timed at each size")
    parser.add_argument("--embedder", default="minilm", choices=["minilm", "hash"])
    parser.add_argument("--plot", metavar="PATH", help="draw the sweep as a PNG there (docs/bench/latency.png for the docs)")
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    """Entry point."""
    return run_benchmark(parse_args(argv), main_async)


if __name__ == "__main__":
    main()
