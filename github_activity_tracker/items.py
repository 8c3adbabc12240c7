"""Plain items parsed from GitHub REST payloads (no Django imports here).

Each item carries `source_id` (GitHub's own id as text, or the commit SHA) and
`updated_at` (timezone-aware UTC), the pair the incremental checkpoints resume from.
People are `cppa_user_tracker` items: accounts by numeric id, git identities by
name + email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cppa_user_tracker.items import GitHubAccountItem, GitIdentityItem

ISSUE = "issue"
PULL_REQUEST = "pull_request"


@dataclass(frozen=True, slots=True)
class RepositoryItem:
    source_id: str
    updated_at: datetime | None
    github_id: int
    owner: str
    name: str
    full_name: str
    description: str
    stars: int
    forks: int
    topics: tuple[str, ...]
    language: str
    license: str
    default_branch: str
    archived: bool
    created_at: datetime | None
    pushed_at: datetime | None


@dataclass(frozen=True, slots=True)
class FileChangeItem:
    filename: str
    status: str
    additions: int
    deletions: int
    changes: int
    previous_filename: str = ""


@dataclass(frozen=True, slots=True)
class CommitItem:
    """A commit; `files` and the stats are None when the list endpoint left them out."""

    source_id: str
    updated_at: datetime | None
    sha: str
    message: str
    author: GitIdentityItem | None
    committer: GitIdentityItem | None
    author_account: GitHubAccountItem | None
    committer_account: GitHubAccountItem | None
    authored_at: datetime | None
    committed_at: datetime | None
    additions: int | None = None
    deletions: int | None = None
    files: tuple[FileChangeItem, ...] | None = None


@dataclass(frozen=True, slots=True)
class LabelItem:
    github_id: int
    name: str
    color: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class IssueItem:
    source_id: str
    updated_at: datetime
    category: str  # ISSUE or PULL_REQUEST
    github_id: int
    number: int
    title: str
    body: str
    state: str
    state_reason: str
    locked: bool
    author: GitHubAccountItem | None
    created_at: datetime
    closed_at: datetime | None
    labels: tuple[LabelItem, ...] = ()
    assignees: tuple[GitHubAccountItem, ...] = ()


@dataclass(frozen=True, slots=True)
class PullRequestItem:
    source_id: str
    updated_at: datetime
    number: int
    draft: bool
    head_ref: str
    base_ref: str
    merged: bool
    merged_at: datetime | None
    merge_commit_sha: str
    merged_by: GitHubAccountItem | None


@dataclass(frozen=True, slots=True)
class CommentItem:
    source_id: str
    updated_at: datetime
    issue_number: int
    author: GitHubAccountItem | None
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A review; `updated_at` is its submission time (reviews are not edited in place)."""

    source_id: str
    updated_at: datetime | None
    pull_number: int
    author: GitHubAccountItem | None
    state: str
    body: str
    commit_sha: str


@dataclass(frozen=True, slots=True)
class ReviewCommentItem:
    source_id: str
    updated_at: datetime
    pull_number: int
    review_id: int | None
    in_reply_to_id: int | None
    author: GitHubAccountItem | None
    body: str
    path: str
    commit_sha: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReleaseItem:
    source_id: str
    updated_at: datetime | None
    tag_name: str
    name: str
    body: str
    draft: bool
    prerelease: bool
    author: GitHubAccountItem | None
    created_at: datetime | None
    published_at: datetime | None
