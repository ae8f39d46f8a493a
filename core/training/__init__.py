"""Training material from a scope's memory: chat records, the Ollama create request, LoRA (lazy)."""
