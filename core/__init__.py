"""Souvenir's domain: memory, ingestion, retrieval, LLM, interaction log. No platform SDK here."""
