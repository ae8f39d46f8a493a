"""SQLite storage: the single source of truth."""

from core.store.database import Store

__all__ = ["Store"]
