"""Reads of cppa_pinecone_sync's tables: the sync's books and the postgres index."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Min

from cppa_pinecone_sync.embedders import Embedder, as_vector_literal
from cppa_pinecone_sync.models import (
    ChunkEmbedding,
    IndexedDocument,
    RetryItem,
    SearchChunk,
    SyncState,
)
from cppa_pinecone_sync.registry import registered_sources


@dataclass(frozen=True)
class IndexEntry:
    """What the index holds of one document: the hash its chunks carry, and how many."""

    content_hash: str
    chunk_count: int


def indexed_hashes(*, backend: str, source: str, doc_ids: Sequence[str]) -> dict[str, str]:
    rows = IndexedDocument.objects.filter(
        backend=backend, source=source, doc_id__in=list(doc_ids)
    ).values_list("doc_id", "content_hash")
    return dict(rows)


def indexed_doc_ids(*, backend: str, source: str) -> set[str]:
    return set(
        IndexedDocument.objects.filter(backend=backend, source=source).values_list(
            "doc_id", flat=True
        )
    )


def watermark(*, backend: str, source: str) -> datetime | None:
    return (
        SyncState.objects.filter(backend=backend, source=source)
        .values_list("watermark", flat=True)
        .first()
    )


def retry_doc_ids(*, backend: str, source: str) -> list[str]:
    return list(
        RetryItem.objects.filter(backend=backend, source=source)
        .order_by("first_failed_at", "doc_id")
        .values_list("doc_id", flat=True)
    )


def retry_counts(*, backend: str) -> dict[str, int]:
    """Documents on the retry list, per source."""
    rows = (
        RetryItem.objects.filter(backend=backend)
        .values_list("source")
        .annotate(n=Count("id"))
        .order_by("source")
    )
    return dict(rows)


def chunk_inventory(*, source: str) -> dict[str, IndexEntry]:
    """Per document in the chunks table: its hash, and its chunk count if the chunks are whole.

    Chunks of one document with different hashes, or ordinals that are not 0..n-1,
    are a damaged document: its hash is reported empty so reconcile rewrites it.
    """
    rows = (
        SearchChunk.objects.filter(source=source)
        .values("doc_id")
        .annotate(
            n=Count("id"),
            low=Min("ordinal"),
            high=Max("ordinal"),
            hash_low=Min("content_hash"),
            hash_high=Max("content_hash"),
        )
        .order_by()
    )
    inventory = {}
    for row in rows:
        whole = row["low"] == 0 and row["high"] == row["n"] - 1
        same_hash = row["hash_low"] == row["hash_high"]
        inventory[row["doc_id"]] = IndexEntry(
            content_hash=row["hash_low"] if whole and same_hash else "", chunk_count=row["n"]
        )
    return inventory


@dataclass(frozen=True)
class IndexLag:
    """How far a source's index is behind its stored rows, and what waits for a retry."""

    source: str
    backend: str
    watermark: datetime | None
    newest_change: datetime | None
    retry_list: int

    @property
    def lag_seconds(self) -> float | None:
        """Seconds of stored changes not indexed yet; None if the source was never indexed."""
        if self.newest_change is None:
            return 0.0
        if self.watermark is None:
            return None
        return max(0.0, (self.newest_change - self.watermark).total_seconds())


def index_lag(*, backend: str) -> list[IndexLag]:
    """Per registered source: its watermark, its newest stored change, its retry list."""
    marks = dict(SyncState.objects.filter(backend=backend).values_list("source", "watermark"))
    retries = retry_counts(backend=backend)
    return [
        IndexLag(
            source=source.name,
            backend=backend,
            watermark=marks.get(source.name),
            newest_change=source.newest_change(),
            retry_list=retries.get(source.name, 0),
        )
        for source in registered_sources()
    ]


def vector_column_type() -> str | None:
    """The type of the chunk vectors' column (`vector(256)`), None before a sync made it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname = 'embedding' AND NOT attisdropped",
            [ChunkEmbedding._meta.db_table],
        )
        found = cursor.fetchone()
    return found[0] if found else None


def embeddings_ready(*, embedder: Embedder) -> bool:
    """Whether the vector column exists with this embedder's dimensions (a sync made it)."""
    return vector_column_type() == f"vector({embedder.dimensions})"


def nearest_chunks(
    *,
    embedder: Embedder,
    vector: Sequence[float],
    sources: Sequence[str],
    metadata: dict,
    limit: int,
) -> list[tuple[int, str, str, float]]:
    """The chunks nearest `vector` by cosine distance: (pk, source, doc id, similarity).

    Only vectors of `embedder` count (others wait to be re-embedded by the next sync).
    """
    chunks = connection.ops.quote_name(SearchChunk._meta.db_table)
    vectors = connection.ops.quote_name(ChunkEmbedding._meta.db_table)
    where: list[str] = ["e.embedder = %s"]
    params: list[Any] = [embedder.name]
    if sources:
        where.append("c.source = ANY(%s)")
        params.append(list(sources))
    if metadata:
        where.append("c.metadata @> %s::jsonb")
        params.append(json.dumps(metadata))
    literal = as_vector_literal(vector)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id, c.source, c.doc_id, 1 - (e.embedding <=> %s::vector) "
            f"FROM {vectors} AS e JOIN {chunks} AS c ON c.id = e.chunk_id "
            f"WHERE {' AND '.join(where)} ORDER BY e.embedding <=> %s::vector LIMIT %s",
            [literal, *params, literal, limit],
        )
        return [(pk, source, doc_id, float(score)) for pk, source, doc_id, score in cursor]
