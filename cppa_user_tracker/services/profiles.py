"""Every write to the people tables.

Collectors pass plain items; these functions upsert in bulk on natural keys (the
GitHub numeric id, the git name + email), so a re-read page or a redelivered task
updates rows instead of adding twins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from core.bulk import UpsertCounts, upsert
from core.text import strip_nul
from cppa_user_tracker.items import GitHubAccountItem, GitHubProfileItem, GitIdentityItem
from cppa_user_tracker.models import GitHubAccount, GitIdentity


def upsert_github_accounts(*, items: Sequence[GitHubAccountItem]) -> UpsertCounts:
    """Insert new GitHub accounts and refresh changed logins, names and avatars.

    Keyed on the numeric id because a login can be renamed or reused. An item without
    a name (the "simple user" objects of commits, issues and pull requests carry none)
    leaves the stored name alone, and no item touches the profile columns
    (`record_github_profiles` owns them): an activity page never undoes a profile read.
    """
    named, nameless = [], []
    for item in items:
        if item.github_id <= 0:
            raise ValueError(f"GitHub account {item.login!r} has invalid id {item.github_id}")
        if not item.login:
            raise ValueError(f"GitHub account {item.github_id} has an empty login")
        row = {
            "github_id": item.github_id,
            "login": item.login,
            "account_type": item.account_type or "",
            "avatar_url": item.avatar_url or "",
        }
        if item.name:
            named.append({**row, "name": item.name[:255]})
        else:
            nameless.append(row)
    fields = ["login", "account_type", "avatar_url"]
    with transaction.atomic():
        counts = upsert(
            model=GitHubAccount, rows=nameless, unique_fields=["github_id"], update_fields=fields
        )
        return counts + upsert(
            model=GitHubAccount,
            rows=named,
            unique_fields=["github_id"],
            update_fields=[*fields, "name"],
        )


def record_github_profiles(
    *, profiles: Sequence[GitHubProfileItem], checked: Iterable[int], read_at: datetime
) -> int:
    """Store what profile reads found; stamp every account read; return accounts changed.

    `profiles` replace the name, company and blog of the stored accounts with their
    GitHub ids (a field the owner cleared is cleared); `updated_at` moves only when
    one of them changed, so the people matcher re-reads exactly those. Every account
    in `profiles` or `checked` (read, nothing to learn: a bot, a login now owned by
    someone else) gets `profile_read_at = read_at`. Accounts not stored are ignored:
    a profile read never creates one. One transaction, two statements.
    """
    by_id = {p.github_id: p for p in profiles}
    stamped = sorted({*by_id, *checked})
    table = connection.ops.quote_name(GitHubAccount._meta.db_table)
    changed = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if by_id:
            values = list(by_id.values())
            cursor.execute(
                f"UPDATE {table} AS a SET name = v.name, company = v.company, blog = v.blog, "
                "updated_at = %s "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) "
                "AS v(github_id, name, company, blog) "
                "WHERE a.github_id = v.github_id "
                "AND (a.name, a.company, a.blog) IS DISTINCT FROM (v.name, v.company, v.blog)",
                [
                    timezone.now(),
                    [p.github_id for p in values],
                    [strip_nul(p.name).strip()[:255] for p in values],
                    [strip_nul(p.company).strip()[:255] for p in values],
                    [strip_nul(p.blog).strip()[:500] for p in values],
                ],
            )
            changed = cursor.rowcount
        if stamped:
            cursor.execute(
                f"UPDATE {table} SET profile_read_at = %s WHERE github_id = ANY(%s::bigint[])",
                [read_at, stamped],
            )
    return changed


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
