"""Reads of the people tables that other apps and commands may use."""

from __future__ import annotations

from cppa_user_tracker.models import EmailAddress, GitHubAccount, GitIdentity, Person


def people_totals() -> dict[str, int]:
    """Return how many people, accounts, email addresses and identities are stored."""
    return {
        "people": Person.objects.count(),
        "github_accounts": GitHubAccount.objects.count(),
        "email_addresses": EmailAddress.objects.count(),
        "git_identities": GitIdentity.objects.count(),
    }
