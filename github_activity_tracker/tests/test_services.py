"""Ingest services on real PostgreSQL: pages stored once, re-reads free, changes precise."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from core.bulk import ParentKey, upsert
from cppa_user_tracker.models import GitHubAccount, GitIdentity
from github_activity_tracker import parsers, services
from github_activity_tracker.models import (
    Comment,
    Commit,
    FileChange,
    Issue,
    PullRequest,
    Release,
    Repository,
    RepositoryStatus,
    Review,
    ReviewComment,
)
from github_activity_tracker.testing import payloads
from github_activity_tracker.testing.recordings import octokit_responses, recorded

pytestmark = pytest.mark.django_db

URL = payloads.REPO_API


def _written(counts) -> int:
    return sum(c.created + c.updated for c in counts.values())


@pytest.fixture
def repo() -> Repository:
    (obj,) = octokit_responses("get-repository", "get", "/repos/octokit-fixture-org/hello-world")
    website = {**obj, "id": 1, "name": "website-v2", "full_name": "boostorg/website-v2"}
    services.upsert_repositories(items=[parsers.parse_repository(website, url=URL)])
    return Repository.objects.get(github_id=1)


def _issues():
    return [
        parsers.parse_issue(recorded("website-v2_issue-1188/issue_rest.json"), url=URL),
        parsers.parse_issue(recorded("website-v2_issue-1897/issue_rest.json"), url=URL),
        parsers.parse_issue(payloads.pull_request_issue(), url=URL),
    ]


def _commits(count: int, *, start: int = 0, with_files: bool = True):
    return [
        parsers.parse_commit(
            payloads.commit(
                f"{n:040x}",
                date=f"2025-01-{1 + n % 28:02d}T00:00:00Z",
                files=[payloads.file_change(f"src/f{n}.cpp")] if with_files else None,
                email=f"dev{n % 3}@example.org",
            ),
            url=URL,
        )
        for n in range(start, start + count)
    ]


def test_repository_metadata_and_rename_in_place(repo) -> None:
    assert (repo.full_name, repo.status, repo.topics) == (
        "boostorg/website-v2",
        "active",
        ["fixtures", "hello", "hello-world"],
    )
    (obj,) = octokit_responses("get-repository", "get", "/repos/octokit-fixture-org/hello-world")
    renamed = {**obj, "id": 1, "name": "website", "full_name": "boostorg/website"}
    counts = services.upsert_repositories(items=[parsers.parse_repository(renamed, url=URL)])
    assert (counts.created, counts.updated) == (0, 1)
    assert Repository.objects.get(github_id=1).full_name == "boostorg/website"


def test_renamed_and_deleted_repositories_are_recorded(repo) -> None:
    assert services.mark_repository_missing(
        full_name="boostorg/website-v2", status="renamed", renamed_to="boostorg/site"
    )
    assert not services.mark_repository_missing(
        full_name="boostorg/website-v2", status="renamed", renamed_to="boostorg/site"
    )
    repo.refresh_from_db()
    assert (repo.status, repo.renamed_to) == (RepositoryStatus.RENAMED, "boostorg/site")
    assert services.mark_repository_missing(full_name="boostorg/gone", status="deleted")
    gone = Repository.objects.get(full_name="boostorg/gone")
    assert (gone.github_id, gone.owner, gone.status) == (None, "boostorg", "deleted")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"full_name": "a/b", "status": "active"}, "renamed or deleted"),
        ({"full_name": "a/b", "status": "renamed"}, "renamed_to is required"),
        ({"full_name": "a/b", "status": "deleted", "renamed_to": "c/d"}, "only for a rename"),
        ({"full_name": "ab", "status": "deleted"}, "not owner/name"),
    ],
)
def test_bad_missing_marks_are_rejected(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        services.mark_repository_missing(**kwargs)
    assert not Repository.objects.exists()


def test_commits_with_people_and_files_are_stored(repo) -> None:
    counts = services.ingest_commits(repository=repo, items=_commits(10))
    assert (counts["commits"].created, counts["files"].created) == (10, 10)
    assert Commit.objects.count() == FileChange.objects.count() == 10
    assert GitHubAccount.objects.filter(login="daveoconnor").count() == 1
    # Three author emails plus GitHub's committer identity, each stored once.
    assert GitIdentity.objects.count() == 4
    commit = Commit.objects.get(sha=f"{3:040x}")
    assert commit.author is not None
    assert commit.author.email == "dev0@example.org"
    assert commit.author_account is not None
    assert commit.author_account.login == "daveoconnor"
    assert (commit.additions, commit.deletions) == (3, 1)
    assert FileChange.objects.get(commit=commit).filename == "src/f3.cpp"


def test_reingesting_an_overlapping_page_writes_nothing(repo) -> None:
    services.ingest_commits(repository=repo, items=_commits(10))
    counts = services.ingest_commits(repository=repo, items=_commits(10, start=5))
    assert counts["commits"].created == 5
    assert counts["commits"].updated == 0
    again = services.ingest_commits(repository=repo, items=_commits(15))
    assert _written(again) == 0
    assert Commit.objects.count() == 15


def test_a_list_read_never_erases_stats_from_a_detail_read(repo) -> None:
    services.ingest_commits(repository=repo, items=_commits(2))
    counts = services.ingest_commits(repository=repo, items=_commits(2, with_files=False))
    assert _written(counts) == 0
    assert set(Commit.objects.values_list("additions", flat=True)) == {3}


def test_a_commit_older_than_the_stored_ones_is_still_stored(repo) -> None:
    services.ingest_commits(repository=repo, items=_commits(3, start=10))
    old = parsers.parse_commit(payloads.commit("f" * 40, date="2019-05-05T00:00:00Z"), url=URL)
    counts = services.ingest_commits(repository=repo, items=[old])
    assert counts["commits"].created == 1
    assert Commit.objects.filter(sha="f" * 40, committed_at__year=2019).exists()


def test_commit_page_costs_a_fixed_number_of_statements(repo) -> None:
    with CaptureQueriesContext(connection) as small:
        services.ingest_commits(repository=repo, items=_commits(5))
    with CaptureQueriesContext(connection) as large:
        services.ingest_commits(repository=repo, items=_commits(500, start=5))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_file_changes_land_on_the_commit_of_their_own_repository(repo) -> None:
    fork = Repository.objects.create(github_id=2, owner="me", name="w", full_name="me/w")
    (same_sha,) = _commits(1)
    services.ingest_commits(repository=fork, items=[same_sha])
    services.ingest_commits(repository=repo, items=[same_sha])
    files = FileChange.objects.values_list("commit__repository__full_name", flat=True)
    assert sorted(files) == ["boostorg/website-v2", "me/w"]


def test_a_file_change_whose_commit_is_not_stored_is_refused(repo) -> None:
    services.ingest_commits(repository=repo, items=_commits(1))
    row = {"previous_filename": "", "status": "added", "additions": 1, "deletions": 0}
    rows = [
        {**row, "commit": f"{0:040x}", "filename": "kept.cpp", "changes": 1},
        {**row, "commit": "e" * 40, "filename": "orphan.cpp", "changes": 1},
    ]
    with pytest.raises(IntegrityError, match='"commit_id"'):
        upsert(
            model=FileChange,
            rows=rows,
            unique_fields=["commit", "filename"],
            update_fields=["previous_filename", "status", "additions", "deletions", "changes"],
            parents={"commit": ParentKey(model=Commit, key="sha", scope={"repository": repo.pk})},
        )
    assert list(FileChange.objects.values_list("filename", flat=True)) == ["src/f0.cpp"]


def test_a_bad_sha_rejects_the_whole_page(repo) -> None:
    bad = dataclasses.replace(_commits(1)[0], sha="abc")
    with pytest.raises(ValueError, match=r"'abc' .* is not a 40-character SHA"):
        services.ingest_commits(repository=repo, items=[*_commits(3), bad])
    assert not Commit.objects.exists()


def test_issues_labels_and_assignees(repo) -> None:
    counts = services.ingest_issues(repository=repo, items=_issues())
    assert counts["issues"].created == 3
    assert counts["labels"].created == 1
    issue = Issue.objects.get(number=1897)
    assert list(issue.labels.values_list("name", flat=True)) == ["Feature"]
    assert list(Issue.objects.get(number=1188).assignees.values_list("login", flat=True)) == [
        "gavinwahl"
    ]
    assert Issue.objects.get(number=1602).is_pull_request
    assert _written(services.ingest_issues(repository=repo, items=_issues())) == 0


def test_a_changed_issue_updates_only_it(repo) -> None:
    services.ingest_issues(repository=repo, items=_issues())
    before = dict(Issue.objects.values_list("number", "title"))
    first, second, third = _issues()
    relabelled = dataclasses.replace(second, title="Renamed", labels=())
    counts = services.ingest_issues(repository=repo, items=[first, relabelled, third])
    assert (counts["issues"].created, counts["issues"].updated) == (0, 1)
    assert counts["links"].updated == 1  # the "Feature" label link removed
    after = dict(Issue.objects.values_list("number", "title"))
    assert [n for n in after if after[n] != before[n]] == [1897]
    assert not Issue.objects.get(number=1897).labels.exists()


def test_pull_request_merge_state(repo) -> None:
    services.ingest_issues(repository=repo, items=_issues())
    merged = parsers.parse_pull_request(payloads.pull_request(), url=URL)
    counts = services.ingest_pull_requests(repository=repo, items=[merged])
    assert counts["pull_requests"].created == 1
    pull = PullRequest.objects.get(issue__number=1602)
    assert (pull.merged, pull.merge_commit_sha, pull.head_ref) == (True, "c" * 40, "nix-setup")
    assert pull.merged_by is not None
    assert pull.merged_by.login == "sdarwin"
    assert _written(services.ingest_pull_requests(repository=repo, items=[merged])) == 0


def test_merge_data_for_an_unknown_issue_is_rejected(repo) -> None:
    with pytest.raises(ValueError, match="pull request data for issue\\(s\\) #1602 of"):
        services.ingest_pull_requests(
            repository=repo, items=[parsers.parse_pull_request(payloads.pull_request(), url=URL)]
        )
    assert not PullRequest.objects.exists()
    assert not GitHubAccount.objects.exists()


def test_recorded_comments_are_stored_once(repo) -> None:
    services.ingest_issues(repository=repo, items=_issues())
    items = [
        parsers.parse_comment(c, url=URL)
        for name in ("website-v2_issue-1188", "website-v2_issue-1897", "website-v2_pr-1602")
        for c in recorded(f"{name}/comments_rest.json")
    ]
    counts = services.ingest_comments(repository=repo, items=items)
    assert counts["comments"].created == len(items) == Comment.objects.count()
    assert Comment.objects.filter(issue__number=1602).count() == 7
    assert _written(services.ingest_comments(repository=repo, items=items)) == 0


def test_reviews_approvals_and_change_requests(repo) -> None:
    services.ingest_issues(repository=repo, items=_issues())
    raw = [
        payloads.review(11, "CHANGES_REQUESTED"),
        payloads.review(12, "APPROVED", user=payloads.DAVE),
        payloads.review(13, "PENDING"),
    ]
    counts = services.ingest_reviews(
        repository=repo, items=[parsers.parse_review(r, url=URL) for r in raw]
    )
    assert counts["reviews"].created == 3
    states = dict(Review.objects.values_list("github_id", "state"))
    assert states == {11: "CHANGES_REQUESTED", 12: "APPROVED", 13: "PENDING"}
    raw[2] = payloads.review(13, "APPROVED")
    again = services.ingest_reviews(
        repository=repo, items=[parsers.parse_review(r, url=URL) for r in raw]
    )
    assert (again["reviews"].created, again["reviews"].updated) == (0, 1)
    assert Review.objects.get(github_id=13).submitted_at is not None


def test_review_comments(repo) -> None:
    services.ingest_issues(repository=repo, items=_issues())
    item = parsers.parse_review_comment(payloads.review_comment(21, review_id=11), url=URL)
    counts = services.ingest_review_comments(repository=repo, items=[item])
    assert counts["review_comments"].created == 1
    stored = ReviewComment.objects.get()
    assert (stored.review_github_id, stored.path) == (11, "docs/nix_based_setup.md")
    assert _written(services.ingest_review_comments(repository=repo, items=[item])) == 0


def test_releases(repo) -> None:
    (obj,) = octokit_responses(
        "release-assets",
        "get",
        "/repos/octokit-fixture-org/tmp-scenario-release-assets-20220719044014639-1reww/releases/tags",
    )
    items = [parsers.parse_release(obj, url=URL)]
    counts = services.ingest_releases(repository=repo, items=items)
    assert counts["releases"].created == 1
    assert Release.objects.get().tag_name == "v1.0.0"
    assert _written(services.ingest_releases(repository=repo, items=items)) == 0
