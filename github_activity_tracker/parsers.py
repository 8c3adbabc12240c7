"""Turn GitHub REST JSON objects into items.

Pure functions of one decoded object and the URL it came from, so the fetcher, a
replay of the raw archive and the tests share them. Fields are read through
`core.http.Payload`: a missing required field, a wrong type (a list where an object
belongs, text where a user object belongs) or an integer outside its column's range
raises `MalformedResponse` naming the URL, the field and the item; optional fields
GitHub sends as null become ""/None.
"""

from __future__ import annotations

import re
from typing import Any

from core.http import Payload
from core.http.payload import INT_MAX
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

SHA = re.compile(r"[0-9a-f]{40}")
_NUMBER_AT_END = re.compile(r"/(\d{1,10})/?$")


def _sha(obj: Payload) -> str:
    return obj.matching_str("sha", SHA, meaning="a 40-digit hex commit SHA")


def _number(obj: Payload) -> int:
    """An issue or pull request number (an `integer` column, numbers start at 1)."""
    return obj.require_int("number", minimum=1, maximum=INT_MAX)


def _count(obj: Payload, name: str) -> int:
    """A non-negative count stored in an `integer` column (stars, additions, ...)."""
    return obj.optional_int(name, maximum=INT_MAX) or 0


def _number_from_url(obj: Payload, name: str) -> int:
    """The number at the end of `.../issues/1188` or `.../pulls/1602`."""
    url = obj.require_str(name)
    match = _NUMBER_AT_END.search(url)
    if match is None or not 1 <= int(match[1]) <= INT_MAX:
        raise obj.fail(name, f"is {url!r}, expected a URL ending in an issue number")
    return int(match[1])


def parse_account(obj: Payload | None) -> GitHubAccountItem | None:
    """A user, bot or organisation object; null (a deleted "ghost" user) gives None."""
    if obj is None:
        return None
    return GitHubAccountItem(
        github_id=obj.require_id(),
        login=obj.require_str("login"),
        name=obj.optional_str("name"),
        account_type=obj.optional_str("type"),
        avatar_url=obj.optional_str("avatar_url"),
    )


def parse_repository(value: Any, *, url: str) -> RepositoryItem:
    obj = Payload.of(value, url=url, kind="repository")
    licence = obj.optional_object("license")
    github_id = obj.require_id()
    return RepositoryItem(
        source_id=str(github_id),
        updated_at=obj.optional_moment("updated_at"),
        github_id=github_id,
        owner=obj.require_object("owner").require_str("login"),
        name=obj.require_str("name"),
        full_name=obj.require_str("full_name"),
        description=obj.optional_str("description"),
        stars=_count(obj, "stargazers_count"),
        forks=_count(obj, "forks_count"),
        topics=obj.strings("topics"),
        language=obj.optional_str("language"),
        license=(licence.optional_str("spdx_id") or licence.optional_str("key")) if licence else "",
        default_branch=obj.optional_str("default_branch"),
        archived=obj.flag("archived"),
        created_at=obj.optional_moment("created_at"),
        pushed_at=obj.optional_moment("pushed_at"),
    )


def parse_branch_head(value: Any, *, url: str) -> str:
    """The SHA at the tip of a branch, from `GET /repos/{o}/{r}/branches/{branch}`."""
    return _sha(Payload.of(value, url=url, kind="branch").require_object("commit"))


def _git_identity(person: Payload | None) -> GitIdentityItem | None:
    if person is None:
        return None
    name, email = person.optional_str("name"), person.optional_str("email")
    return GitIdentityItem(name=name, email=email) if name or email else None


def parse_file_change(obj: Payload) -> FileChangeItem:
    return FileChangeItem(
        filename=obj.require_str("filename"),
        status=obj.optional_str("status"),
        additions=_count(obj, "additions"),
        deletions=_count(obj, "deletions"),
        changes=_count(obj, "changes"),
        previous_filename=obj.optional_str("previous_filename"),
    )


def parse_commit(value: Any, *, url: str) -> CommitItem:
    """A commit from the list (no stats, no files) or the detail endpoint (both).

    `author`/`committer` at the top level are GitHub accounts, null when git's email
    matches no account; `commit.author`/`commit.committer` are what git recorded.
    """
    obj = Payload.of(value, url=url, kind="commit")
    sha = _sha(obj)
    git = obj.require_object("commit")
    git_author = git.optional_object("author")
    git_committer = git.optional_object("committer")
    stats = obj.optional_object("stats")
    files = obj.optional_objects("files")
    committed_at = git_committer.optional_moment("date") if git_committer else None
    return CommitItem(
        source_id=sha,
        updated_at=committed_at,
        sha=sha,
        message=git.optional_str("message"),
        author=_git_identity(git_author),
        committer=_git_identity(git_committer),
        author_account=parse_account(obj.optional_object("author")),
        committer_account=parse_account(obj.optional_object("committer")),
        authored_at=git_author.optional_moment("date") if git_author else None,
        committed_at=committed_at,
        additions=None if stats is None else _count(stats, "additions"),
        deletions=None if stats is None else _count(stats, "deletions"),
        files=None if files is None else tuple(parse_file_change(f) for f in files),
    )


def compare_commits(value: Any, *, url: str) -> list[Any]:
    """The raw commit objects of a compare answer (`GET .../compare/{base}...{head}`).

    The answer must be an object with a `commits` list; each commit is parsed on its
    own, so one malformed commit is quarantined rather than failing the page.
    """
    return Payload.of(value, url=url, kind="compare").values("commits")


def parse_label(obj: Payload) -> LabelItem:
    return LabelItem(
        github_id=obj.require_id(),
        name=obj.require_str("name"),
        color=obj.optional_str("color"),
        description=obj.optional_str("description"),
    )


def parse_issue(value: Any, *, url: str) -> IssueItem:
    """An issue or a pull request from `/issues`: the `pull_request` key marks PRs."""
    obj = Payload.of(value, url=url, kind="issue")
    github_id = obj.require_id()
    return IssueItem(
        source_id=str(github_id),
        updated_at=obj.require_moment("updated_at"),
        category=PULL_REQUEST if obj.optional_object("pull_request") else ISSUE,
        github_id=github_id,
        number=_number(obj),
        title=obj.optional_str("title"),
        body=obj.optional_str("body"),
        state=obj.require_str("state"),
        state_reason=obj.optional_str("state_reason"),
        locked=obj.flag("locked"),
        author=parse_account(obj.optional_object("user")),
        created_at=obj.require_moment("created_at"),
        closed_at=obj.optional_moment("closed_at"),
        labels=tuple(parse_label(label) for label in obj.objects("labels")),
        assignees=tuple(a for a in map(parse_account, obj.objects("assignees")) if a),
    )


def parse_pull_request(value: Any, *, url: str) -> PullRequestItem:
    """Merge data from `/pulls/{n}` (the issue list does not say whether a PR was merged)."""
    obj = Payload.of(value, url=url, kind="pull request")
    merged_at = obj.optional_moment("merged_at")
    head, base = obj.optional_object("head"), obj.optional_object("base")
    return PullRequestItem(
        source_id=str(obj.require_id()),
        updated_at=obj.require_moment("updated_at"),
        number=_number(obj),
        draft=obj.flag("draft"),
        head_ref=head.optional_str("ref") if head else "",
        base_ref=base.optional_str("ref") if base else "",
        merged=obj.flag("merged", default=merged_at is not None),
        merged_at=merged_at,
        merge_commit_sha=obj.optional_str("merge_commit_sha"),
        merged_by=parse_account(obj.optional_object("merged_by")),
    )


def parse_comment(value: Any, *, url: str) -> CommentItem:
    obj = Payload.of(value, url=url, kind="comment")
    return CommentItem(
        source_id=str(obj.require_id()),
        updated_at=obj.require_moment("updated_at"),
        issue_number=_number_from_url(obj, "issue_url"),
        author=parse_account(obj.optional_object("user")),
        body=obj.optional_str("body"),
        created_at=obj.require_moment("created_at"),
    )


def parse_review(value: Any, *, url: str) -> ReviewItem:
    """A review from `/pulls/{n}/reviews`; a PENDING review has no `submitted_at`."""
    obj = Payload.of(value, url=url, kind="review")
    return ReviewItem(
        source_id=str(obj.require_id()),
        updated_at=obj.optional_moment("submitted_at"),
        pull_number=_number_from_url(obj, "pull_request_url"),
        author=parse_account(obj.optional_object("user")),
        state=obj.require_str("state"),
        body=obj.optional_str("body"),
        commit_sha=obj.optional_str("commit_id"),
    )


def parse_review_comment(value: Any, *, url: str) -> ReviewCommentItem:
    obj = Payload.of(value, url=url, kind="review comment")
    return ReviewCommentItem(
        source_id=str(obj.require_id()),
        updated_at=obj.require_moment("updated_at"),
        pull_number=_number_from_url(obj, "pull_request_url"),
        review_id=obj.optional_id("pull_request_review_id"),
        in_reply_to_id=obj.optional_id("in_reply_to_id"),
        author=parse_account(obj.optional_object("user")),
        body=obj.optional_str("body"),
        path=obj.optional_str("path"),
        commit_sha=obj.optional_str("commit_id"),
        created_at=obj.require_moment("created_at"),
    )


def parse_release(value: Any, *, url: str) -> ReleaseItem:
    obj = Payload.of(value, url=url, kind="release")
    published_at = obj.optional_moment("published_at")
    created_at = obj.optional_moment("created_at")
    return ReleaseItem(
        source_id=str(obj.require_id()),
        updated_at=published_at or created_at,
        tag_name=obj.require_str("tag_name"),
        name=obj.optional_str("name"),
        body=obj.optional_str("body"),
        draft=obj.flag("draft"),
        prerelease=obj.flag("prerelease"),
        author=parse_account(obj.optional_object("author")),
        created_at=created_at,
        published_at=published_at,
    )
