"""Every write to the people tables.

Collectors pass plain items; these functions upsert in bulk on natural keys (the
GitHub numeric id, the git name + email), so a re-read page or a redelivered task
updates rows instead of adding twins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from core.bulk import UpsertCounts, upsert
from cppa_user_tracker.items import GitHubAccountItem, GitIdentityItem
from cppa_user_tracker.models import GitHubAccount, GitIdentity


def upsert_github_accounts(*, items: Sequence[GitHubAccountItem]) -> UpsertCounts:
    """Insert new GitHub accounts and refresh changed logins, names and avatars.

    Keyed on the numeric id because a login can be renamed or reused.
    """
    rows = []
    for item in items:
        if item.github_id <= 0:
            raise ValueError(f"GitHub account {item.login!r} has invalid id {item.github_id}")
        if not item.login:
            raise ValueError(f"GitHub account {item.github_id} has an empty login")
        rows.append(
            {
                "github_id": item.github_id,
                "login": item.login,
                "name": (item.name or "")[:255],
                "account_type": item.account_type or "",
                "avatar_url": item.avatar_url or "",
            }
        )
    return upsert(
        model=GitHubAccount,
        rows=rows,
        unique_fields=["github_id"],
        update_fields=["login", "name", "account_type", "avatar_url"],
    )


def upsert_git_identities(*, items: Sequence[GitIdentityItem]) -> UpsertCounts:
    """Record commit authors by name + email; existing pairs are left untouched."""
    rows = []
    for item in items:
        if not item.name.strip() and not item.email.strip():
            raise ValueError("a git identity needs a name or an email, got neither")
        name, email = item.key
        rows.append({"name": name, "email": email})
    return upsert(model=GitIdentity, rows=rows, unique_fields=["name", "email"], update_fields=[])


def link_git_identities_to_accounts(*, pairs: Iterable[tuple[int, int]]) -> int:
    """Record that GitHub tied these git identities to these accounts; return rows changed.

    A commit's `author.id` (or `committer.id`) is GitHub saying the commit's address is
    a verified address of that account: the strongest evidence the matcher has. Only
    identities whose account really changes are written (and get `updated_at`), in one
    statement.
    """
    wanted = dict(pairs)
    if not wanted:
        return 0
    table = connection.ops.quote_name(GitIdentity._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS g SET account_id = v.account, updated_at = now() "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS v(identity, account) "
            "WHERE g.id = v.identity AND g.account_id IS DISTINCT FROM v.account",
            [list(wanted), list(wanted.values())],
        )
        return cursor.rowcount
