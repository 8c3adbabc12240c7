"""Store commits read from a git mirror, and link them to GitHub accounts later."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction

from core.bulk import UpsertCounts, upsert
from cppa_user_tracker.services import link_git_identities_to_accounts
from github_activity_tracker.items import CommitItem
from github_activity_tracker.models import Commit, Repository
from github_activity_tracker.services._shared import (
    TableCounts,
    account_id,
    store_accounts,
    store_identities,
)
from github_activity_tracker.services.commits import (
    check_shas,
    commit_row,
    store_file_changes,
)

# Not the account columns: git does not know accounts, and a re-read must keep links.
_GIT_FIELDS = [
    "message",
    "author",
    "committer",
    "authored_at",
    "committed_at",
    "additions",
    "deletions",
]

_LINK_SQL = f"""
UPDATE {Commit._meta.db_table} AS c
SET author_account_id = v.author, committer_account_id = v.committer, row_changed_at = now()
FROM unnest(%s::text[], %s::bigint[], %s::bigint[]) AS v(sha, author, committer)
WHERE c.repository_id = %s AND c.sha = v.sha
  AND (c.author_account_id IS DISTINCT FROM v.author
       OR c.committer_account_id IS DISTINCT FROM v.committer)
"""


@dataclass
class KnownIdentities:
    """Git identity ids a run has stored already, so later pages skip their upsert.

    A history of 100,000 commits has a few hundred authors: after the first pages
    every identity is known, and its upsert (which never changes an existing pair)
    would only cost statements. `committed` holds ids of pages whose transaction
    committed; `pending` those of the page in progress, moved over by `commit()` once
    it committed, or dropped by `discard()` when it rolled back (its rows are gone).
    """

    committed: dict[tuple[str, str], int] = field(default_factory=dict)
    pending: dict[tuple[str, str], int] = field(default_factory=dict)

    def commit(self) -> None:
        self.committed.update(self.pending)
        self.pending.clear()

    def discard(self) -> None:
        self.pending.clear()


def ingest_git_commits(
    *,
    repository: Repository,
    items: Sequence[CommitItem],
    known: KnownIdentities | None = None,
) -> TableCounts:
    """Store one page of commits read from git: git identities, commits, file changes.

    Like `ingest_commits`, keyed on (repository, SHA) and writing nothing for a re-read
    page, but the account columns are left as they are: git does not know them, and
    `link_commit_accounts` fills them from the API. Every file is stored (git has no
    300-file limit), so a commit the API stored truncated is completed by a re-read.
    With `known`, identities stored by earlier committed pages are not upserted again.
    """
    check_shas(repository, items)
    known = known if known is not None else KnownIdentities()
    with transaction.atomic():
        people = [p for i in items for p in (i.author, i.committer) if p is not None]
        identities, found = store_identities(p for p in people if p.key not in known.committed)
        ids = {**known.committed, **found}
        rows = [commit_row(repository, item, ids) for item in items]
        commits = upsert(
            model=Commit, rows=rows, unique_fields=["repository", "sha"], update_fields=_GIT_FIELDS
        )
        files = store_file_changes(repository, items)
    known.pending.update(found)
    return {"identities": identities, "commits": commits, "files": files}


def link_commit_accounts(*, repository: Repository, items: Sequence[CommitItem]) -> TableCounts:
    """Set the author and committer accounts of stored commits from a commit list page.

    `items` come from the API (`author`/`committer` objects, null when git's email
    matches no account); commits not stored yet are left for their own ingest. The
    commits' git identities are tied to the same accounts, as `ingest_commits` ties
    them. Costs the account upsert, one UPDATE and one SELECT of the page's commits,
    and the identity UPDATE, each touching only rows that differ.
    """
    check_shas(repository, items)
    with transaction.atomic():
        accounts, ids = store_accounts(
            a for i in items for a in (i.author_account, i.committer_account)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                _LINK_SQL,
                [
                    [i.sha for i in items],
                    [account_id(ids, i.author_account) for i in items],
                    [account_id(ids, i.committer_account) for i in items],
                    repository.pk,
                ],
            )
            linked = max(cursor.rowcount, 0)
        # As `ingest_commits` does: GitHub tied each commit's address to its account.
        stored = Commit.objects.filter(
            repository=repository, sha__in=[i.sha for i in items]
        ).values_list("author_id", "author_account_id", "committer_id", "committer_account_id")
        link_git_identities_to_accounts(
            pairs=(
                (identity, account)
                for author, author_account, committer, committer_account in stored
                for identity, account in ((author, author_account), (committer, committer_account))
                if identity is not None and account is not None
            )
        )
    return {"accounts": accounts, "commits": UpsertCounts(updated=linked)}
