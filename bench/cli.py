"""Command-line speed: wall time of each `souvenir` command, cold, against `python -c pass` and the embedder.

Every row is a fresh process, as a person or a script runs it. Two baselines are measured in the same
rounds: `python -c pass` (the interpreter alone) and loading the configured embedder alone (read the
settings, build the embedder, embed one query: the floor of any command that needs it). Rounds
rotate the order of the rows; each row keeps its best round (the least disturbed on a shared machine).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import machine, run_benchmark

BASELINES = ("python -c pass", "load the embedder alone")
CLI = "import sys; from bot.cli import main; sys.exit(main())"
LOAD_EMBEDDER = (
    "from bot.settings import Settings; from bot.embedder import build_embedder; "
    "build_embedder(Settings()).embed(['when was the roof replaced?'])"
)
SAMPLE = (
    "Our house was built in 1932 on the hill above the river. The roof was replaced in 2019 "
    "after the storm. Clara, my sister, was born on 12 March 1990 and lives in Lyon. "
    "The boiler is serviced every October by the same plumber. "
)


@dataclass(frozen=True)
class Row:
    """One command line to time; `embedder` says whether it needs the embedder loaded."""

    name: str
    argv: tuple[str, ...]
    embedder: bool
    expect_ok: bool = True


def rows(data: Path) -> list[Row]:
    """The baselines and the commands, each with the arguments a person would give."""
    cli = (sys.executable, "-c", CLI)
    return [
        Row(BASELINES[0], (sys.executable, "-c", "pass"), False),
        Row(BASELINES[1], (sys.executable, "-c", LOAD_EMBEDDER), True),
        Row("souvenir --help", (*cli, "--help"), False),
        Row("souvenir status", (*cli, "status"), False),
        Row("souvenir remember", (*cli, "remember"), False),
        Row("souvenir remember QUERY", (*cli, "remember", "roof"), True),
        Row("souvenir export", (*cli, "export", "--out", str(data / "export.json")), False),
        Row("souvenir forget (unknown id)", (*cli, "forget", "999999"), False, expect_ok=False),
        Row("souvenir search --mode keyword", (*cli, "search", "roof replaced", "--mode", "keyword"), False),
        Row("souvenir search", (*cli, "search", "when was the roof replaced?"), True),
        Row("souvenir ingest FILE", (*cli, "ingest", str(data / "fresh.txt")), True),
    ]


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(row: Row, env: dict[str, str], data: Path, round_no: int) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process running `row` (ingest gets a new file each time).

    CPU time barely moves with the machine's load, wall time does: both are reported.
    """
    if row.name.startswith("souvenir ingest"):
        (data / "fresh.txt").write_text(f"Round {round_no} at {time.time_ns()}. {SAMPLE}")
    cpu = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(row.argv, env=env, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    if (done.returncode == 0) != row.expect_ok:
        raise SystemExit(f"{row.name} exited {done.returncode}: {done.stderr[-2000:]}")
    return seconds, children_cpu() - cpu


def seed(env: dict[str, str], data: Path) -> None:
    """A scope with some memories to search, list and export (one ingest, not timed)."""
    document = data / "house.txt"
    document.write_text("\n\n".join(f"Note {i}. {SAMPLE}" for i in range(40)))
    subprocess.run(
        (sys.executable, "-c", CLI, "ingest", str(document)), env=env, check=True, capture_output=True
    )


async def measure(args: argparse.Namespace) -> dict:
    """Time every row `args.rounds` times, rotating their order, on a seeded data directory."""
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch)
        env = {
            **os.environ,
            "SOUVENIR_DATA_DIR": str(data / "data"),
            "SOUVENIR_OLLAMA__HOST": "http://127.0.0.1:9",  # nothing listens: status says so at once
        }
        seed(env, data)
        table = [r for r in rows(data) if not args.only or r.name in args.only or r.name in BASELINES]
        times: dict[str, list[float]] = {r.name: [] for r in table}
        cpu: dict[str, list[float]] = {r.name: [] for r in table}
        for round_no in range(args.rounds):
            shift = round_no % len(table)
            for row in table[shift:] + table[:shift]:
                wall, used = run_once(row, env, data, round_no)
                times[row.name].append(wall)
                cpu[row.name].append(used)
    python, embedder = (min(times[name]) for name in BASELINES)
    embedder_cpu = min(cpu[BASELINES[1]])
    results = []
    for row in table:
        best = min(times[row.name])
        results.append(
            {
                "command": row.name,
                "needs_embedder": row.embedder,
                "best_s": round(best, 3),
                "median_s": round(statistics.median(times[row.name]), 3),
                "over_python_s": round(best - python, 3),
                "vs_embedder_load": round(best / embedder, 3),
                "best_cpu_s": round(min(cpu[row.name]), 3),
                "cpu_vs_embedder_load": round(min(cpu[row.name]) / embedder_cpu, 3),
            }
        )
    return {
        "machine": machine(),
        "embedder": os.environ.get("SOUVENIR_EMBEDDINGS__MODEL", "configured default"),
        "rounds": args.rounds,
        "python_s": round(python, 3),
        "embedder_load_s": round(embedder, 3),
        "embedder_load_cpu_s": round(embedder_cpu, 3),
        "load_average_at_end": os.getloadavg()[0],
        "commands": results,
    }


def summary(figures: dict) -> str:
    """A table for people."""
    lines = [f"{'command':34} {'best s':>7} {'median s':>9} {'vs embedder':>12} {'CPU s':>6} {'vs':>5}"]
    for row in figures["commands"]:
        lines.append(
            f"{row['command']:34} {row['best_s']:7.2f} {row['median_s']:9.2f} {row['vs_embedder_load']:12.2f}"
            f" {row['best_cpu_s']:6.2f} {row['cpu_vs_embedder_load']:5.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.cli", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--only",
        type=lambda v: [p.strip() for p in v.split(",")],
        default=None,
        help="comma-separated command names to time (the two baselines always run)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object as the last line")
    run_benchmark(parser.parse_args(argv), measure, summary)


if __name__ == "__main__":
    main()
