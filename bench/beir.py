"""A BEIR-layout dataset: corpus.jsonl, queries.jsonl, qrels/{split}.tsv."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from bench.metrics import Qrels

DEFAULT_DATASET = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "scifact"


@dataclass
class Dataset:
    """Documents (id -> title + text), the queries of one split, and their judgments."""

    name: str
    corpus: dict[str, str]
    queries: dict[str, str]
    qrels: Qrels


def load(path: Path, split: str = "test") -> Dataset:
    """Read the corpus, the judgments of `split`, and the queries they judge."""
    corpus: dict[str, str] = {}
    with open(path / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                doc = json.loads(line)
                corpus[str(doc["_id"])] = f"{doc.get('title', '')}\n\n{doc.get('text', '')}".strip()
    qrels: Qrels = {}
    with open(path / "qrels" / f"{split}.tsv", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader, None)
        for row in reader:
            if len(row) >= 3:
                qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    queries: dict[str, str] = {}
    with open(path / "queries.jsonl", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                query = json.loads(line)
                if str(query["_id"]) in qrels:
                    queries[str(query["_id"])] = query["text"]
    return Dataset(path.name, corpus, queries, qrels)
