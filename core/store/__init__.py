"""SQLite storage, the single source of truth: one module per kind of data, migrations by name."""

from core.store.chats import ChatSettings, ChatSettingsStore
from core.store.database import Database
from core.store.documents import DocumentStore
from core.store.interactions import InteractionLog
from core.store.memories import MemoryStore
from core.store.roles import RoleStore
from core.store.store import ScopeStats, Store

__all__ = [
    "ChatSettings",
    "ChatSettingsStore",
    "Database",
    "DocumentStore",
    "InteractionLog",
    "MemoryStore",
    "RoleStore",
    "ScopeStats",
    "Store",
]
