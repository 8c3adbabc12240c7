"""The same sync against Pinecone: the official SDK talking to the loopback fake."""

from __future__ import annotations

import json
import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cppa_pinecone_sync.models import IndexedDocument, RetryItem, SyncState
from cppa_pinecone_sync.pipeline import IncompleteSync
from cppa_pinecone_sync.tests.conftest import (
    doc_id,
    fiber_issues,
    issue_item,
    recorded_issue,
    sentences,
    store,
    sync,
)
from cppa_pinecone_sync.tests.pinecone_fake import FakePinecone
from github_activity_tracker import services
from github_activity_tracker.models import Issue, RepositoryStatus

pytestmark = pytest.mark.django_db

API_KEY = "pcsk_" + "Quiet9Key" * 4
WRITES = {"/vectors/delete", "/records/namespaces/github/upsert"}
SPARSE = "boost-data-collector-sparse"


@pytest.fixture
def pinecone(settings):
    fake = FakePinecone(api_key=API_KEY)
    with fake.running():
        settings.SEARCH_BACKEND = "pinecone"
        settings.PINECONE_API_KEY = API_KEY
        settings.PINECONE_CONTROL_URL = fake.url
        yield fake


def chunks(fake: FakePinecone, doc: str) -> list[tuple[int, str]]:
    return sorted(
        (r["ordinal"], r["chunk_text"])
        for i, r in fake.records("github").items()
        if i.startswith(f"{doc}#")
    )


def writes(fake: FakePinecone) -> list[tuple[str, str]]:
    return [(m, p) for m, p in fake.requests if p in WRITES]


def test_first_sync_creates_the_index_and_upserts_every_chunk(repo, pinecone) -> None:
    store(repo, recorded_issue(), issue_item(2, body=sentences("allocator", 12)))
    row, _ = sync()
    assert row.status == "succeeded"
    assert ("POST", "/indexes/create-for-model") in pinecone.requests
    dense, sparse = pinecone.indexes.values()
    assert (dense["name"], dense["vector_type"]) == ("boost-data-collector", "dense")
    assert (sparse["name"], sparse["vector_type"]) == (SPARSE, "sparse")
    assert sparse["embed"]["model"] == "pinecone-sparse-english-v0"
    assert dense["embed"]["field_map"] == sparse["embed"]["field_map"] == {"text": "chunk_text"}
    assert row.counters["chunks_upserted"] == len(pinecone.records("github")) > 2
    assert pinecone.records("github", index=SPARSE) == pinecone.records("github")
    assert "import new releases" in chunks(pinecone, doc_id(1188))[0][1]
    first = pinecone.records("github")[f"{doc_id(1188)}#0"]
    assert first["meta_repository"] == "boostorg/website-v2"
    assert first["url"] == "https://github.com/boostorg/website-v2/issues/1188"


def test_changed_and_shrunk_documents_leave_no_stale_chunk(repo, pinecone) -> None:
    store(repo, issue_item(2, body=sentences("allocator", 20)))
    sync()
    assert len(chunks(pinecone, doc_id(2))) > 3
    store(repo, issue_item(2, body="Now about coroutines.", when="2025-03-01T00:00:00+00:00"))
    row, _ = sync()
    assert chunks(pinecone, doc_id(2)) == [(0, "Now about coroutines.")]
    assert row.counters["chunks_deleted"] > 0


def test_a_deleted_repository_s_issues_are_deleted_by_id(repo, pinecone) -> None:
    store(repo, recorded_issue(), issue_item(2, body="second"))
    sync()
    services.mark_repository_missing(full_name=repo.full_name, status=RepositoryStatus.DELETED)
    row, _ = sync()
    assert row.counters["deleted"] == 2
    assert pinecone.records("github") == pinecone.records("github", index=SPARSE) == {}
    assert not IndexedDocument.objects.exists()


def test_an_unchanged_rerun_sends_no_write(repo, pinecone) -> None:
    store(repo, recorded_issue())
    sync()
    before = len(writes(pinecone))
    row, _ = sync()
    assert len(writes(pinecone)) == before
    assert row.counters["unchanged"] == 1


def test_a_backfilled_old_issue_is_indexed(repo, pinecone, settings) -> None:
    settings.SEARCH_SYNC_OVERLAP_SECONDS = 0
    store(repo, recorded_issue())
    sync()
    store(repo, issue_item(7, body="An old report about tuple", when="2012-05-01T00:00:00+00:00"))
    sync()
    assert chunks(pinecone, doc_id(7)) == [(0, "An old report about tuple")]


def test_429s_are_retried_then_kept_and_the_next_run_indexes_them(
    repo, pinecone, settings, caplog
) -> None:
    settings.SEARCH_SYNC_MAX_ATTEMPTS = 2
    store(repo, recorded_issue())
    pinecone.fail_next(429, times=2)
    with pytest.raises(IncompleteSync):
        sync()
    retry = RetryItem.objects.get()
    assert (retry.doc_id, retry.backend) == (doc_id(1188), "pinecone")
    assert "429" in retry.last_error
    assert not SyncState.objects.filter(watermark__isnull=False).exists()
    row, _ = sync()
    assert row.status == "succeeded"
    assert not RetryItem.objects.exists()
    assert chunks(pinecone, doc_id(1188))
    assert API_KEY not in caplog.text + retry.last_error + json.dumps(row.counters)


def test_a_503_is_retried_by_the_sdk_itself(repo, pinecone) -> None:
    store(repo, recorded_issue())
    pinecone.fail_next(503)
    row, _ = sync()
    assert row.status == "succeeded"
    assert chunks(pinecone, doc_id(1188))


def test_reconcile_repairs_a_hand_damaged_index(repo, pinecone) -> None:
    store(
        repo,
        recorded_issue(),
        issue_item(2, body=sentences("allocator", 12)),
        issue_item(3, body="three"),
    )
    sync()
    healthy = json.dumps(pinecone.records("github"), sort_keys=True)
    records = pinecone.records("github")
    del records[f"{doc_id(2)}#1"]  # a hole
    records[f"{doc_id(3)}#0"] = {
        **records[f"{doc_id(3)}#0"],
        "chunk_text": "x",
        "content_hash": "0",
    }
    for key in [k for k in records if k.startswith(f"{doc_id(1188)}#")]:
        del records[key]  # missing
    records["github-issue-1#0"] = {"chunk_text": "stray", "content_hash": "1"}
    row, _ = sync("--reconcile")
    assert row.counters["repaired"] == 4
    assert json.dumps(pinecone.records("github"), sort_keys=True) == healthy


def test_reconcile_repairs_a_document_only_the_sparse_index_lost(repo, pinecone) -> None:
    store(repo, recorded_issue(), issue_item(2, body=sentences("allocator", 12)))
    sync()
    healthy = json.dumps(pinecone.records("github"), sort_keys=True)
    sparse = pinecone.records("github", index=SPARSE)
    for key in [k for k in sparse if k.startswith(f"{doc_id(2)}#")]:
        del sparse[key]
    row, _ = sync("--reconcile")
    assert row.counters["repaired"] == 1
    assert json.dumps(pinecone.records("github", index=SPARSE), sort_keys=True) == healthy


def found(query: str) -> list[str]:
    out = StringIO()
    call_command("search", query, "--json", stdout=out)
    return [hit["title"] for hit in json.loads(out.getvalue())]


def test_both_indexes_are_searched_and_their_rankings_fused(repo, pinecone) -> None:
    store(repo, *fiber_issues(exact_in_notes="One fiber, then"))
    sync()
    results = found("fiber scheduler")
    searched = {i for i, _, path in pinecone.index_requests if path.endswith("/search")}
    assert searched == {"boost-data-collector", SPARSE}
    # Both indexes rank #2 first; #3 only has the exact word (sparse), #4 only a near
    # spelling (dense): each is found through one index.
    assert results[0] == "boostorg/website-v2#2: Fiber scheduler"
    assert set(results[1:]) == {"boostorg/website-v2#3: Notes",
                                "boostorg/website-v2#4: Fibre schedulers"}  # fmt: skip


def test_an_empty_sparse_index_name_keeps_to_the_dense_index(repo, pinecone, settings) -> None:
    settings.PINECONE_SPARSE_INDEX_NAME = ""
    store(repo, recorded_issue())
    sync()
    assert list(pinecone.indexes) == ["boost-data-collector"]
    assert found("webhook import releases") == [
        'boostorg/website-v2#1188: webhook "import new releases"'
    ]


def test_search_through_pinecone_finds_the_issue(repo, pinecone) -> None:
    store(repo, recorded_issue())
    sync()
    out = StringIO()
    call_command("search", "webhook import releases", "--json", stdout=out)
    (hit,) = json.loads(out.getvalue())
    assert hit["url"] == "https://github.com/boostorg/website-v2/issues/1188"
    assert hit["metadata"]["repository"] == "boostorg/website-v2"
    assert hit["snippet"][slice(*hit["highlights"][0])].lower() in {"webhook", "import"}


def test_a_wrong_api_key_is_one_line_without_the_key(repo, pinecone, settings, caplog) -> None:
    caplog.set_level(logging.INFO)
    settings.PINECONE_API_KEY = "pcsk_wrong_" + "Z" * 20
    store(repo, recorded_issue())
    with pytest.raises(Exception, match="401") as caught:
        sync()
    assert settings.PINECONE_API_KEY not in str(caught.value) + caplog.text
    assert Issue.objects.count() == 1


def test_pinecone_without_a_key_is_a_one_line_error(db, settings) -> None:
    settings.PINECONE_API_KEY = ""
    with pytest.raises(CommandError, match="search backend 'pinecone' needs PINECONE_API_KEY"):
        sync("--backend", "pinecone")
