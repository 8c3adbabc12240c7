"""Every create, update and delete on cppa_pinecone_sync's tables.

Callers that write a batch to the index and the books about it (`replace_chunks` then
`record_indexed`) wrap both in one transaction, so a failed batch leaves neither.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from core.bulk import upsert
from core.errors import one_line
from cppa_pinecone_sync.documents import Document
from cppa_pinecone_sync.embedders import Embedder, as_vector_literal
from cppa_pinecone_sync.models import (
    ChunkEmbedding,
    IndexedDocument,
    RetryItem,
    SearchChunk,
    SyncState,
)
from cppa_pinecone_sync.selectors import vector_column_type

_ERROR_CHARS = 500


@dataclass(frozen=True)
class ChunkedDocument:
    document: Document
    chunks: Sequence[str]


@dataclass(frozen=True)
class ChunkWrites:
    upserted: int = 0
    deleted: int = 0
    embedded: int = 0


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
    vectors = connection.ops.quote_name(ChunkEmbedding._meta.db_table)
    # The chunks' vectors go in the same statement (the foreign key is checked at commit).
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {table} AS c "
            "USING unnest(%s::text[], %s::int[]) AS k(doc_id, keep) "
            "WHERE c.source = %s AND c.doc_id = k.doc_id AND c.ordinal >= k.keep RETURNING c.id), "
            f"vectors AS (DELETE FROM {vectors} WHERE chunk_id IN (SELECT id FROM gone)) "
            "SELECT count(*) FROM gone",
            [list(doc_ids), list(first_stale), source],
        )
        (count,) = cursor.fetchone() or (0,)
        return count


# --- dense vectors (pgvector), when SEARCH_EMBEDDER is set --------------------------

_EMBED_BATCH = 256
_VECTOR_INDEX = "cppa_pinecone_sync_chunkembedding_hnsw"


def prepare_embeddings(*, embedder: Embedder) -> None:
    """Make sure pgvector is enabled and the vector column fits `embedder`'s dimensions.

    A column of other dimensions (another embedder) is dropped with its vectors and
    made again, so every chunk is embedded afresh. A server without pgvector is one
    `CommandError` line saying what to do.
    """
    table = ChunkEmbedding._meta.db_table
    quoted = connection.ops.quote_name(table)
    wanted = f"vector({embedder.dimensions})"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
        if cursor.fetchone() is None:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
            if cursor.fetchone() is None:
                raise CommandError(
                    f"SEARCH_EMBEDDER={embedder.name!r} needs the pgvector extension, which this "
                    "PostgreSQL server does not have: install pgvector on it (the embedded "
                    "server has it) or unset SEARCH_EMBEDDER"
                )
            try:
                with transaction.atomic():
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
            except Exception as exc:
                raise CommandError(
                    "SEARCH_EMBEDDER is set, but the pgvector extension could not be enabled "
                    f"({one_line(exc, limit=200)}): run CREATE EXTENSION vector as a superuser"
                ) from None
        found = vector_column_type()
        if found == wanted:
            _build_vector_index()
            return
        with _checks_done_first(cursor):
            if found is not None:
                cursor.execute(f"DELETE FROM {quoted}")
                cursor.execute(f"ALTER TABLE {quoted} DROP COLUMN embedding")
            cursor.execute(f"ALTER TABLE {quoted} ADD COLUMN embedding {wanted}")
    _build_vector_index()


@contextmanager
def _checks_done_first(cursor: CursorWrapper) -> Iterator[None]:
    """DDL on the vectors' table, which PostgreSQL refuses while deferred foreign-key
    checks of the transaction are pending (a caller's earlier writes): run them first."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _build_vector_index() -> None:
    """The HNSW index of the vectors, if missing (a fill stopped before it was rebuilt)."""
    table = ChunkEmbedding._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor, _checks_done_first(cursor):
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {connection.ops.quote_name(_VECTOR_INDEX)} "
            f"ON {connection.ops.quote_name(table)} USING hnsw (embedding vector_cosine_ops)"
        )


def embed_documents(*, source: str, doc_ids: Sequence[str], embedder: Embedder) -> int:
    """(Re-)embed every chunk of these documents; answer how many vectors were written."""
    if not doc_ids:
        return 0
    chunks = SearchChunk.objects.filter(source=source, doc_id__in=list(doc_ids))
    return _embed(list(chunks.values_list("pk", "title", "text")), embedder)


def embed_missing(*, source: str, embedder: Embedder) -> int:
    """Embed the chunks of a source that have no vector of this embedder yet.

    Run at the start of each sync, so setting (or changing) SEARCH_EMBEDDER fills the
    vectors of documents indexed before, without a `--full` rebuild. From
    SEARCH_VECTOR_INDEX_REBUILD_FROM missing vectors on, the HNSW index is dropped for
    the fill and built once after it (about 3x faster than growing the graph vector by
    vector, measured); a fill stopped halfway leaves it to the next sync to build.
    """
    missing = SearchChunk.objects.filter(source=source).exclude(embedding__embedder=embedder.name)
    rebuild = missing.count() >= settings.SEARCH_VECTOR_INDEX_REBUILD_FROM
    if rebuild:
        with connection.cursor() as cursor, _checks_done_first(cursor):
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(_VECTOR_INDEX)}")
    written = 0
    while batch := list(missing.order_by("pk").values_list("pk", "title", "text")[:_EMBED_BATCH]):
        with transaction.atomic():
            written += _embed(batch, embedder)
    if rebuild:
        _build_vector_index()
    return written


def _embed(chunks: Sequence[tuple[int, str, str]], embedder: Embedder) -> int:
    if not chunks:
        return 0
    vectors = embedder.embed([f"{title}\n{text}" for _, title, text in chunks])
    if len(vectors) != len(chunks) or any(len(v) != embedder.dimensions for v in vectors):
        raise CommandError(
            f"embedder {embedder.name!r} answered vectors of the wrong number or size "
            f"(wanted {len(chunks)} of {embedder.dimensions} dimensions)"
        )
    table = connection.ops.quote_name(ChunkEmbedding._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (chunk_id, embedder, embedding) "
            "SELECT k.id, %s, k.v::vector FROM unnest(%s::bigint[], %s::text[]) AS k(id, v) "
            "ON CONFLICT (chunk_id) DO UPDATE "
            "SET embedder = EXCLUDED.embedder, embedding = EXCLUDED.embedding",
            [embedder.name, [pk for pk, _, _ in chunks], [as_vector_literal(v) for v in vectors]],
        )
    return len(chunks)


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
