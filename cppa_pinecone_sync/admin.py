from django.contrib import admin

from core.admin import ReadOnlyAdmin
from cppa_pinecone_sync.models import (
    ChunkEmbedding,
    IndexedDocument,
    RetryItem,
    SearchChunk,
    SyncState,
)


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdmin):
    list_display = ("backend", "source", "watermark", "updated_at")
    list_filter = ("backend", "source")


@admin.register(RetryItem)
class RetryItemAdmin(ReadOnlyAdmin):
    list_display = ("backend", "source", "doc_id", "attempts", "last_failed_at", "last_error")
    list_filter = ("backend", "source")
    search_fields = ("doc_id",)


@admin.register(IndexedDocument)
class IndexedDocumentAdmin(ReadOnlyAdmin):
    list_display = ("backend", "source", "doc_id", "chunk_count", "changed_at", "indexed_at")
    list_filter = ("backend", "source")
    search_fields = ("doc_id",)


@admin.register(SearchChunk)
class SearchChunkAdmin(ReadOnlyAdmin):
    list_display = ("source", "doc_id", "ordinal", "title", "updated_at")
    list_filter = ("source",)
    search_fields = ("doc_id", "title")
    exclude = ("search_vector",)


@admin.register(ChunkEmbedding)
class ChunkEmbeddingAdmin(ReadOnlyAdmin):
    list_display = ("chunk", "embedder")
    list_filter = ("embedder",)
    list_select_related = ("chunk",)
