"""run_cppa_pinecone_sync on real PostgreSQL, over the GitHub source and its real rows."""

from __future__ import annotations

import pytest
from django.core.management import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import CollectorRun
from cppa_pinecone_sync.models import IndexedDocument, RetryItem, SearchChunk, SyncState
from cppa_pinecone_sync.pipeline import IncompleteSync
from cppa_pinecone_sync.tests.conftest import (
    RECORDED,
    chunk_texts,
    doc_id,
    issue_item,
    recorded_issue,
    sentences,
    store,
    sync,
)
from github_activity_tracker import parsers, services
from github_activity_tracker.models import Issue, RepositoryStatus
from github_activity_tracker.testing.recordings import recorded

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "COPY")


def search_table_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(WRITES) and "cppa_pinecone_sync_" in q["sql"]
    ]


def test_first_sync_indexes_every_issue_with_its_thread_and_records_a_ledger_row(repo) -> None:
    store(repo, recorded_issue(), issue_item(2, body=sentences("allocator", 12)))
    row, out = sync()
    assert row.status == "succeeded"
    assert row.counters["documents_seen"] == row.counters["documents_written"] == 2
    assert row.counters["chunks_upserted"] == SearchChunk.objects.count() > 2
    first = chunk_texts(doc_id(1188))
    assert "import new releases" in first[0][1]
    assert [n for n, _ in chunk_texts(doc_id(2))] == list(range(len(chunk_texts(doc_id(2)))))
    assert "github (postgres): 2 documents seen" in out
    assert SyncState.objects.get(source="github").watermark is not None


def test_a_changed_document_replaces_its_chunks_and_leaves_none_stale(repo) -> None:
    store(repo, issue_item(2, body=sentences("allocator", 12)), issue_item(3, body="untouched"))
    sync()
    before = chunk_texts(doc_id(2))
    store(repo, issue_item(2, body=sentences("coroutine", 12), when="2025-03-01T00:00:00+00:00"))
    row, _ = sync()
    after = chunk_texts(doc_id(2))
    assert row.counters["documents_written"] == 1
    assert row.counters["unchanged"] == 1
    assert len(after) == len(before)
    assert all("coroutine" in text and "allocator" not in text for _, text in after)
    assert SearchChunk.objects.filter(text__contains="allocator").count() == 0


def test_a_shrunk_document_keeps_no_chunk_past_its_new_end(repo) -> None:
    store(repo, issue_item(2, body=sentences("allocator", 20)))
    sync()
    assert len(chunk_texts(doc_id(2))) > 3
    store(repo, issue_item(2, body="Now short.", when="2025-03-01T00:00:00+00:00"))
    row, _ = sync()
    assert chunk_texts(doc_id(2)) == [(0, "Now short.")]
    assert row.counters["chunks_deleted"] > 0
    assert IndexedDocument.objects.get(doc_id=doc_id(2)).chunk_count == 1


def test_issues_of_a_deleted_repository_leave_the_index(repo) -> None:
    store(repo, recorded_issue(), issue_item(2, body="second"))
    sync()
    services.mark_repository_missing(full_name=repo.full_name, status=RepositoryStatus.DELETED)
    row, _ = sync()
    assert row.counters["deleted"] == 2
    assert not SearchChunk.objects.exists()
    assert not IndexedDocument.objects.exists()


def test_an_unchanged_rerun_writes_nothing_to_the_index_or_its_books(repo) -> None:
    store(repo, recorded_issue(), issue_item(2, body=sentences("allocator", 12)))
    sync()
    with CaptureQueriesContext(connection) as queries:
        row, _ = sync()
    assert search_table_writes(queries.captured_queries) == []
    assert row.counters["unchanged"] == 2
    assert "chunks_upserted" not in row.counters
    assert "documents_written" not in row.counters


def test_a_backfilled_old_issue_is_indexed_although_github_last_touched_it_years_ago(
    repo, settings
) -> None:
    settings.SEARCH_SYNC_OVERLAP_SECONDS = 0  # only the watermark decides what is read
    store(repo, recorded_issue())
    sync()
    store(repo, issue_item(7, body="An old report about tuple", when="2012-05-01T00:00:00+00:00"))
    row, _ = sync()
    assert row.counters["documents_written"] == 1
    assert "tuple" in chunk_texts(doc_id(7))[0][1]


def test_a_new_comment_reindexes_its_issue(repo) -> None:
    store(repo, recorded_issue())
    sync()
    comments = [
        parsers.parse_comment(c, url=RECORDED)
        for c in recorded("website-v2_issue-1188/comments_rest.json")
    ]
    services.ingest_comments(repository=repo, items=comments)
    row, _ = sync()
    assert row.counters["documents_written"] == 1
    text = " ".join(t for _, t in chunk_texts(doc_id(1188)))
    assert "commented on" in text


@pytest.fixture
def failing_chunk_writes():
    """A trigger that refuses chunks of issue #2: the database rejects that batch."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_chunk() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'index refused %', NEW.doc_id; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_chunk BEFORE INSERT OR UPDATE ON cppa_pinecone_sync_searchchunk "
            f"FOR EACH ROW WHEN (NEW.doc_id = '{doc_id(2)}') EXECUTE FUNCTION refuse_chunk()"
        )

    def lift() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS refuse_chunk ON cppa_pinecone_sync_searchchunk")

    yield lift
    lift()


@pytest.fixture
def two_issues(repo, settings):
    settings.SEARCH_SYNC_BATCH_SIZE = 1
    settings.SEARCH_SYNC_MAX_ATTEMPTS = 2
    store(repo, recorded_issue())
    store(repo, issue_item(2, body="refused at first"))  # a later change than #1188's


def test_a_failing_batch_is_retried_then_kept_and_the_next_run_indexes_it(
    two_issues, failing_chunk_writes
) -> None:
    with pytest.raises(IncompleteSync, match="1 documents could not be indexed"):
        sync()
    failed = sync_row()
    assert failed.status == "failed"
    assert failed.counters["failed"] == 1
    retry = RetryItem.objects.get()
    assert (retry.doc_id, retry.attempts) == (doc_id(2), 2)
    assert "index refused" in retry.last_error
    assert not SearchChunk.objects.filter(doc_id=doc_id(2)).exists()
    assert SearchChunk.objects.filter(doc_id=doc_id(1188)).exists()
    failed_at = Issue.objects.get(number=2).row_changed_at
    assert SyncState.objects.get().watermark < failed_at

    failing_chunk_writes()  # the database takes the chunks again
    row, _ = sync()
    assert row.status == "succeeded"
    assert not RetryItem.objects.exists()
    assert chunk_texts(doc_id(2)) == [(0, "refused at first")]
    assert SyncState.objects.get().watermark >= failed_at


def sync_row() -> CollectorRun:
    return CollectorRun.objects.filter(command="run_cppa_pinecone_sync").latest("id")


def test_reconcile_repairs_a_hand_damaged_index(repo) -> None:
    store(
        repo,
        recorded_issue(),
        issue_item(2, body=sentences("allocator", 12)),
        issue_item(3, body="three"),
    )
    sync()
    healthy = sorted(SearchChunk.objects.values_list("doc_id", "ordinal", "text", "content_hash"))
    SearchChunk.objects.filter(doc_id=doc_id(2), ordinal=1).delete()  # a hole
    SearchChunk.objects.filter(doc_id=doc_id(3)).update(text="vandalised", content_hash="0" * 64)
    SearchChunk.objects.filter(doc_id=doc_id(1188)).delete()  # missing, books still say indexed
    SearchChunk.objects.create(  # a stray document the source never had
        source="github",
        doc_id="github-issue-1",
        ordinal=0,
        title="stray",
        text="x",
        content_hash="1",
    )
    row, _ = sync("--reconcile")
    assert row.counters["repaired"] == 4
    assert (
        sorted(SearchChunk.objects.values_list("doc_id", "ordinal", "text", "content_hash"))
        == healthy
    )
    again, _ = sync("--reconcile")
    assert "repaired" not in again.counters


def test_full_rebuild_drops_documents_no_longer_stored(repo) -> None:
    store(repo, recorded_issue(), issue_item(2, body="gone soon"))
    sync()
    Issue.objects.filter(number=2).delete()
    row, _ = sync("--full")
    assert row.counters["deleted"] == 1
    assert set(SearchChunk.objects.values_list("doc_id", flat=True)) == {doc_id(1188)}


def test_dry_run_says_what_it_would_write_and_writes_nothing(repo) -> None:
    store(repo, recorded_issue())
    with CaptureQueriesContext(connection) as queries:
        _row, out = sync("--dry-run")
    assert f"would write github {doc_id(1188)}" in out
    assert search_table_writes(queries.captured_queries) == []
    assert not SyncState.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--source", "nope"],
            "unknown search source 'nope'; registered sources: boost_usage, github",
        ),
        (["--full", "--reconcile"], "--full and --reconcile cannot be combined"),
    ],
)
def test_bad_flags_are_one_line_errors(db, args, message) -> None:
    with pytest.raises(CommandError, match=message):
        sync(*args)
