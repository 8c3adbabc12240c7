"""Plain data about people, as fetchers produce it (no Django imports here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GitHubAccountItem:
    github_id: int
    login: str
    name: str = ""
    account_type: str = ""
    avatar_url: str = ""


@dataclass(frozen=True, slots=True)
class GitHubProfileItem:
    """What a profile read says about an account: every field as the profile has it now
    (an empty one was cleared by its owner)."""

    github_id: int
    login: str
    name: str = ""
    company: str = ""
    blog: str = ""


@dataclass(frozen=True, slots=True)
class GitIdentityItem:
    name: str
    email: str

    @property
    def key(self) -> tuple[str, str]:
        """The (name, email) the table stores: trimmed, email lower-cased, cut to the columns.

        Cut here, so the row written and the key looked up are the same for a
        hostile 10,000-character name.
        """
        return (self.name.strip()[:255], self.email.strip().lower()[:320])
