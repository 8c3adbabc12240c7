"""GitHub rows stored through the GitHub services, and the sync run through its command."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from core.models import CollectorRun
from cppa_pinecone_sync.models import SearchChunk
from github_activity_tracker import parsers, services
from github_activity_tracker.items import IssueItem
from github_activity_tracker.models import Issue, Repository
from github_activity_tracker.search_documents import doc_id_of
from github_activity_tracker.testing import payloads
from github_activity_tracker.testing.recordings import octokit_responses, recorded

# Where the recorded payloads were read from: parsers name it in their errors.
RECORDED = payloads.REPO_API


@pytest.fixture(autouse=True)
def _search_settings(settings):
    settings.SEARCH_BACKEND = "postgres"
    settings.SEARCH_SYNC_BACKOFF_SECONDS = 0
    settings.SEARCH_CHUNK_CHARS = 200
    settings.SEARCH_CHUNK_OVERLAP_CHARS = 20


@pytest.fixture
def repo(db) -> Repository:
    (obj,) = octokit_responses("get-repository", "get", "/repos/octokit-fixture-org/hello-world")
    website = {**obj, "id": 1, "name": "website-v2", "full_name": "boostorg/website-v2"}
    services.upsert_repositories(items=[parsers.parse_repository(website, url=RECORDED)])
    return Repository.objects.get(github_id=1)


def recorded_issue() -> IssueItem:
    """boostorg/website-v2#1188 as GitHub answered it."""
    return parsers.parse_issue(recorded("website-v2_issue-1188/issue_rest.json"), url=RECORDED)


def issue_item(number: int, *, body: str, title: str = "", when: str = "") -> IssueItem:
    """A variant of the recorded issue with its own id, number, body and dates."""
    item = recorded_issue()
    moment = datetime.fromisoformat(when) if when else item.updated_at
    return dataclasses.replace(
        item,
        github_id=9_000_000 + number,
        number=number,
        title=title or f"Issue {number}",
        body=body,
        created_at=moment if when else item.created_at,
        updated_at=moment,
        source_id=str(9_000_000 + number),
    )


def store(repo: Repository, *items: IssueItem) -> None:
    services.ingest_issues(repository=repo, items=list(items))


def doc_id(number: int) -> str:
    return doc_id_of(Issue.objects.get(number=number))


def sync(*args: str) -> tuple[CollectorRun, str]:
    out = StringIO()
    call_command("run_cppa_pinecone_sync", *args, stdout=out)
    return CollectorRun.objects.filter(command="run_cppa_pinecone_sync").latest(
        "id"
    ), out.getvalue()


def chunk_texts(doc: str) -> list[tuple[int, str]]:
    return list(
        SearchChunk.objects.filter(doc_id=doc).order_by("ordinal").values_list("ordinal", "text")
    )


def sentences(word: str, count: int) -> str:
    """`count` distinct sentences naming `word`, long enough to need several chunks."""
    return " ".join(f"Sentence {n} mentions {word} in passing." for n in range(count))


def fiber_issues(*, exact_in_notes: str) -> list[IssueItem]:
    """Three issues two rankings see differently: #2 both the exact words and their
    spelling, #3 the exact words once (`exact_in_notes`), #4 only a near spelling."""
    return [
        issue_item(2, title="Fiber scheduler", body=sentences("fiber scheduler", 6)),
        issue_item(3, title="Notes", body=f"{exact_in_notes} " + sentences("other", 6)),
        issue_item(4, title="Fibre schedulers", body=sentences("fibre schedulers", 6)),
    ]
