"""Ingested documents: name, content hash, size and chunk count per scope."""

from __future__ import annotations

from core.models import Document
from core.store.database import Database
from core.store.rows import from_row

_SELECT = "SELECT id, scope, name, sha256, size, chunks, created_at, number FROM documents"


class DocumentStore:
    """Documents are written and deleted with their chunks (MemoryStore); this reads them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def find_document(self, scope: str, sha256: str) -> Document | None:
        """The document of `scope` with this content hash, if already ingested."""
        row = await self._db.fetchone(f"{_SELECT} WHERE scope = ? AND sha256 = ?", (scope, sha256))
        return from_row(Document, row) if row else None

    async def list_documents(self, scope: str) -> list[Document]:
        """Documents of `scope`, oldest first."""
        rows = await self._db.fetchall(f"{_SELECT} WHERE scope = ? ORDER BY id", (scope,))
        return [from_row(Document, row) for row in rows]

    async def document_by_number(self, scope: str, number: int) -> Document | None:
        """The document of `scope` that its users call `doc N`, or None."""
        row = await self._db.fetchone(f"{_SELECT} WHERE scope = ? AND number = ?", (scope, number))
        return from_row(Document, row) if row else None

    async def count(self, scope: str) -> int:
        """How many documents `scope` holds."""
        row = await self._db.fetchone("SELECT COUNT(*) AS n FROM documents WHERE scope = ?", (scope,))
        return row["n"]
