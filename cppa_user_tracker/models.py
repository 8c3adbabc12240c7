"""People tables shared by every collector.

A `Person` is a human who may own several GitHub accounts, email addresses and
commit identities. Other apps never write here directly: they call
`cppa_user_tracker.services`.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower


class Person(models.Model):
    display_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "people"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display_name or f"person #{self.pk}"


class GitHubAccount(models.Model):
    """A GitHub user, bot or organisation, keyed by its numeric id (logins change)."""

    github_id = models.BigIntegerField(unique=True)
    login = models.CharField(max_length=100, db_index=True)
    name = models.CharField(max_length=255, blank=True)
    account_type = models.CharField(max_length=32, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="github_accounts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "GitHub account"
        ordering = ["login"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(github_id__gt=0), name="github_account_id_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.login


class EmailAddress(models.Model):
    """An email address known to belong to a person, stored lower-cased."""

    address = models.CharField(max_length=320, unique=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="email_addresses"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "email addresses"
        ordering = ["address"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(address=Lower("address")), name="email_address_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return self.address


class GitIdentity(models.Model):
    """A commit author as git records it (name + email), with or without a GitHub account."""

    name = models.CharField(max_length=255)
    email = models.CharField(max_length=320)
    account = models.ForeignKey(
        GitHubAccount,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="git_identities",
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="git_identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "email"], name="git_identity_name_email_unique"
            ),
        ]
        verbose_name_plural = "git identities"

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
