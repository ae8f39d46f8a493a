"""The memory of every scope, one module per purpose: writing, subjects, teaching, corrections, forgetting,
reading, documents; `service.MemoryService` holds them together."""
