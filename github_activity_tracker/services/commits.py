"""Ingest a page of commits with their authors and file changes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from core.bulk import ParentKey, UpsertCounts, upsert
from cppa_user_tracker.services import link_git_identities_to_accounts
from github_activity_tracker.items import CommitItem
from github_activity_tracker.models import Commit, FileChange, Repository
from github_activity_tracker.services._shared import (
    TableCounts,
    account_id,
    identity_id,
    store_accounts,
    store_identities,
)

_COMMIT_FIELDS = [
    "message",
    "author",
    "committer",
    "author_account",
    "committer_account",
    "authored_at",
    "committed_at",
]
_FILE_FIELDS = ["previous_filename", "status", "additions", "deletions", "changes"]


def ingest_commits(*, repository: Repository, items: Sequence[CommitItem]) -> TableCounts:
    """Store one page of commits: people first, then commits, then their file changes.

    Keyed on (repository, SHA), so a commit older than the checkpoint (a long-lived
    branch merged late) is stored like any other, and a re-read page writes nothing.
    A list-endpoint item (no stats) never erases stats a detail read stored.
    Statements per page are fixed (about eight), whatever the page size.
    """
    check_shas(repository, items)
    with transaction.atomic():
        accounts, account_ids = store_accounts(
            a for i in items for a in (i.author_account, i.committer_account)
        )
        identities, ids = store_identities(p for i in items for p in (i.author, i.committer))
        # GitHub tied these addresses to these accounts (the commit's author/committer id).
        link_git_identities_to_accounts(
            pairs=(
                (ids[p.key], account_ids[a.github_id])
                for i in items
                for p, a in ((i.author, i.author_account), (i.committer, i.committer_account))
                if p is not None and a is not None
            )
        )
        rows = [
            {
                **commit_row(repository, item, ids),
                "author_account": account_id(account_ids, item.author_account),
                "committer_account": account_id(account_ids, item.committer_account),
            }
            for item in items
        ]
        commits = upsert(
            model=Commit,
            rows=[r for r in rows if r["additions"] is not None],
            unique_fields=["repository", "sha"],
            update_fields=[*_COMMIT_FIELDS, "additions", "deletions"],
        ) + upsert(
            model=Commit,
            rows=[r for r in rows if r["additions"] is None],
            unique_fields=["repository", "sha"],
            update_fields=_COMMIT_FIELDS,
        )
        files = store_file_changes(repository, items)
    return {"accounts": accounts, "identities": identities, "commits": commits, "files": files}


def commit_row(
    repository: Repository, item: CommitItem, identities: dict[tuple[str, str], int]
) -> dict[str, Any]:
    """A commit's row without its account columns (which only the API knows)."""
    return {
        "repository": repository.pk,
        "sha": item.sha,
        "message": item.message,
        "author": identity_id(identities, item.author),
        "committer": identity_id(identities, item.committer),
        "authored_at": item.authored_at,
        "committed_at": item.committed_at,
        "additions": item.additions,
        "deletions": item.deletions,
    }


def check_shas(repository: Repository, items: Sequence[CommitItem]) -> None:
    """Refuse a page with a SHA that is not 40 characters (a ValueError naming it)."""
    for item in items:
        if len(item.sha) != 40:
            raise ValueError(f"commit {item.sha!r} of {repository} is not a 40-character SHA")


def store_file_changes(repository: Repository, items: Sequence[CommitItem]) -> UpsertCounts:
    """Upsert the file changes of the page's commits (stored just before), keyed on
    (commit, filename)."""
    rows = [
        {
            "commit": item.sha,
            "filename": change.filename,
            "previous_filename": change.previous_filename,
            "status": change.status,
            "additions": change.additions,
            "deletions": change.deletions,
            "changes": change.changes,
        }
        for item in items
        for change in item.files or ()
    ]
    return upsert(
        model=FileChange,
        rows=rows,
        unique_fields=["commit", "filename"],
        update_fields=_FILE_FIELDS,
        parents={"commit": ParentKey(model=Commit, key="sha", scope={"repository": repository.pk})},
    )
