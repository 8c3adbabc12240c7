"""Ingest pages of comments, pull request reviews and review (diff) comments."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from core.bulk import upsert
from github_activity_tracker.items import CommentItem, ReviewCommentItem, ReviewItem
from github_activity_tracker.models import Comment, Repository, Review, ReviewComment
from github_activity_tracker.services._shared import (
    TableCounts,
    account_id,
    issue_ids,
    store_accounts,
)


def ingest_comments(*, repository: Repository, items: Sequence[CommentItem]) -> TableCounts:
    """Store one page of issue/PR conversation comments, keyed on GitHub's comment id."""
    with transaction.atomic():
        accounts, account_ids = store_accounts(item.author for item in items)
        issues = issue_ids(
            repository=repository, numbers=[i.issue_number for i in items], kind="comments"
        )
        comments = upsert(
            model=Comment,
            rows=[
                {
                    "github_id": int(item.source_id),
                    "issue": issues[item.issue_number],
                    "author": account_id(account_ids, item.author),
                    "body": item.body,
                    "created_at": item.created_at,
                    "updated_at": item.updated_at,
                }
                for item in items
            ],
            unique_fields=["github_id"],
            update_fields=["issue", "author", "body", "created_at", "updated_at"],
        )
    return {"accounts": accounts, "comments": comments}


def ingest_reviews(*, repository: Repository, items: Sequence[ReviewItem]) -> TableCounts:
    """Store one page of pull request reviews: approvals, change requests, comments.

    A review's state moves (PENDING → APPROVED, or DISMISSED later), so a re-read
    updates the state in place.
    """
    with transaction.atomic():
        accounts, account_ids = store_accounts(item.author for item in items)
        pulls = issue_ids(
            repository=repository, numbers=[i.pull_number for i in items], kind="reviews"
        )
        reviews = upsert(
            model=Review,
            rows=[
                {
                    "github_id": int(item.source_id),
                    "issue": pulls[item.pull_number],
                    "author": account_id(account_ids, item.author),
                    "state": item.state,
                    "body": item.body,
                    "commit_sha": item.commit_sha,
                    "submitted_at": item.updated_at,
                }
                for item in items
            ],
            unique_fields=["github_id"],
            update_fields=["issue", "author", "state", "body", "commit_sha", "submitted_at"],
        )
    return {"accounts": accounts, "reviews": reviews}


def ingest_review_comments(
    *, repository: Repository, items: Sequence[ReviewCommentItem]
) -> TableCounts:
    """Store one page of comments on pull request diffs, keyed on GitHub's comment id."""
    fields = [
        "issue",
        "review_github_id",
        "in_reply_to_github_id",
        "author",
        "body",
        "path",
        "commit_sha",
        "created_at",
        "updated_at",
    ]
    with transaction.atomic():
        accounts, account_ids = store_accounts(item.author for item in items)
        pulls = issue_ids(
            repository=repository, numbers=[i.pull_number for i in items], kind="review comments"
        )
        comments = upsert(
            model=ReviewComment,
            rows=[
                {
                    "github_id": int(item.source_id),
                    "issue": pulls[item.pull_number],
                    "review_github_id": item.review_id,
                    "in_reply_to_github_id": item.in_reply_to_id,
                    "author": account_id(account_ids, item.author),
                    "body": item.body,
                    "path": item.path,
                    "commit_sha": item.commit_sha,
                    "created_at": item.created_at,
                    "updated_at": item.updated_at,
                }
                for item in items
            ],
            unique_fields=["github_id"],
            update_fields=fields,
        )
    return {"accounts": accounts, "review_comments": comments}
