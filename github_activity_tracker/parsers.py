"""Turn GitHub REST JSON objects into items.

Pure functions of one decoded object each, so the fetcher, a replay of the raw
archive and the tests share them. A missing required field raises `ValueError`
naming the field and the object; optional fields GitHub sends as null become ""/None.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cppa_user_tracker.items import GitHubAccountItem, GitIdentityItem
from github_activity_tracker.items import (
    ISSUE,
    PULL_REQUEST,
    CommentItem,
    CommitItem,
    FileChangeItem,
    IssueItem,
    LabelItem,
    PullRequestItem,
    ReleaseItem,
    RepositoryItem,
    ReviewCommentItem,
    ReviewItem,
)

Payload = Mapping[str, Any]


def _require(obj: Payload, field: str, *, kind: str) -> Any:
    value = obj.get(field)
    if value is None or value == "":
        ident = obj.get("id") or obj.get("sha") or obj.get("number") or "?"
        raise ValueError(f"GitHub {kind} {ident}: missing field {field!r}")
    return value


def _moment(value: str | None) -> datetime | None:
    """Read GitHub's ISO 8601 timestamps (`2024-08-14T16:46:18Z`) as aware UTC."""
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(UTC)


def _required_moment(obj: Payload, field: str, *, kind: str) -> datetime:
    moment = _moment(_require(obj, field, kind=kind))
    assert moment is not None
    return moment


def _number_from_url(url: str) -> int:
    """The last path segment of `.../issues/1188` or `.../pulls/1602`."""
    return int(url.rstrip("/").rsplit("/", 1)[-1])


def parse_account(obj: Payload | None) -> GitHubAccountItem | None:
    """A user, bot or organisation object; null (a deleted "ghost" user) gives None."""
    if not obj:
        return None
    return GitHubAccountItem(
        github_id=int(_require(obj, "id", kind="account")),
        login=_require(obj, "login", kind="account"),
        name=obj.get("name") or "",
        account_type=obj.get("type") or "",
        avatar_url=obj.get("avatar_url") or "",
    )


def parse_repository(obj: Payload) -> RepositoryItem:
    owner = _require(obj, "owner", kind="repository")
    licence = obj.get("license") or {}
    return RepositoryItem(
        source_id=str(_require(obj, "id", kind="repository")),
        updated_at=_moment(obj.get("updated_at")),
        github_id=int(obj["id"]),
        owner=_require(owner, "login", kind="repository owner"),
        name=_require(obj, "name", kind="repository"),
        full_name=_require(obj, "full_name", kind="repository"),
        description=obj.get("description") or "",
        stars=int(obj.get("stargazers_count") or 0),
        forks=int(obj.get("forks_count") or 0),
        topics=tuple(obj.get("topics") or ()),
        language=obj.get("language") or "",
        license=licence.get("spdx_id") or licence.get("key") or "",
        default_branch=obj.get("default_branch") or "",
        archived=bool(obj.get("archived", False)),
        created_at=_moment(obj.get("created_at")),
        pushed_at=_moment(obj.get("pushed_at")),
    )


def _git_identity(person: Payload | None) -> GitIdentityItem | None:
    if not person or not (person.get("name") or person.get("email")):
        return None
    return GitIdentityItem(name=person.get("name") or "", email=person.get("email") or "")


def parse_file_change(obj: Payload) -> FileChangeItem:
    return FileChangeItem(
        filename=_require(obj, "filename", kind="commit file"),
        status=obj.get("status") or "",
        additions=int(obj.get("additions") or 0),
        deletions=int(obj.get("deletions") or 0),
        changes=int(obj.get("changes") or 0),
        previous_filename=obj.get("previous_filename") or "",
    )


def parse_commit(obj: Payload) -> CommitItem:
    """A commit from the list (no stats, no files) or the detail endpoint (both).

    `author`/`committer` at the top level are GitHub accounts, null when git's email
    matches no account; `commit.author`/`commit.committer` are what git recorded.
    """
    sha = _require(obj, "sha", kind="commit")
    git = _require(obj, "commit", kind="commit")
    git_author = git.get("author") or {}
    git_committer = git.get("committer") or {}
    stats = obj.get("stats")
    files = obj.get("files")
    committed_at = _moment(git_committer.get("date"))
    return CommitItem(
        source_id=sha,
        updated_at=committed_at,
        sha=sha,
        message=git.get("message") or "",
        author=_git_identity(git_author),
        committer=_git_identity(git_committer),
        author_account=parse_account(obj.get("author")),
        committer_account=parse_account(obj.get("committer")),
        authored_at=_moment(git_author.get("date")),
        committed_at=committed_at,
        additions=None if stats is None else int(stats.get("additions") or 0),
        deletions=None if stats is None else int(stats.get("deletions") or 0),
        files=None if files is None else tuple(parse_file_change(f) for f in files),
    )


def parse_label(obj: Payload) -> LabelItem:
    return LabelItem(
        github_id=int(_require(obj, "id", kind="label")),
        name=_require(obj, "name", kind="label"),
        color=obj.get("color") or "",
        description=obj.get("description") or "",
    )


def parse_issue(obj: Payload) -> IssueItem:
    """An issue or a pull request from `/issues`: the `pull_request` key marks PRs."""
    github_id = int(_require(obj, "id", kind="issue"))
    return IssueItem(
        source_id=str(github_id),
        updated_at=_required_moment(obj, "updated_at", kind="issue"),
        category=PULL_REQUEST if obj.get("pull_request") else ISSUE,
        github_id=github_id,
        number=int(_require(obj, "number", kind="issue")),
        title=obj.get("title") or "",
        body=obj.get("body") or "",
        state=_require(obj, "state", kind="issue"),
        state_reason=obj.get("state_reason") or "",
        locked=bool(obj.get("locked", False)),
        author=parse_account(obj.get("user")),
        created_at=_required_moment(obj, "created_at", kind="issue"),
        closed_at=_moment(obj.get("closed_at")),
        labels=tuple(parse_label(label) for label in obj.get("labels") or ()),
        assignees=tuple(a for a in map(parse_account, obj.get("assignees") or ()) if a),
    )


def parse_pull_request(obj: Payload) -> PullRequestItem:
    """Merge data from `/pulls/{n}` (the issue list does not say whether a PR was merged)."""
    merged_at = _moment(obj.get("merged_at"))
    return PullRequestItem(
        source_id=str(_require(obj, "id", kind="pull request")),
        updated_at=_required_moment(obj, "updated_at", kind="pull request"),
        number=int(_require(obj, "number", kind="pull request")),
        draft=bool(obj.get("draft", False)),
        head_ref=(obj.get("head") or {}).get("ref") or "",
        base_ref=(obj.get("base") or {}).get("ref") or "",
        merged=bool(obj.get("merged", merged_at is not None)),
        merged_at=merged_at,
        merge_commit_sha=obj.get("merge_commit_sha") or "",
        merged_by=parse_account(obj.get("merged_by")),
    )


def parse_comment(obj: Payload) -> CommentItem:
    return CommentItem(
        source_id=str(_require(obj, "id", kind="comment")),
        updated_at=_required_moment(obj, "updated_at", kind="comment"),
        issue_number=_number_from_url(_require(obj, "issue_url", kind="comment")),
        author=parse_account(obj.get("user")),
        body=obj.get("body") or "",
        created_at=_required_moment(obj, "created_at", kind="comment"),
    )


def parse_review(obj: Payload) -> ReviewItem:
    """A review from `/pulls/{n}/reviews`; a PENDING review has no `submitted_at`."""
    return ReviewItem(
        source_id=str(_require(obj, "id", kind="review")),
        updated_at=_moment(obj.get("submitted_at")),
        pull_number=_number_from_url(_require(obj, "pull_request_url", kind="review")),
        author=parse_account(obj.get("user")),
        state=_require(obj, "state", kind="review"),
        body=obj.get("body") or "",
        commit_sha=obj.get("commit_id") or "",
    )


def parse_review_comment(obj: Payload) -> ReviewCommentItem:
    return ReviewCommentItem(
        source_id=str(_require(obj, "id", kind="review comment")),
        updated_at=_required_moment(obj, "updated_at", kind="review comment"),
        pull_number=_number_from_url(_require(obj, "pull_request_url", kind="review comment")),
        review_id=obj.get("pull_request_review_id"),
        in_reply_to_id=obj.get("in_reply_to_id"),
        author=parse_account(obj.get("user")),
        body=obj.get("body") or "",
        path=obj.get("path") or "",
        commit_sha=obj.get("commit_id") or "",
        created_at=_required_moment(obj, "created_at", kind="review comment"),
    )


def parse_release(obj: Payload) -> ReleaseItem:
    published_at = _moment(obj.get("published_at"))
    created_at = _moment(obj.get("created_at"))
    return ReleaseItem(
        source_id=str(_require(obj, "id", kind="release")),
        updated_at=published_at or created_at,
        tag_name=_require(obj, "tag_name", kind="release"),
        name=obj.get("name") or "",
        body=obj.get("body") or "",
        draft=bool(obj.get("draft", False)),
        prerelease=bool(obj.get("prerelease", False)),
        author=parse_account(obj.get("author")),
        created_at=created_at,
        published_at=published_at,
    )
