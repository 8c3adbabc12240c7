"""Reads of the people tables that other apps and commands may use."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from cppa_user_tracker.items import GitIdentityItem
from cppa_user_tracker.models import EmailAddress, GitHubAccount, GitIdentity, Person


def people_totals() -> dict[str, int]:
    """Return how many people, accounts, email addresses and identities are stored."""
    return {
        "people": Person.objects.count(),
        "github_accounts": GitHubAccount.objects.count(),
        "email_addresses": EmailAddress.objects.count(),
        "git_identities": GitIdentity.objects.count(),
    }


def github_account_ids(*, github_ids: Iterable[int]) -> dict[int, int]:
    """Map GitHub numeric ids to our account primary keys, in one query.

    Other apps link rows to accounts they have just upserted; asking per row would
    cost one round trip each.
    """
    wanted = set(github_ids)
    if not wanted:
        return {}
    rows = GitHubAccount.objects.filter(github_id__any_of=wanted).values_list("github_id", "id")
    return dict(rows)


def git_identity_ids(*, items: Iterable[GitIdentityItem]) -> dict[tuple[str, str], int]:
    """Map identities, by their stored (name, email) key, to primary keys in one query."""
    keys = {item.key for item in items}
    if not keys:
        return {}
    names, emails = zip(*keys, strict=True)
    table = connection.ops.quote_name(GitIdentity._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, email, id FROM {table} "
            "WHERE (name, email) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
            [list(names), list(emails)],
        )
        return {(name, email): pk for name, email, pk in cursor.fetchall()}
