"""The Store: one database, and one object per kind of data it owns."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.store.access_requests import RequestStore
from core.store.chats import ChatSettingsStore
from core.store.database import Database
from core.store.documents import DocumentStore
from core.store.embeddings import EmbeddingStore
from core.store.interactions import InteractionLog
from core.store.invitations import InvitationStore
from core.store.keyword_index import KeywordIndex
from core.store.memories import MemoryStore
from core.store.memory_links import MemoryLinks
from core.store.roles import RoleStore


@dataclass
class ScopeStats:
    """Counts that /status shows for one scope."""

    by_kind: dict[str, int]
    superseded: int
    documents: int
    interactions: int

    @property
    def live(self) -> int:
        """Memories that retrieval can use."""
        return sum(self.by_kind.values())


@dataclass
class Store:
    """Memories (with their keyword index, links and embeddings), documents, the conversation log,
    chat settings, roles, invitations and access requests."""

    database: Database
    memories: MemoryStore
    keywords: KeywordIndex
    links: MemoryLinks
    embeddings: EmbeddingStore
    documents: DocumentStore
    interactions: InteractionLog
    chats: ChatSettingsStore
    roles: RoleStore
    invitations: InvitationStore
    requests: RequestStore

    @classmethod
    async def open(cls, path: Path) -> Store:
        """Open (creating and migrating) the database at `path`."""
        db = await Database.open(path)
        return cls(
            db,
            MemoryStore(db),
            KeywordIndex(db),
            MemoryLinks(db),
            EmbeddingStore(db),
            DocumentStore(db),
            InteractionLog(db),
            ChatSettingsStore(db),
            RoleStore(db),
            InvitationStore(db),
            RequestStore(db),
        )

    async def close(self) -> None:
        """Close the database, once the exchanges being logged are committed."""
        await self.interactions.flush()
        await self.database.close()

    async def stats(self, scope: str) -> ScopeStats:
        """Counts by kind, superseded, documents and interactions for `scope`."""
        by_kind, superseded = await self.memories.counts(scope)
        return ScopeStats(by_kind, superseded, await self.documents.count(scope), await self.interactions.count(scope))
