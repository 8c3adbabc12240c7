"""Every write to the GitHub activity tables.

Each `ingest_*` function stores one page of one stream in one transaction, in the
order rows depend on each other (accounts and git identities, then the page's rows,
then their links), with bulk `INSERT ... ON CONFLICT` statements: a fixed number of
statements per page, never one per row, and a re-read page writes nothing.

Checkpoints: the collector keeps the checkpoint in the same transaction as the page
it covers by wrapping both itself::

    with transaction.atomic():
        counts = ingest_commits(repository=repo, items=page)
        save_checkpoint(...)  # the core checkpoint API

The inner `atomic()` then becomes a savepoint, so the page and its checkpoint are
committed together or not at all.
"""

from github_activity_tracker.services._shared import TableCounts
from github_activity_tracker.services.commits import ingest_commits
from github_activity_tracker.services.discussion import (
    ingest_comments,
    ingest_review_comments,
    ingest_reviews,
)
from github_activity_tracker.services.git_commits import (
    KnownIdentities,
    ingest_git_commits,
    link_commit_accounts,
)
from github_activity_tracker.services.issues import ingest_issues, ingest_pull_requests
from github_activity_tracker.services.repositories import (
    ingest_releases,
    mark_repository_missing,
    upsert_repositories,
)

__all__ = [
    "KnownIdentities",
    "TableCounts",
    "ingest_comments",
    "ingest_commits",
    "ingest_git_commits",
    "ingest_issues",
    "ingest_pull_requests",
    "ingest_releases",
    "ingest_review_comments",
    "ingest_reviews",
    "link_commit_accounts",
    "mark_repository_missing",
    "upsert_repositories",
]
