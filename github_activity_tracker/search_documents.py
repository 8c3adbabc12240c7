"""The GitHub document source of the search index: one document per issue or pull request.

A document is the thread as people read it: the title, the body, then every comment,
review and review comment in time order, each under a line naming its author. Its
change time is the newest `row_changed_at` of the rows it is built from (the issue,
its pull request data, comments, reviews, review comments, and its repository), so a
new comment on an old issue re-indexes the issue, and an issue stored by a backfill
today is indexed although GitHub last touched it years ago. Issues of a repository
recorded as deleted (404) are tombstones: they leave the index.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice

from django.db import connection
from django.db.models import Prefetch
from django.urls import reverse

from cppa_pinecone_sync.documents import Change, Document, DocumentSource, Tombstone
from github_activity_tracker.models import (
    Comment,
    Issue,
    PullRequest,
    Repository,
    RepositoryStatus,
    Review,
    ReviewComment,
)

SOURCE = "github"
_DOC_PREFIX = "github-issue-"
# Issues built per query set; a thread's comments come in the same few queries.
_BUILD_BATCH = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A primary key no row has, swapped for each issue's in its admin URL.
_PK_MARK = 987654321987


def doc_id_of(issue: Issue) -> str:
    """Keyed on GitHub's id, which survives a repository rename (the number's URL does not)."""
    return f"{_DOC_PREFIX}{issue.github_id}"


def changed_issue_ids(since: datetime | None) -> list[int]:
    """Ids of issues whose rows (or comments, reviews, repository) changed at/after `since`.

    Oldest change first. One query over the `row_changed_at` indexes.
    """
    tables = {m: connection.ops.quote_name(m._meta.db_table) for m in _THREAD_MODELS}
    issue, repository = tables[Issue], tables[Repository]
    parts = [
        f"SELECT id AS issue_id, row_changed_at AS changed FROM {issue} WHERE row_changed_at >= %s"
    ]
    for model in (PullRequest, Comment, Review, ReviewComment):
        parts.append(
            f"SELECT issue_id, row_changed_at FROM {tables[model]} WHERE row_changed_at >= %s"
        )
    parts.append(
        f"SELECT i.id, r.row_changed_at FROM {issue} i JOIN {repository} r "
        "ON r.id = i.repository_id WHERE r.row_changed_at >= %s"
    )
    sql = (
        f"SELECT issue_id FROM ({' UNION ALL '.join(parts)}) AS changes "
        "GROUP BY issue_id ORDER BY max(changed), issue_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [since or _EPOCH] * len(parts))
        return [row[0] for row in cursor.fetchall()]


def newest_change() -> datetime | None:
    """The newest `row_changed_at` of the tables documents are built from (one query)."""
    quote = connection.ops.quote_name
    parts = ", ".join(
        f"(SELECT max(row_changed_at) FROM {quote(m._meta.db_table)})" for m in _THREAD_MODELS
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT greatest({parts})")
        row = cursor.fetchone()
    return row[0] if row else None


def changed_since(since: datetime | None) -> Iterator[Change]:
    ids = changed_issue_ids(since)
    iterator = iter(ids)
    while chunk := list(islice(iterator, _BUILD_BATCH)):
        yield from _changes(Issue.objects.filter(id__in=chunk), order=chunk)


def load(doc_ids: Sequence[str]) -> Iterator[Change]:
    github_ids = [int(d[len(_DOC_PREFIX) :]) for d in doc_ids if _is_ours(d)]
    for start in range(0, len(github_ids), _BUILD_BATCH):
        yield from _changes(
            Issue.objects.filter(github_id__in=github_ids[start : start + _BUILD_BATCH])
        )


def _is_ours(doc_id: str) -> bool:
    return doc_id.startswith(_DOC_PREFIX) and doc_id[len(_DOC_PREFIX) :].isdigit()


def _changes(issues, *, order: Sequence[int] | None = None) -> Iterator[Change]:
    rows = list(
        issues.select_related("repository", "author", "pull_request").prefetch_related(
            "labels",
            Prefetch(
                "comments",
                Comment.objects.select_related("author").order_by("created_at", "id"),
                to_attr="thread_comments",
            ),
            Prefetch(
                "reviews",
                Review.objects.select_related("author").order_by("submitted_at", "id"),
                to_attr="thread_reviews",
            ),
            Prefetch(
                "review_comments",
                ReviewComment.objects.select_related("author").order_by("created_at", "id"),
                to_attr="thread_review_comments",
            ),
        )
    )
    if order is not None:
        position = {issue_id: n for n, issue_id in enumerate(order)}
        rows.sort(key=lambda issue: position[issue.id])
    # One reverse() per batch: it costs about a third of a millisecond per call.
    admin_path = reverse("admin:github_activity_tracker_issue_change", args=[_PK_MARK])
    for issue in rows:
        yield _change(issue, admin_path=admin_path.replace(str(_PK_MARK), str(issue.pk)))


def _change(issue: Issue, *, admin_path: str) -> Change:
    # Lists the prefetches above attached (`to_attr`), in time order.
    comments: list[Comment] = getattr(issue, "thread_comments", [])
    reviews: list[Review] = getattr(issue, "thread_reviews", [])
    review_comments: list[ReviewComment] = getattr(issue, "thread_review_comments", [])
    pull = getattr(issue, "pull_request", None) if issue.is_pull_request else None
    stamps = [issue.row_changed_at, issue.repository.row_changed_at]
    stamps += [row.row_changed_at for row in (*comments, *reviews, *review_comments)]
    if pull is not None:
        stamps.append(pull.row_changed_at)
    changed_at = max(stamps)
    if issue.repository.status == RepositoryStatus.DELETED:
        return Tombstone(doc_id=doc_id_of(issue), changed_at=changed_at)
    kind = "pull" if issue.is_pull_request else "issues"
    repository = issue.repository.full_name
    return Document(
        doc_id=doc_id_of(issue),
        url=f"https://github.com/{repository}/{kind}/{issue.number}",
        title=f"{repository}#{issue.number}: {issue.title}",
        text=_thread_text(issue, comments, reviews, review_comments),
        updated_at=issue.updated_at,
        changed_at=changed_at,
        admin_path=admin_path,
        metadata={
            "repository": repository,
            "number": issue.number,
            "kind": "pull_request" if issue.is_pull_request else "issue",
            "state": issue.state,
            "author": _login(issue.author),
            "labels": sorted(label.name for label in issue.labels.all()),
            "created_at": issue.created_at.isoformat(),
            "closed_at": issue.closed_at.isoformat() if issue.closed_at else None,
            "merged": bool(pull and pull.merged),
        },
    )


def _thread_text(
    issue: Issue,
    comments: Iterable[Comment],
    reviews: Iterable[Review],
    review_comments: Iterable[ReviewComment],
) -> str:
    """The body, then each reply in time order under a line saying who wrote it, and when."""
    replies: list[tuple[datetime, str]] = []
    for comment in comments:
        replies.append(
            (
                comment.created_at,
                _reply(comment.author, "commented", comment.created_at, comment.body),
            )
        )
    for review in reviews:
        if review.body or review.state:
            moment = review.submitted_at or issue.created_at
            verb = f"reviewed ({review.state.lower().replace('_', ' ')})"
            replies.append((moment, _reply(review.author, verb, moment, review.body)))
    for note in review_comments:
        verb = f"commented on {note.path}" if note.path else "commented on the diff"
        replies.append((note.created_at, _reply(note.author, verb, note.created_at, note.body)))
    replies.sort(key=lambda reply: reply[0])
    parts = [issue.body.strip()] if issue.body.strip() else []
    parts += [text for _, text in replies]
    return "\n\n".join(parts)


def _reply(author, verb: str, moment: datetime, body: str) -> str:
    heading = f"{_login(author) or 'someone'} {verb} on {moment:%Y-%m-%d}:"
    return f"{heading}\n{body.strip()}" if body.strip() else heading


def _login(account) -> str:
    return account.login if account is not None else ""


_THREAD_MODELS = (Issue, PullRequest, Comment, Review, ReviewComment, Repository)

GITHUB_SOURCE = DocumentSource(
    name=SOURCE,
    namespace="github",
    changed_since=changed_since,
    load=load,
    newest_change=newest_change,
    description="GitHub issues and pull requests with their comments and reviews",
)
