"""run_github_activity_tracker end to end, against the loopback server."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
import pytest
from django.core.management import CommandError

from core.models import Checkpoint, CollectorRun, HttpCacheEntry
from core.testing import fixture_server as faults
from cppa_user_tracker.models import GitHubAccount
from github_activity_tracker.models import (
    Comment,
    Commit,
    FileChange,
    Issue,
    PullRequest,
    Repository,
    Review,
    ReviewComment,
)
from github_activity_tracker.testing import github_routes as routes
from github_activity_tracker.tests.conftest import run

pytestmark = pytest.mark.django_db


def table_sizes() -> dict[str, int]:
    models = (Commit, FileChange, Issue, PullRequest, Review, Comment, ReviewComment)
    return {m.__name__: m.objects.count() for m in models}


EXPECTED = {
    "Commit": 2,
    "FileChange": 2,
    "Issue": 3,
    "PullRequest": 1,
    "Review": 2,
    "Comment": 27,
    "ReviewComment": 1,
}


def test_full_then_incremental_runs_store_once_and_end_free(github) -> None:
    first, out = run()

    assert table_sizes() == EXPECTED
    pull = PullRequest.objects.get()
    assert (pull.merged, pull.merged_by.login) == (True, "sdarwin")
    assert set(Review.objects.values_list("state", flat=True)) == {"APPROVED", "CHANGES_REQUESTED"}
    assert Issue.objects.get(number=1602).is_pull_request
    assert "github_activity_tracker: succeeded in" in out
    # 9 REST requests and 1 GraphQL query (the pull request with its reviews, 1 point)
    # to read everything, then the settling pass: the three lists at the URLs the next
    # run will ask (200). The pull request stream is not asked again: nothing newer.
    # One more GraphQL query (1 point) reads the profiles of the accounts stored.
    assert (first.counters["api_requests"], first.counters.get("not_modified", 0)) == (14, 0)
    assert (first.counters["graphql_requests"], first.counters["graphql_points"]) == (2, 2)
    assert first.counters["core_requests"] == 12
    assert first.counters["profiles_read"] == GitHubAccount.objects.count() > 0

    second, out = run()
    assert second.counters.get("created", 0) == second.counters.get("updated", 0) == 0
    assert table_sizes() == EXPECTED
    # Nothing changed: every request, the three lists included, is answered 304, and
    # no pull request is newer than the GraphQL stream's checkpoint, and every profile
    # was read within GITHUB_ACTIVITY_PROFILE_REFRESH_DAYS: no query, no point.
    assert second.counters["not_modified"] == second.counters["api_requests"] == 6
    assert "graphql_points" not in second.counters
    assert "6 API requests (6 not modified)" in out


def test_an_old_commit_merged_later_is_stored(github) -> None:
    run()
    github.clear("GET", f"{routes.BASE}/branches/develop")
    routes.add(github, f"{routes.BASE}/branches/develop", {"commit": {"sha": routes.SHA_OLD}})
    merged = [routes.payloads.commit(routes.SHA_OLD, date="2019-05-01T08:00:00Z")]
    compare = f"{routes.BASE}/compare/{routes.SHA_B}...{routes.SHA_OLD}"
    routes.add(github, compare, {"status": "ahead", "commits": merged}, page="1", per_page="100")

    run()

    old = Commit.objects.get(sha=routes.SHA_OLD)
    assert str(old.committed_at) == "2019-05-01 08:00:00+00:00"
    assert FileChange.objects.filter(commit=old).count() == 1


def test_interrupted_run_resumes_without_loss_or_duplicates(github) -> None:
    target = f"{routes.BASE}/issues/comments?direction=asc&per_page=100&sort=updated"
    github.fail("GET", target, faults.server_error(502), times=2)
    with pytest.raises(httpx.HTTPStatusError, match="returned HTTP 502"):
        run()
    assert CollectorRun.objects.get().failure_category == "upstream"
    assert Issue.objects.count() == 3
    assert Comment.objects.count() == 0

    run("--full")

    assert table_sizes() == EXPECTED


def test_deleted_and_renamed_repositories_are_recorded_and_others_collected(github) -> None:
    github.add(
        "GET",
        "/repos/boostorg/old-site",
        status=301,
        headers={"location": f"{github.base_url}{routes.BASE}"},
    )
    _, out = run("--repo", "boostorg/gone", "--repo", "boostorg/old-site")

    statuses = dict(Repository.objects.values_list("full_name", "status"))
    assert statuses == {
        "boostorg/gone": "deleted",
        "boostorg/old-site": "renamed",
        routes.REPO: "active",
    }
    assert Repository.objects.get(full_name="boostorg/old-site").renamed_to == routes.REPO
    assert "boostorg/gone: deleted; recorded" in out
    assert "1 deleted, 1 renamed" in out
    assert table_sizes() == EXPECTED


def test_archive_then_replay_stores_the_same_rows_without_requests(github, settings) -> None:
    run("--archive")
    [archive] = Path(settings.WORKSPACE_DIR).glob("raw/github_activity_tracker/*")
    Repository.objects.all().delete()
    HttpCacheEntry.objects.all().delete()
    Checkpoint.objects.all().delete()
    hits = github.hits()

    replayed, _ = run("--replay", str(archive))

    assert github.hits() == hits
    assert replayed.status == "succeeded"
    assert table_sizes() == EXPECTED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--repo", "boostorg"], "--repo 'boostorg' is not owner/name; e.g. --repo boostorg/json"),
        (["--since", "2024-13-01"], "--since '2024-13-01' is not a date; use YYYY-MM-DD (UTC)"),
        (["--until", "yesterday"], "--until 'yesterday' is not a date; use YYYY-MM-DD (UTC)"),
        (
            ["--since", "2025-02-01", "--until", "2025-01-01"],
            "--since 2025-02-01 is after --until 2025-01-01",
        ),
    ],
)
def test_bad_flags_are_one_line_errors(github, args, message) -> None:
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert str(caught.value) == message
    assert github.hits() == 0


BAD_NAME = (
    "is not owner/name: a repository name is at most 100 letters, digits, '.', '-' or '_' "
    "(not '.' or '..')"
)
BAD_OWNER = (
    "is not owner/name: an owner is at most 39 letters, digits or single hyphens between them"
)
BAD_REPOS = [
    ("boostorg/json#frag", BAD_NAME),
    ("boostorg/json?x=1", BAD_NAME),
    ("boostorg/a b", BAD_NAME),
    ("boostorg/..", BAD_NAME),
    ("boostorg/" + "j" * 101, BAD_NAME),
    ("boost--org/json", BAD_OWNER),
    ("-boostorg/json", BAD_OWNER),
    ("b" * 40 + "/json", BAD_OWNER),
]


@pytest.mark.parametrize(("repo", "problem"), BAD_REPOS, ids=[r for r, _ in BAD_REPOS])
def test_a_repository_github_would_refuse_is_a_one_line_error(github, repo, problem) -> None:
    with pytest.raises(CommandError) as caught:
        run("--repo", "boostorg/json", f"--repo={repo}")

    assert str(caught.value) == f"--repo {repo!r} {problem}; e.g. --repo boostorg/json"
    assert github.hits() == 0
    assert not Repository.objects.exists()


@pytest.mark.parametrize(("repo", "problem"), BAD_REPOS[:3], ids=[r for r, _ in BAD_REPOS[:3]])
def test_the_same_names_in_github_activity_repos_are_refused(
    github, settings, repo, problem
) -> None:
    settings.GITHUB_ACTIVITY_REPOS = [routes.REPO, repo]

    with pytest.raises(CommandError) as caught:
        run()

    example = "GITHUB_ACTIVITY_REPOS=boostorg/json,boostorg/url"
    assert str(caught.value) == f"GITHUB_ACTIVITY_REPOS entry {repo!r} {problem}; e.g. {example}"
    assert github.hits() == 0
    assert not Repository.objects.exists()
    row = CollectorRun.objects.get()
    assert (row.status, row.failure_category) == ("failed", "command")


def _not_archives(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    text = tmp_path / "notes.txt"
    text.write_text("not an archive\n")
    binary = tmp_path / "image.png"
    binary.write_bytes(bytes(range(256)))
    empty = tmp_path / "empty"
    empty.mkdir()
    other_gzip = tmp_path / "other" / "responses.jsonl.gz"
    other_gzip.parent.mkdir()
    other_gzip.write_bytes(gzip.compress(b'{"hello": "world"}\n'))
    return {
        "text": (text, "not a gzip-compressed archive of responses"),
        "binary": (binary, "not a gzip-compressed archive of responses"),
        "folder": (empty, "no responses.jsonl.gz in this folder or below it"),
        "gzip-of-something-else": (
            other_gzip.parent,
            f"{other_gzip}: does not start with a recorded response",
        ),
        "missing": (tmp_path / "missing", "no such file or folder"),
    }


@pytest.mark.parametrize("case", ["text", "binary", "folder", "gzip-of-something-else", "missing"])
def test_replay_of_something_that_is_not_an_archive_is_a_one_line_error(
    github, tmp_path, case
) -> None:
    path, problem = _not_archives(tmp_path)[case]

    with pytest.raises(CommandError) as caught:
        run("--replay", str(path))

    assert str(caught.value) == (
        f"--replay {path}: {problem}; pass a responses.jsonl.gz file or a folder under "
        "WORKSPACE_DIR/raw/"
    )
    assert github.hits() == 0
    assert not Repository.objects.exists()
