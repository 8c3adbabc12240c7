"""Plain items the usage fetchers yield: code search hits and repository details."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class VersionEvidenceItem:
    """A Boost version a file asks for, with the line(s) that say so."""

    source: str  # a VersionSource value
    file_path: str
    version: str
    constraint: str
    evidence: str


@dataclass(frozen=True, slots=True)
class CodeHitItem:
    """One file a code search found, with the Boost headers its matched lines include."""

    repo_id: int
    full_name: str
    node_id: str
    is_fork: bool
    path: str
    headers: tuple[str, ...]
    fragment: str
    # A `BOOST_VERSION` comparison in the matched lines.
    version_check: VersionEvidenceItem | None = None

    @property
    def owner(self) -> str:
        return self.full_name.partition("/")[0]


@dataclass(frozen=True, slots=True)
class SearchPageItem:
    """One page of a code search: GitHub's total for the query, its flag, the hits."""

    total_count: int
    incomplete: bool
    hits: tuple[CodeHitItem, ...]
    received: int  # items on the page before any was set aside


@dataclass(frozen=True, slots=True)
class RepositoryDetailsItem:
    """What GraphQL says of a repository, and the build files read at its default branch."""

    github_id: int
    node_id: str
    full_name: str
    stars: int
    forks: int
    language: str
    license: str
    created_on_github: datetime | None
    pushed_at: datetime | None
    archived: bool
    is_fork: bool
    versions: tuple[VersionEvidenceItem, ...] = field(default=())
