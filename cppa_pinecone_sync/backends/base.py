"""The interface every index backend implements, and what a query answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from cppa_pinecone_sync.selectors import IndexEntry
from cppa_pinecone_sync.services import ChunkedDocument, ChunkWrites


@dataclass(frozen=True)
class SearchRequest:
    """A checked query: non-empty, bounded in length, sources known."""

    query: str
    sources: Sequence[str] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    limit: int = 10


@dataclass(frozen=True)
class SearchHit:
    """One matching document (its best chunk), with a snippet whose matches are marked."""

    source: str
    doc_id: str
    title: str
    url: str
    admin_path: str
    updated_at: datetime | None
    snippet: str
    highlights: Sequence[tuple[int, int]]
    score: float
    metadata: Mapping[str, Any]


class IndexBackend(Protocol):
    name: str

    def prepare(self, *, source: str, dry_run: bool = False) -> int:
        """Set-up before a source's sync; answer how many chunks it (re-)embedded."""
        ...

    def write(self, *, source: str, documents: Sequence[ChunkedDocument]) -> ChunkWrites:
        """Replace each document's chunks; called inside the batch's transaction."""
        ...

    def delete(self, *, source: str, doc_ids: Sequence[str]) -> int:
        """Remove every chunk of these documents; answer how many chunks went."""
        ...

    def inventory(self, *, source: str) -> dict[str, IndexEntry]:
        """What the index holds of a source, per document, for reconcile."""
        ...

    def search(self, request: SearchRequest) -> list[SearchHit]: ...
