"""Documents: a whole file parsed, chunked, embedded in batches and stored at once, or not at all."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import Callable

import numpy as np

from core.errors import BadInput
from core.ingestion.admission import admit
from core.ingestion.chunking import ChunkPolicy
from core.ingestion.parsers import ParseOptions, parse_file
from core.ingestion.scanned_pdf import ScanReading
from core.memory.writer import MemoryWriter
from core.models import IngestReport
from core.store import Store
from core.vector_index import VectorIndexes

Progress = Callable[[int, int], object]


class Documents:
    """Stores files as documents of chunks; a file already known in the scope is not stored twice."""

    def __init__(
        self, store: Store, indexes: VectorIndexes, writer: MemoryWriter, chunking: ChunkPolicy = ChunkPolicy()
    ) -> None:
        self._store = store
        self._indexes = indexes
        self._writer = writer
        self._chunking = chunking

    async def ingest(
        self,
        scope: str,
        name: str,
        data: bytes,
        *,
        importance: float | None = None,
        author: str = "",
        progress: Progress | None = None,
        parse_as: str | None = None,
        scans: ScanReading | None = None,
    ) -> IngestReport:
        """Parse, chunk, embed and store a whole file, or nothing; a file already known is not stored twice.

        `parse_as` names the format when `name` is not a file name (the text read from a photo or a
        web page is stored under the photo's or the page's name, parsed as `.txt`). `scans` reads the
        pages of a PDF that have no text layer by OCR (None: such pages are left out).
        """
        name = admit(name, len(data), self._writer.limits.max_upload_bytes, parse_as=parse_as)
        if importance is not None and not 0.0 <= importance <= 1.0:
            raise BadInput(key="error.importance_range")
        sha256 = await asyncio.to_thread(lambda: hashlib.sha256(data).hexdigest())
        known = await self._store.documents.find_document(scope, sha256)
        if known:
            return IngestReport(name, [], known.id, duplicate_of=known.id, document_number=known.number)
        options = ParseOptions(
            source=name, author=author, importance=importance, policy=self._chunking, scans=scans
        )
        items = await asyncio.to_thread(parse_file, parse_as or name, data, options)
        await self._writer.check_room(scope, len(items))
        vectors = await self.embed_in_batches([m.text for m in items], progress)
        try:
            ids, document_id = await self._writer.write(scope, items, vectors, (name, sha256, len(data)))
        except sqlite3.IntegrityError:
            known = await self._store.documents.find_document(scope, sha256)
            if known is None:
                raise
            return IngestReport(name, [], known.id, duplicate_of=known.id, document_number=known.number)
        await self._indexes.flush()
        stored = await self._store.documents.find_document(scope, sha256)
        return IngestReport(name, ids, document_id, document_number=stored.number if stored else None)

    async def embed_in_batches(self, texts: list[str], progress: Progress | None) -> np.ndarray:
        """Embed `texts` batch by batch, longest first (less padding per batch), reporting progress."""
        order = await asyncio.to_thread(sorted, range(len(texts)), key=lambda i: -len(texts[i]))
        parts: list[np.ndarray] = []
        step = self._writer.limits.embed_batch
        for start in range(0, len(order), step):
            parts.append(await self._writer.embed([texts[i] for i in order[start : start + step]]))
            if progress:
                progress(min(start + step, len(texts)), len(texts))
        if not parts:
            return np.zeros((0, 0), dtype=np.float32)

        def in_input_order() -> np.ndarray:
            # In a worker: the first write to a fresh 50k x 384 array faults in ~80 MB of pages.
            vectors = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
            vectors[order] = np.concatenate(parts)
            return vectors

        return await asyncio.to_thread(in_input_order)
