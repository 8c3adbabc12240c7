"""Every write to the people tables.

Collectors pass plain items; these functions upsert in bulk on natural keys (the
GitHub numeric id, the git name + email), so a re-read page or a redelivered task
updates rows instead of adding twins.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from core.bulk import UpsertCounts, upsert
from cppa_user_tracker.items import GitHubAccountItem, GitIdentityItem
from cppa_user_tracker.models import GitHubAccount, GitIdentity, Person


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
                "name": item.name or "",
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


def create_people_for_unlinked_accounts() -> int:
    """Give every GitHub account without a person its own `Person`; return how many.

    Two bulk statements per batch, whatever the number of accounts.
    """
    created = 0
    with transaction.atomic():
        accounts = list(
            GitHubAccount.objects.select_for_update()
            .filter(person__isnull=True)
            .only("id", "login", "name")
            .order_by("id")
        )
        if not accounts:
            return 0
        people = Person.objects.bulk_create(
            [Person(display_name=account.name or account.login) for account in accounts]
        )
        for account, person in zip(accounts, people, strict=True):
            account.person = person
        GitHubAccount.objects.bulk_update(accounts, ["person"], batch_size=1000)
        created = len(people)
    return created
