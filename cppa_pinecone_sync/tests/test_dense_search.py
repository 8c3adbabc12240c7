"""Dense vectors (pgvector) beside full-text search in the postgres backend, ranked by RRF.

The embedded server ships pgvector, so `make test` runs every test here. A server
named by DATABASE_URL may not have it: there the tests of the vectors are skipped
with that reason and the test of the refusal runs instead.
"""

from __future__ import annotations

import math
import os

import pytest
from django.core.management import CommandError
from django.db import connection

from cppa_pinecone_sync import services
from cppa_pinecone_sync.embedders import HashedNgramEmbedder, configured_embedder
from cppa_pinecone_sync.models import ChunkEmbedding, SearchChunk
from cppa_pinecone_sync.query import build_request, search
from cppa_pinecone_sync.selectors import vector_column_type
from cppa_pinecone_sync.tests.conftest import fiber_issues, issue_item, sentences, store, sync
from github_activity_tracker import services as github_services
from github_activity_tracker.models import RepositoryStatus

pytestmark = pytest.mark.django_db


def server_has_pgvector() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
        return cursor.fetchone() is not None


@pytest.fixture
def vectors(settings) -> None:
    """SEARCH_EMBEDDER=hashed-ngrams on a server with pgvector."""
    if not server_has_pgvector():
        if os.environ.get("CI") and not os.environ.get("DATABASE_URL"):
            pytest.fail("the embedded PostgreSQL server must ship pgvector")
        pytest.skip("this PostgreSQL server (DATABASE_URL) has no pgvector extension")
    settings.SEARCH_EMBEDDER = "hashed-ngrams"
    settings.SEARCH_EMBEDDING_DIMENSIONS = 128


def titles(query: str, **options) -> list[str]:
    return [hit.title for hit in search(build_request(query=query, **options))]


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_hashed_ngrams_put_a_misspelling_near_its_word_and_are_unit_length() -> None:
    embedder = HashedNgramEmbedder(256)
    allocator, misspelt, coroutine = embedder.embed(["allocator", "allocater", "coroutine"])
    assert math.isclose(math.sqrt(cosine(allocator, allocator)), 1.0)
    assert cosine(allocator, misspelt) > 0.5 > cosine(allocator, coroutine)
    assert embedder.embed(["allocator"]) == [allocator]
    assert embedder.embed([""]) == [[0.0] * 256]


def test_every_chunk_gets_a_vector_and_a_misspelt_query_finds_its_document(repo, vectors) -> None:
    store(
        repo,
        issue_item(2, title="Pool allocator leaks", body=sentences("allocator", 12)),
        issue_item(3, title="Coroutine frames", body=sentences("coroutine", 12)),
    )
    row, _ = sync()
    assert row.status == "succeeded"
    assert vector_column_type() == "vector(128)"
    assert row.counters["chunks_embedded"] == ChunkEmbedding.objects.count()
    assert ChunkEmbedding.objects.count() == SearchChunk.objects.count() > 4
    # Full-text search alone has no such word; the vectors find the near spelling.
    assert not SearchChunk.objects.filter(search_vector="allocater").exists()
    assert titles("allocater") == ["boostorg/website-v2#2: Pool allocator leaks"]
    assert titles("the and of") == []


def test_a_document_both_lists_agree_on_ranks_above_one_found_by_either(repo, vectors) -> None:
    store(repo, *fiber_issues(exact_in_notes="A fiber scheduler, once."))
    sync()
    found = titles("fiber scheduler")
    assert found[0] == "boostorg/website-v2#2: Fiber scheduler"
    assert set(found) >= {"boostorg/website-v2#3: Notes", "boostorg/website-v2#4: Fibre schedulers"}


def test_shrunk_and_deleted_documents_take_their_vectors_with_them(repo, vectors) -> None:
    store(repo, issue_item(2, body=sentences("allocator", 20)), issue_item(3, body="second"))
    sync()
    store(repo, issue_item(2, body="Now short.", when="2025-03-01T00:00:00+00:00"))
    sync()
    assert ChunkEmbedding.objects.count() == SearchChunk.objects.count() == 2
    github_services.mark_repository_missing(
        full_name=repo.full_name, status=RepositoryStatus.DELETED
    )
    sync()
    assert ChunkEmbedding.objects.count() == SearchChunk.objects.count() == 0


def test_setting_an_embedder_later_fills_the_vectors_without_rewriting_documents(
    repo, vectors, settings
) -> None:
    settings.SEARCH_EMBEDDER = ""
    store(repo, issue_item(2, body=sentences("allocator", 12)))
    sync()
    assert ChunkEmbedding.objects.count() == 0
    settings.SEARCH_EMBEDDER = "hashed-ngrams"
    settings.SEARCH_VECTOR_INDEX_REBUILD_FROM = 2  # the fill drops the index, then builds it
    row, _ = sync()
    assert row.counters["chunks_embedded"] == SearchChunk.objects.count() >= 2
    assert row.counters["unchanged"] == 1
    assert "documents_written" not in row.counters
    assert vector_index() == ["cppa_pinecone_sync_chunkembedding_hnsw"]
    with connection.cursor() as cursor:  # as a fill killed before it rebuilt the index
        cursor.execute("DROP INDEX cppa_pinecone_sync_chunkembedding_hnsw")
    again, _ = sync()
    assert "chunks_embedded" not in again.counters
    assert vector_index() == ["cppa_pinecone_sync_chunkembedding_hnsw"]


def vector_index() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [ChunkEmbedding._meta.db_table, "%hnsw%"],
        )
        return [name for (name,) in cursor]


def test_other_dimensions_replace_the_column_and_re_embed_everything(repo, vectors, settings):
    store(repo, issue_item(2, body=sentences("allocator", 12)))
    sync()
    settings.SEARCH_EMBEDDING_DIMENSIONS = 64
    row, _ = sync()
    assert vector_column_type() == "vector(64)"
    assert row.counters["chunks_embedded"] == SearchChunk.objects.count()
    assert set(ChunkEmbedding.objects.values_list("embedder", flat=True)) == {"hashed-ngrams/64"}
    assert titles("allocator") == ["boostorg/website-v2#2: Issue 2"]


class _WrongSize:
    name, dimensions = "wrong-size", 8

    def embed(self, texts):
        return [[1.0] * 3 for _ in texts]


def wrong_size_embedder() -> _WrongSize:
    return _WrongSize()


def too_wide_embedder() -> HashedNgramEmbedder:
    return HashedNgramEmbedder(4096)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("word2vec", "use 'hashed-ngrams' or 'module.path:factory'"),
        ("no.such.module:make", "cannot be loaded: No module named 'no'"),
        ("cppa_pinecone_sync.embedders:missing", "cannot be loaded"),
        (f"{__name__}:too_wide_embedder", "dimensions must be a whole number from 1 to 2000"),
    ],
)
def test_a_bad_embedder_setting_is_one_line_before_anything_is_read(
    repo, settings, spec, message
) -> None:
    settings.SEARCH_EMBEDDER = spec
    with pytest.raises(CommandError, match=message):
        sync()
    assert SearchChunk.objects.count() == 0


def test_an_embedder_answering_the_wrong_size_stops_the_batch_with_one_line(
    repo, vectors, settings
) -> None:
    settings.SEARCH_EMBEDDER = f"{__name__}:wrong_size_embedder"
    store(repo, issue_item(2, body="text"))
    with pytest.raises(CommandError, match="answered vectors of the wrong number or size"):
        sync()
    assert SearchChunk.objects.count() == ChunkEmbedding.objects.count() == 0


def test_a_role_that_cannot_enable_pgvector_is_told_what_to_run(repo, vectors) -> None:
    embedder = configured_embedder()
    assert embedder is not None
    with connection.cursor() as cursor:
        cursor.execute("DROP EXTENSION IF EXISTS vector CASCADE")
        cursor.execute("CREATE ROLE search_reader_test NOSUPERUSER")
        cursor.execute("SET ROLE search_reader_test")
    try:
        with pytest.raises(CommandError, match="run CREATE EXTENSION vector as a superuser"):
            services.prepare_embeddings(embedder=embedder)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def test_a_server_without_pgvector_is_one_line_naming_the_fix(repo, settings) -> None:
    if server_has_pgvector():
        pytest.skip("this server has pgvector; the refusal is for one that has not")
    settings.SEARCH_EMBEDDER = "hashed-ngrams"
    store(repo, issue_item(2, body="text"))
    with pytest.raises(CommandError, match=r"install pgvector on it .* or unset SEARCH_EMBEDDER"):
        sync()
    assert SearchChunk.objects.count() == 0
