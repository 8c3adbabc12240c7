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
class GitIdentityItem:
    name: str
    email: str

    @property
    def key(self) -> tuple[str, str]:
        """The (name, email) the table stores: name trimmed, email trimmed and lower-cased."""
        return (self.name.strip(), self.email.strip().lower())
