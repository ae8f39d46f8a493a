"""Benchmarks a user can rerun: retrieval quality, ingestion throughput, latency, responsiveness."""
