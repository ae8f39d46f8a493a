"""Smoke runs of every benchmark at tiny sizes: each command runs and reports its named figures."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bench.beir import load
from bench.metrics import evaluate, ndcg_at, recall_at
from tests.llama_cpp_server import why_not as why_not_llama

ROOT = Path(__file__).resolve().parents[2]

DOCS = {
    "d1": ("Mitosis", "Cells divide by mitosis into two identical daughter cells."),
    "d2": ("Photosynthesis", "Plants turn sunlight, water and carbon dioxide into sugar and oxygen."),
    "d3": ("Insulin", "The pancreas secretes insulin to lower blood glucose after meals."),
    "d4": ("Volcanoes", "Magma rises through the crust and erupts as lava from volcanoes."),
}
QUERIES = {
    "q1": "How do cells divide by mitosis?",
    "q2": "Plants turn sunlight into sugar",
    "q3": "pancreas insulin blood glucose",
    "q4": "magma erupts as lava from volcanoes",
}


def write_dataset(path: Path) -> Path:
    """A tiny BEIR-layout dataset where each query has exactly one obviously relevant document."""
    (path / "qrels").mkdir(parents=True)
    (path / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": d, "title": t, "text": x}) + "\n" for d, (t, x) in DOCS.items())
    )
    (path / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": q, "text": x}) + "\n" for q, x in QUERIES.items())
        + json.dumps({"_id": "unjudged", "text": "ignored"})
        + "\n"
    )
    (path / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"q{i}\td{i}\t1\n" for i in range(1, 5))
    )
    return path


def run_bench(name: str, *args: str) -> dict:
    """Run `python -m bench.NAME --json ...` and parse its last output line."""
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--json", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_ndcg_and_recall_follow_the_trec_conventions() -> None:
    relevant = {"a": 2, "b": 1}
    assert ndcg_at(relevant, ["a", "b", "x"], 10) == pytest.approx(1.0)
    # b (grade 1) first and a (grade 2) second: DCG = 1 + 2/log2(3), IDCG = 2 + 1/log2(3).
    expected = (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))
    assert ndcg_at(relevant, ["b", "a"], 10) == pytest.approx(expected)
    assert ndcg_at(relevant, ["x"] * 10 + ["a"], 10) == 0.0
    assert recall_at(relevant, ["x", "a"], 100) == 0.5
    figures = evaluate({"q": relevant, "empty": {"z": 0}}, {"q": ["a", "b"]})
    assert figures == {"ndcg@10": 1.0, "recall@100": 1.0}


def test_loader_reads_only_the_judged_queries(tmp_path: Path) -> None:
    dataset = load(write_dataset(tmp_path / "tiny"))
    assert set(dataset.queries) == set(QUERIES)
    assert dataset.corpus["d1"].startswith("Mitosis\n\nCells divide"), "the title is its own first line"
    assert dataset.qrels["q3"] == {"d3": 1}


def test_retrieval_benchmark_scores_a_perfect_case_at_one(tmp_path: Path) -> None:
    figures = run_bench("retrieval", "--dataset", str(write_dataset(tmp_path / "tiny")), "--embedder", "hash")
    assert set(figures["runs"]) == {"baseline_raw", "dense", "keyword", "hybrid"}
    for scores in figures["runs"].values():
        assert 0.0 <= scores["ndcg@10"] <= 1.0 and 0.0 <= scores["recall@100"] <= 1.0
    assert figures["runs"]["keyword"] == {"ndcg@10": 1.0, "recall@100": 1.0}
    assert figures["runs"]["hybrid"] == {"ndcg@10": 1.0, "recall@100": 1.0}
    assert figures["chunks"] == len(DOCS)


def test_ingest_benchmark_reports_a_ratio(tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path / "tiny")
    figures = run_bench("ingest", "--dataset", str(dataset), "--chars", "3000", "--rounds", "1")
    assert figures["chunks"] > 1
    assert figures["souvenir_chunks_per_s"] > 0 and figures["raw_encode_chunks_per_s"] > 0
    assert figures["ratio"] > 0


def test_latency_benchmark_sweeps_sizes_and_draws_the_plot(tmp_path: Path) -> None:
    png = tmp_path / "latency.png"
    figures = run_bench(
        "latency", "--sizes", "50,150", "--queries", "5", "--embedder", "hash", "--plot", str(png)
    )
    assert [row["size"] for row in figures["sizes"]] == [50, 150]
    for row in figures["sizes"]:
        assert 0 < row["souvenir"]["p50_ms"] <= row["souvenir"]["p99_ms"]
        assert row["raw"]["p50_ms"] > 0 and row["disk_mb"] > 0 and row["peak_rss_mb"] > 0
        assert row["cold_load_ms"] > 0
    assert figures["small_scope_slowdown_p50"] > 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_latency_benchmark_draws_no_plot_unless_asked() -> None:
    from bench.latency import parse_args

    assert parse_args([]).plot is None, "a plain run must not rewrite the tracked docs/bench/latency.png"
    assert parse_args(["--plot", "x.png"]).plot == "x.png"


def test_responsiveness_benchmark_measures_lag_during_ingestion(tmp_path: Path) -> None:
    figures = run_bench(
        "responsiveness", "--mb", "0.05", "--seconds", "1", "--embedder", "hash", "--dataset", str(tmp_path)
    )
    assert figures["ingestion_finished"] is True and figures["chunks"] > 10
    assert figures["max_lag_ms"] >= 0 and figures["talk_p99_ms"] > 0
    assert figures["during_ingestion"]["talk_requests"] >= 20


def test_cli_benchmark_times_commands_against_both_baselines():
    figures = run_bench("cli", "--rounds", "1", "--only", "souvenir status,souvenir search")
    rows = {row["command"]: row for row in figures["commands"]}
    assert set(rows) == {"python -c pass", "load the embedder alone", "souvenir status", "souvenir search"}
    assert 0 < figures["python_s"] < figures["embedder_load_s"]
    assert rows["souvenir search"]["needs_embedder"] and not rows["souvenir status"]["needs_embedder"]
    for row in rows.values():
        assert row["best_s"] > 0 and row["best_cpu_s"] > 0
        assert abs(row["vs_embedder_load"] - row["best_s"] / figures["embedder_load_s"]) < 0.01


def test_phone_benchmark_scores_ocr_against_its_baseline() -> None:
    figures = run_bench("phone", "--pages", "1", "--sentences", "0")
    ocr = figures["ocr"]
    for run in ("souvenir_fra+eng", "baseline_eng_only"):
        for language in ("french", "english"):
            row = ocr[run][language]
            assert row["images"] == 3 and 0.0 <= row["char_accuracy"] <= 1.0 and row["s_per_photo"] > 0
    # French accents are what the French data adds: reading them with English data only loses characters.
    assert ocr["souvenir_fra+eng"]["french"]["char_accuracy"] > ocr["baseline_eng_only"]["french"]["char_accuracy"]
    assert figures["peak_rss_mb"] > 0


def test_phone_benchmark_word_error_rate_counts_edits_over_reference_words() -> None:
    from bench.phone import edit_distance, words

    assert words("Où est la clé de la voiture ?") == ["où", "est", "la", "clé", "de", "la", "voiture"]
    assert edit_distance(words("où est la clé"), words("où est la voiture")) == 1
    assert edit_distance("kitten", "sitting") == 3


def test_french_benchmark_reports_every_category_and_mode() -> None:
    figures = run_bench("french", "--configs", "hash", "--copies", "1")
    config = figures["configs"]["hash"]
    assert figures["questions"] >= 120
    for mode in ("dense", "keyword", "hybrid"):
        scores = config["modes"][mode]
        for category in ("paraphrase", "same_words", "typed", "english", "deep_document", "correction"):
            assert scores[category]["questions"] >= 20
            assert 0.0 <= scores[category]["top1"] <= scores[category]["top3"] <= 1.0
    assert config["modes"]["keyword"]["same_words"]["top3"] >= 0.8, "same words are found by words"
    assert config["corrections"]["cases"] >= 20
    assert config["ingest_chunks_per_s"] > 0 and 0 < config["query_p50_ms"] <= config["query_p95_ms"]


def test_the_held_out_french_set_runs_through_the_same_benchmark() -> None:
    figures = run_bench("french", "--data", "bench/data/french_heldout", "--configs", "hash", "--copies", "1")
    config = figures["configs"]["hash"]
    assert figures["questions"] >= 80 and figures["memories"]["documents"] >= 3
    scores = config["modes"]["hybrid"]
    for category in ("paraphrase", "same_words", "typed", "english", "deep_document", "correction"):
        assert scores[category]["questions"] >= 12
    assert config["corrections"]["cases"] >= 12


def test_speech_benchmark_counts_numbers_said_or_written_as_the_same_words() -> None:
    from bench.speech_set import notes, words

    assert words("le douze mars à quinze heures trente") == words("le 12 mars à 15h30")
    assert words("deux mille dix-neuf") == ["2019"]
    assert words("quarante-deux soixante-huit") == ["42", "68"]
    assert words("three in the afternoon") == ["3", "in", "the", "afternoon"]
    said = notes(12, 6)
    assert {n.voice for n in said if n.language == "fr"} >= {"fr", "fr+Michel", "fr+f3", "fr+klatt"}
    assert all("<" not in n.truth for n in said) and any("break" in n.text for n in said)


def test_capacity_benchmark_drives_souvenir_run_through_telegram_and_reports_its_figures() -> None:
    figures = run_bench("capacity", "--only", "queue,failover", "--answer-seconds", "0.6")
    queue, failover = figures["queue"], figures["failover"]
    assert queue["answered"] == queue["users"] == 20 and queue["timeouts"] == 0
    assert queue["server_max_active"] == 2 and queue["queued_users_shown_a_place"] >= 10
    assert failover["answered"] == failover["questions"] and failover["lost"] == 0


def test_conversation_benchmark_reports_recall_newer_first_memories_and_cost_against_its_baselines() -> None:
    figures = run_bench("conversation", "--embedder", "hash", "--empty", "--halves", "development")
    half = figures["halves"]["development"]
    auto, verbatim = half["auto"], half["verbatim"]
    assert auto["questions"] >= 30 and auto["changed_questions"] >= 5 and auto["messages"] >= 60
    assert verbatim["memories_per_message"] == 1.0
    assert 0.0 < auto["memories_per_message"] < 1.0, "questions and chit-chat are not stored"
    assert 0.0 <= auto["recall_at_5"] <= 1.0 and 0.0 <= auto["newer_first"] <= 1.0
    assert half["cost"]["cpu_ms_per_message_off"] > 0 and half["cost"]["cpu_ratio"] > 0


def test_speech_benchmark_reports_each_model_against_the_shipped_default() -> None:
    figures = run_bench("speech", "--french", "1", "--english", "0", "--configs", "small-int8", "--samples", "1")
    baseline = figures["configs"][figures["baseline"]]
    row = baseline["french"]
    assert row["notes"] == 2 and row["audio_s"] > 0 and row["s_per_audio_s"] > 0 and row["wer"] >= 0
    assert row["time_vs_baseline"] == 1.0 and baseline["english"]["notes"] == 0
    assert baseline["ten_second_note"]["busy_s"] > 0
    assert "unavailable" in figures["configs"]["small-int8"]  # the registry's small model cannot load


@pytest.mark.skipif(why_not_llama() is not None, reason=str(why_not_llama()))
def test_failover_on_real_llama_cpp_servers_answers_every_question() -> None:
    figures = run_bench("capacity_llama", "--users", "3", "--questions", "1")
    assert figures["questions"] == 3 and figures["lost"] == 0 and figures["failures_shown"] == 0
    assert figures["answered_by_a_model"] + figures["empty_answers_of_the_model"] >= 3
