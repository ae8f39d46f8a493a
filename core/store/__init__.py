"""SQLite storage, the single source of truth: one module per kind of data, migrations by name."""

from core.store.access_requests import AccessRequest, RequestStore
from core.store.chats import ChatSettings, ChatSettingsStore
from core.store.database import Database
from core.store.documents import DocumentStore
from core.store.embeddings import EmbeddingStore
from core.store.interactions import InteractionLog
from core.store.invitations import Invitation, InvitationStore
from core.store.keyword_index import KeywordIndex
from core.store.memories import MemoryStore
from core.store.memory_links import MemoryLinks
from core.store.roles import Member, RoleStore
from core.store.store import ScopeStats, Store

__all__ = [
    "AccessRequest",
    "ChatSettings",
    "ChatSettingsStore",
    "Database",
    "DocumentStore",
    "EmbeddingStore",
    "InteractionLog",
    "Invitation",
    "InvitationStore",
    "KeywordIndex",
    "Member",
    "MemoryLinks",
    "MemoryStore",
    "RequestStore",
    "RoleStore",
    "ScopeStats",
    "Store",
]
