"""The search index: indexing throughput, an unchanged re-run, and query latency.

- Index BENCH_SEARCH_DOCS (100,000) GitHub issues of about 1 KB each, made in SQL,
  through the real pipeline (`SourceSync` over the `github` source) into the postgres
  backend: documents/s. Then the same sync again with nothing changed: it must write
  nothing (counted by the pipeline and by PostgreSQL's own tuple counters).
- Query latency over BENCH_SEARCH_CHUNKS (1,000,000) chunks of about 400 characters,
  made in SQL straight into the chunks table (the generated tsvector is computed by
  PostgreSQL as on any write): p50/p99 of BENCH_SEARCH_QUERIES (300) queries of one to
  three words through `query.search`, snippets included.
- Hybrid: BENCH_SEARCH_HYBRID_CHUNKS (100,000) such chunks embedded with the built-in
  `hashed-ngrams` embedder into pgvector (HNSW): chunks/s, then the same queries ranked
  by full-text and vectors fused (RRF): p50/p99.

Not part of `make test`: `make bench` runs it. Words come from a fixed vocabulary with
a Zipf-like skew (`random()^3`), seeded, so runs compare.
"""

from __future__ import annotations

import os
import random
import statistics
import time

import pytest
from django.db import connection

from core.runs import RunCounters
from cppa_pinecone_sync import services
from cppa_pinecone_sync.backends import get_backend
from cppa_pinecone_sync.embedders import configured_embedder
from cppa_pinecone_sync.models import SearchChunk
from cppa_pinecone_sync.pipeline import SourceSync
from cppa_pinecone_sync.query import build_request, search
from github_activity_tracker.search_documents import GITHUB_SOURCE

DOCS = int(os.environ.get("BENCH_SEARCH_DOCS", "100000"))
CHUNKS = int(os.environ.get("BENCH_SEARCH_CHUNKS", "1000000"))
QUERIES = int(os.environ.get("BENCH_SEARCH_QUERIES", "300"))
HYBRID_CHUNKS = int(os.environ.get("BENCH_SEARCH_HYBRID_CHUNKS", "100000"))

_VOCABULARY_TEXT = (
    "allocator iterator container vector string view span optional variant tuple json "
    "url beast asio coroutine executor strand socket buffer parser serializer header "
    "regex spirit fusion hana mp11 describe pfr charconv format filesystem thread "
    "atomic mutex lock future promise timer deadline resolver endpoint stream archive "
    "serialization graph geometry polygon point box distance intersection algorithm "
    "range adaptor transform filter accumulate hash map set flat unordered multi index "
    "interprocess shared memory segment pool object intrusive list slist tree rbtree "
    "compile error warning gcc clang msvc cmake b2 build test ci release changelog docs "
    "example tutorial reference benchmark performance regression crash leak undefined "
    "behaviour sanitizer constexpr template concept requires lambda noexcept move copy"
)
VOCABULARY = _VOCABULARY_TEXT.split()

_WORDS_SQL = "ARRAY[" + ",".join(f"'{w}'" for w in VOCABULARY) + "]"
# Word k of TERMS, drawn with a Zipf-like skew (floor(random()^3 * TERMS)): the top ranks
# are filler (`w17`, like "the" in real text), the real words sit at ranks 200-309, so
# each is in about 2 % of 55-word chunks, as a topic word is in real threads.
TERMS = 20_000
_REAL_FROM = 200
_POOL = 20_000  # distinct texts made; rows take them in turn (to_tsvector still runs per row)


def _word_sql() -> str:
    k = f"floor(power(random(), 3) * {TERMS})::int"
    return (
        f"(SELECT CASE WHEN k BETWEEN {_REAL_FROM} AND {_REAL_FROM + len(VOCABULARY) - 1} "
        f"THEN ({_WORDS_SQL})[k - {_REAL_FROM - 1}] ELSE 'w' || k END "
        f"FROM (SELECT {k} AS k WHERE w > 0) AS r)"
    )


def _make_pool(cursor, words: int, name: str) -> None:
    """A temporary table `name` (i, text) of _POOL texts of `words` words each."""
    cursor.execute(
        f"CREATE TEMPORARY TABLE {name} AS SELECT i, (SELECT string_agg({_word_sql()}, ' ') "
        f"FROM generate_series(1, {words}) AS w WHERE i > -w) AS text "
        f"FROM generate_series(0, {_POOL - 1}) AS i"
    )


def _fill_issues(count: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.14)")
        _make_pool(cursor, 130, "bench_bodies")
        _make_pool(cursor, 6, "bench_titles")
        cursor.execute(
            "INSERT INTO github_activity_tracker_repository (github_id, owner, name, full_name, "
            "description, stars, forks, topics, language, license, default_branch, archived, "
            "status, renamed_to, row_changed_at) VALUES (1, 'boostorg', 'boost', "
            "'boostorg/boost', '', 0, 0, '[]', '', '', 'develop', false, 'active', '', now())"
        )
        cursor.execute(
            "INSERT INTO github_activity_tracker_issue (repository_id, github_id, number, "
            "is_pull_request, title, body, state, state_reason, locked, created_at, "
            "updated_at, row_changed_at) "
            "SELECT r.id, g, g, g %% 3 = 0, t.text, b.text || ' ' || g, 'open', '', false, "
            "now() - interval '3 years', now() - interval '2 years', now() "
            "FROM generate_series(1, %s) AS g "
            "CROSS JOIN github_activity_tracker_repository r "
            f"JOIN bench_bodies b ON b.i = g %% {_POOL} "
            f"JOIN bench_titles t ON t.i = (g * 7) %% {_POOL}",
            [count],
        )


def _fill_chunks(count: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.27)")
        _make_pool(cursor, 55, "bench_texts")
        _make_pool(cursor, 6, "bench_titles")
        cursor.execute(
            "INSERT INTO cppa_pinecone_sync_searchchunk (source, doc_id, ordinal, title, text, "
            "url, admin_path, updated_at, metadata, content_hash) "
            "SELECT 'github', 'doc-' || (g / 4), g %% 4, t.text, x.text, "
            "'https://example.org/' || g, '', now(), '{}', 'h' "
            "FROM generate_series(1, %s) AS g "
            f"JOIN bench_texts x ON x.i = g %% {_POOL} "
            f"JOIN bench_titles t ON t.i = (g / 4 * 7) %% {_POOL}",
            [count],
        )
        cursor.execute("ANALYZE cppa_pinecone_sync_searchchunk")


def _written_tuples() -> int:
    """Rows PostgreSQL inserted, updated or deleted in this app's tables so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
            "FROM pg_stat_xact_user_tables WHERE relname LIKE 'cppa_pinecone_sync_%%'"
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def _sync() -> tuple[RunCounters, float]:
    counters = RunCounters()
    started = time.perf_counter()
    SourceSync(source=GITHUB_SOURCE, backend=get_backend("postgres"), counters=counters).run()
    return counters, time.perf_counter() - started


@pytest.mark.django_db
def test_index_100k_documents_then_an_unchanged_rerun(record_search_line) -> None:
    _fill_issues(DOCS)
    counters, seconds = _sync()
    assert counters.get("documents_written") == DOCS
    chunks = SearchChunk.objects.count()
    record_search_line(
        f"index N={DOCS} documents (~1 KB): {DOCS / seconds:.0f} documents/s "
        f"({seconds:.1f} s, {chunks} chunks)"
    )
    before = _written_tuples()
    again, seconds = _sync()
    assert again.get("unchanged") == DOCS
    assert again.get("documents_written") == 0
    assert _written_tuples() == before
    record_search_line(
        f"unchanged re-run of N={DOCS}: {seconds:.1f} s, {DOCS / seconds:.0f} documents/s "
        "read, 0 rows written"
    )


def _latencies() -> tuple[float, float, int]:
    """p50 and p99 seconds of QUERIES seeded queries of 1-3 words, and how many found any."""
    rng = random.Random(7)
    queries = [
        " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(1, 3))) for _ in range(QUERIES)
    ]
    search(build_request(query="allocator", limit=10))  # warm the caches once
    latencies = []
    found = 0
    for text in queries:
        started = time.perf_counter()
        hits = search(build_request(query=text, limit=10))
        latencies.append(time.perf_counter() - started)
        found += bool(hits)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return statistics.median(latencies), p99, found


@pytest.mark.django_db
def test_query_latency_over_a_million_chunks(record_search_line) -> None:
    _fill_chunks(CHUNKS)
    p50, p99, found = _latencies()
    record_search_line(
        f"query over {CHUNKS} chunks: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms "
        f"over {QUERIES} queries ({found} with results), 10 hits with snippets each"
    )


@pytest.mark.django_db
def test_hybrid_query_latency_with_hashed_ngram_vectors(record_search_line, settings) -> None:
    """BENCH_SEARCH_HYBRID_CHUNKS chunks, each embedded (hashed-ngrams, 256 dimensions,
    HNSW index), then the same queries ranked by full-text and vectors together (RRF)."""
    settings.SEARCH_EMBEDDER = "hashed-ngrams"
    settings.SEARCH_EMBEDDING_DIMENSIONS = 256
    _fill_chunks(HYBRID_CHUNKS)
    embedder = configured_embedder()
    assert embedder is not None
    services.prepare_embeddings(embedder=embedder)
    started = time.perf_counter()
    embedded = services.embed_missing(source="github", embedder=embedder)
    seconds = time.perf_counter() - started
    assert embedded == HYBRID_CHUNKS
    p50, p99, found = _latencies()
    record_search_line(
        f"hybrid over {HYBRID_CHUNKS} chunks: embedded and stored {embedded / seconds:.0f} "
        f"chunks/s (hashed-ngrams/256, HNSW built after the fill), "
        f"queries p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms "
        f"({found} of {QUERIES} with results)"
    )
