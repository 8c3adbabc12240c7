"""Reads of the GitHub activity tables that the collector needs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from github_activity_tracker.models import Commit, Issue, Repository


def get_repository(*, github_id: int) -> Repository:
    return Repository.objects.get(github_id=github_id)


def stored_commit_shas(*, repository: Repository, shas: Iterable[str]) -> set[str]:
    """Which of `shas` are stored for `repository` (one query)."""
    return set(
        Commit.objects.filter(repository=repository, sha__any_of=set(shas)).values_list(
            "sha", flat=True
        )
    )


def stored_issue_numbers(*, repository: Repository, numbers: Iterable[int]) -> set[int]:
    """Which of the issue `numbers` are stored for `repository` (one query)."""
    return set(
        Issue.objects.filter(repository=repository, number__any_of=set(numbers)).values_list(
            "number", flat=True
        )
    )


def commit_author_identity_ids(since: datetime, until: datetime) -> set[int]:
    """Git identities that authored a commit in [since, until) (for people's contributors)."""
    return set(
        Commit.objects.filter(authored_at__gte=since, authored_at__lt=until, author__isnull=False)
        .order_by()  # without it the default ordering's columns join the DISTINCT
        .values_list("author_id", flat=True)
        .distinct()
    )


def commit_author_account_ids(since: datetime, until: datetime) -> set[int]:
    """GitHub accounts GitHub credits with a commit authored in [since, until)."""
    return set(
        Commit.objects.filter(
            authored_at__gte=since, authored_at__lt=until, author_account__isnull=False
        )
        .order_by()
        .values_list("author_account_id", flat=True)
        .distinct()
    )


def identity_repositories(identity_ids: Sequence[int]) -> dict[int, list[str]]:
    """`owner/repo` of every repository each git identity authored a commit in (one query)."""
    rows = (
        Commit.objects.filter(author__id__any_of=identity_ids)
        .values_list("author_id", "repository__full_name")
        .order_by()
        .distinct()
    )
    return _grouped(rows)


def account_repositories(account_ids: Sequence[int]) -> dict[int, list[str]]:
    """`owner/repo` of every repository each account authored a commit or opened an
    issue or pull request in (one query)."""
    commits = (
        Commit.objects.filter(author_account__id__any_of=account_ids)
        .values_list("author_account_id", "repository__full_name")
        .order_by()
    )
    issues = (
        Issue.objects.filter(author__id__any_of=account_ids)
        .values_list("author_id", "repository__full_name")
        .order_by()
    )
    return _grouped(commits.union(issues))


def identities_active_since(since: datetime) -> set[int]:
    """Git identities that authored a commit stored from `since` on (our time, not git's)."""
    return set(
        Commit.objects.filter(row_changed_at__gte=since, author__isnull=False)
        .values_list("author_id", flat=True)
        .order_by()
        .distinct()
    )


def accounts_active_since(since: datetime) -> set[int]:
    """Accounts credited with a commit, or authors of an issue or pull request, stored or
    changed from `since` on."""
    commits = (
        Commit.objects.filter(row_changed_at__gte=since, author_account__isnull=False)
        .values_list("author_account_id", flat=True)
        .order_by()
    )
    issues = (
        Issue.objects.filter(row_changed_at__gte=since, author__isnull=False)
        .values_list("author_id", flat=True)
        .order_by()
    )
    return set(commits.union(issues))


def _grouped(rows: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for pk, full_name in rows:
        found[pk].append(full_name)
    return dict(found)


def newest_pull_request_update(*, repository: Repository):
    """The latest `updated_at` of the pull requests' issue rows stored (None: none stored).

    The issue list (REST, conditional) lists pull requests too, so this says whether
    any pull request changed since the GraphQL stream last read them, at no request.
    """
    return (
        Issue.objects.filter(repository=repository, is_pull_request=True)
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
