"""The `slack` search source: the run indexes what it stored (its sync_pinecone phase), a
phrase of a thread reply finds its thread, a deletion leaves the index, teams never mix."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from cppa_pinecone_sync.backends import SearchRequest
from cppa_pinecone_sync.models import SearchChunk
from cppa_pinecone_sync.query import search
from cppa_slack_tracker.tests.conftest import run

pytestmark = pytest.mark.django_db

REPLY = "liburing backend needs BOOST_ASIO_HAS_IO_URING"
ROOT = "Has anyone tried Boost.Asio with io_uring on a recent kernel?"


def _search(query: str) -> list[dict]:
    out = StringIO()
    call_command("search", query, "--source", "slack", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_phrase_of_a_thread_reply_finds_its_thread(slack) -> None:
    row, out = run()
    assert row.counters["search_documents_written"] > 0
    [hit] = _search(f'"{REPLY}"')
    assert hit["title"] == f"#general thread: {ROOT}"
    assert hit["doc_id"].startswith("slack-T5YFFM2QY-C111-thread-")
    assert hit["url"].startswith("https://cpplang-test.slack.com/archives/C111/p")
    assert hit["metadata"]["team"] == "T5YFFM2QY"
    assert hit["metadata"]["authors"]  # names from users.list, not bare ids
    assert "search documents written" in out


def test_messages_outside_threads_are_one_document_per_channel_day(slack) -> None:
    run()
    [hit] = _search('"Boost 1.91.0 beta 1 is out"')
    assert hit["doc_id"] == "slack-T5YFFM2QY-C111-day-2026-04-20"
    assert hit["metadata"]["kind"] == "day"
    assert "is reading the release notes" in " ".join(
        SearchChunk.objects.filter(doc_id=hit["doc_id"]).values_list("text", flat=True)
    )


def test_a_deleted_thread_leaves_the_index_and_an_unchanged_rerun_writes_nothing(slack) -> None:
    run()
    row, _out = run()
    assert "search_documents_written" not in row.counters
    root = next(ts for ts, m in slack.messages["C111"].items() if m["text"] == ROOT)
    thread = [ts for ts, m in slack.messages["C111"].items() if m.get("thread_ts") == root]
    for ts in thread:
        slack.delete("C111", ts)
    run()
    assert not _search(f'"{REPLY}"')


def test_queries_filter_by_team(slack) -> None:
    run()
    ours = search(
        SearchRequest(query="liburing", sources=("slack",), metadata={"team": "T5YFFM2QY"})
    )
    theirs = search(
        SearchRequest(query="liburing", sources=("slack",), metadata={"team": "T0THER"})
    )
    assert ours
    assert not theirs
