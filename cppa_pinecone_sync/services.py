"""Every create, update and delete on cppa_pinecone_sync's tables.

Callers that write a batch to the index and the books about it (`replace_chunks` then
`record_indexed`) wrap both in one transaction, so a failed batch leaves neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction

from core.bulk import upsert
from core.errors import one_line
from cppa_pinecone_sync.documents import Document
from cppa_pinecone_sync.models import IndexedDocument, RetryItem, SearchChunk, SyncState

_ERROR_CHARS = 500


@dataclass(frozen=True)
class ChunkedDocument:
    document: Document
    chunks: Sequence[str]


@dataclass(frozen=True)
class ChunkWrites:
    upserted: int = 0
    deleted: int = 0


def replace_chunks(*, source: str, documents: Sequence[ChunkedDocument]) -> ChunkWrites:
    """Make each document's chunks in the chunks table exactly `chunks`.

    Chunks are keyed on (source, doc id, ordinal): a changed chunk is overwritten in
    place, an unchanged one costs nothing, and those past a shrunk document's new
    end are deleted, so no stale chunk survives.
    """
    rows = [
        {
            "source": source,
            "doc_id": item.document.doc_id,
            "ordinal": ordinal,
            "title": item.document.title,
            "text": text,
            "url": item.document.url,
            "admin_path": item.document.admin_path,
            "updated_at": item.document.updated_at,
            "metadata": dict(item.document.metadata),
            "content_hash": item.document.content_hash,
        }
        for item in documents
        for ordinal, text in enumerate(item.chunks)
    ]
    with transaction.atomic():
        counts = upsert(
            model=SearchChunk,
            rows=rows,
            unique_fields=["source", "doc_id", "ordinal"],
            update_fields=[
                "title",
                "text",
                "url",
                "admin_path",
                "updated_at",
                "metadata",
                "content_hash",
            ],
        )
        deleted = _delete_chunks_from(
            source=source,
            doc_ids=[item.document.doc_id for item in documents],
            first_stale=[len(item.chunks) for item in documents],
        )
    return ChunkWrites(upserted=counts.created + counts.updated, deleted=deleted)


def delete_chunks(*, source: str, doc_ids: Sequence[str]) -> int:
    """Remove every chunk of these documents; answer how many were removed."""
    return _delete_chunks_from(source=source, doc_ids=doc_ids, first_stale=[0] * len(doc_ids))


def _delete_chunks_from(*, source: str, doc_ids: Sequence[str], first_stale: Sequence[int]) -> int:
    """Delete each document's chunks from its ordinal `first_stale` on, in one statement."""
    if not doc_ids:
        return 0
    table = connection.ops.quote_name(SearchChunk._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} AS c USING unnest(%s::text[], %s::int[]) AS k(doc_id, keep) "
            "WHERE c.source = %s AND c.doc_id = k.doc_id AND c.ordinal >= k.keep",
            [list(doc_ids), list(first_stale), source],
        )
        return cursor.rowcount


def record_indexed(*, backend: str, source: str, documents: Sequence[ChunkedDocument]) -> None:
    """Remember the hash and chunk count the index now holds for each document."""
    upsert(
        model=IndexedDocument,
        rows=[
            {
                "backend": backend,
                "source": source,
                "doc_id": item.document.doc_id,
                "content_hash": item.document.content_hash,
                "chunk_count": len(item.chunks),
                "changed_at": item.document.changed_at,
            }
            for item in documents
        ],
        unique_fields=["backend", "source", "doc_id"],
        update_fields=["content_hash", "chunk_count", "changed_at"],
    )


def forget_indexed(*, backend: str, source: str, doc_ids: Sequence[str]) -> int:
    """Drop the books of documents removed from the index."""
    deleted, _ = IndexedDocument.objects.filter(
        backend=backend, source=source, doc_id__in=list(doc_ids)
    ).delete()
    return deleted


def advance_watermark(*, backend: str, source: str, watermark: datetime) -> None:
    """Move the source's watermark forward to `watermark`; it never moves back."""
    with transaction.atomic():
        state, _ = SyncState.objects.select_for_update().get_or_create(
            backend=backend, source=source
        )
        if state.watermark is None or watermark > state.watermark:
            state.watermark = watermark
            state.save(update_fields=["watermark", "updated_at"])


def keep_for_retry(
    *, backend: str, source: str, doc_ids: Sequence[str], attempts: int, error: BaseException
) -> None:
    """Put documents of a batch that kept failing on the retry list (or count another try)."""
    message = one_line(error, limit=_ERROR_CHARS)
    with transaction.atomic():
        for doc_id in doc_ids:
            item, created = RetryItem.objects.select_for_update().get_or_create(
                backend=backend,
                source=source,
                doc_id=doc_id,
                defaults={"attempts": attempts, "last_error": message},
            )
            if not created:
                item.attempts += attempts
                item.last_error = message
                item.save(update_fields=["attempts", "last_error", "last_failed_at"])


def clear_retries(*, backend: str, source: str, doc_ids: Sequence[str]) -> None:
    """Take documents off the retry list once they are indexed (or found unchanged)."""
    if doc_ids:
        RetryItem.objects.filter(backend=backend, source=source, doc_id__in=list(doc_ids)).delete()
