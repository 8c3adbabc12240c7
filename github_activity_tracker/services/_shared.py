"""People and issue lookups that every ingest function needs first."""

from __future__ import annotations

from collections.abc import Iterable

from core.bulk import UpsertCounts
from cppa_user_tracker.items import GitHubAccountItem, GitIdentityItem
from cppa_user_tracker.selectors import git_identity_ids, github_account_ids
from cppa_user_tracker.services import upsert_git_identities, upsert_github_accounts
from github_activity_tracker.models import Issue, Repository

TableCounts = dict[str, UpsertCounts]


def store_accounts(
    accounts: Iterable[GitHubAccountItem | None],
) -> tuple[UpsertCounts, dict[int, int]]:
    """Upsert the page's accounts once each; map GitHub id → account primary key."""
    unique = {a.github_id: a for a in accounts if a is not None}
    counts = upsert_github_accounts(items=list(unique.values()))
    return counts, github_account_ids(github_ids=unique)


def account_id(ids: dict[int, int], account: GitHubAccountItem | None) -> int | None:
    return None if account is None else ids[account.github_id]


def store_identities(
    identities: Iterable[GitIdentityItem | None],
) -> tuple[UpsertCounts, dict[tuple[str, str], int]]:
    """Upsert the page's git identities once each; map (name, email) → primary key."""
    unique = {i.key: i for i in identities if i is not None}
    counts = upsert_git_identities(items=list(unique.values()))
    return counts, git_identity_ids(items=unique.values())


def identity_id(ids: dict[tuple[str, str], int], identity: GitIdentityItem | None) -> int | None:
    return None if identity is None else ids[identity.key]


def issue_ids(*, repository: Repository, numbers: Iterable[int], kind: str) -> dict[int, int]:
    """Map issue numbers to primary keys; a number not stored yet is an error.

    Comments, reviews and merge data hang off issues, so the collector ingests the
    issue stream first; a miss means it did not, and storing nothing is safer.
    """
    wanted = set(numbers)
    found = dict(
        Issue.objects.filter(repository=repository, number__any_of=wanted).values_list(
            "number", "id"
        )
    )
    missing = sorted(wanted - found.keys())
    if missing:
        listed = ", ".join(f"#{n}" for n in missing)
        raise ValueError(f"{kind} for issue(s) {listed} of {repository} not stored yet")
    return found
