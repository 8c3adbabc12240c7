"""Ingest pages of issues and pull requests with their labels, assignees and merge data."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from core.bulk import UpsertCounts, upsert
from core.links import sync_links
from github_activity_tracker.items import PULL_REQUEST, IssueItem, PullRequestItem
from github_activity_tracker.models import (
    Issue,
    IssueAssignee,
    IssueLabel,
    Label,
    PullRequest,
    Repository,
)
from github_activity_tracker.services._shared import (
    TableCounts,
    account_id,
    issue_ids,
    store_accounts,
)

_ISSUE_FIELDS = [
    "repository",
    "number",
    "is_pull_request",
    "title",
    "body",
    "state",
    "state_reason",
    "locked",
    "author",
    "created_at",
    "updated_at",
    "closed_at",
]
_PULL_FIELDS = [
    "github_id",
    "draft",
    "head_ref",
    "base_ref",
    "merged",
    "merged_at",
    "merge_commit_sha",
    "merged_by",
]


def ingest_issues(*, repository: Repository, items: Sequence[IssueItem]) -> TableCounts:
    """Store one page of `/issues` (issues and pull requests alike) in one transaction.

    Keyed on GitHub's issue id; labels and assignees of these issues are made to match
    the page (an unlabelled issue loses its label link). Label and assignee link
    changes are counted under "links" as created (added) and updated (removed).
    """
    with transaction.atomic():
        accounts, account_ids = store_accounts(
            a for item in items for a in (item.author, *item.assignees)
        )
        labels = upsert(
            model=Label,
            rows=[
                {
                    "repository": repository.pk,
                    "github_id": label.github_id,
                    "name": label.name,
                    "color": label.color,
                    "description": label.description,
                }
                for item in items
                for label in item.labels
            ],
            unique_fields=["github_id"],
            update_fields=["repository", "name", "color", "description"],
        )
        issues = upsert(
            model=Issue,
            rows=[_issue_row(repository, item, account_ids) for item in items],
            unique_fields=["github_id"],
            update_fields=_ISSUE_FIELDS,
        )
        links = _sync_issue_links(items, account_ids)
    return {"accounts": accounts, "labels": labels, "issues": issues, "links": links}


def _issue_row(repository: Repository, item: IssueItem, account_ids: dict[int, int]) -> dict:
    return {
        "repository": repository.pk,
        "github_id": item.github_id,
        "number": item.number,
        "is_pull_request": item.category == PULL_REQUEST,
        "title": item.title,
        "body": item.body,
        "state": item.state,
        "state_reason": item.state_reason,
        "locked": item.locked,
        "author": account_id(account_ids, item.author),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "closed_at": item.closed_at,
    }


def _sync_issue_links(items: Sequence[IssueItem], account_ids: dict[int, int]) -> UpsertCounts:
    ids = dict(
        Issue.objects.filter(github_id__any_of=[i.github_id for i in items]).values_list(
            "github_id", "id"
        )
    )
    label_ids = dict(
        Label.objects.filter(
            github_id__any_of={label.github_id for i in items for label in i.labels}
        ).values_list("github_id", "id")
    )
    owners = list(ids.values())
    added_labels, removed_labels = sync_links(
        model=IssueLabel,
        owner_field="issue",
        target_field="label",
        owners=owners,
        pairs={(ids[i.github_id], label_ids[lb.github_id]) for i in items for lb in i.labels},
    )
    added_assignees, removed_assignees = sync_links(
        model=IssueAssignee,
        owner_field="issue",
        target_field="account",
        owners=owners,
        pairs={(ids[i.github_id], account_ids[a.github_id]) for i in items for a in i.assignees},
    )
    return UpsertCounts(
        created=added_labels + added_assignees, updated=removed_labels + removed_assignees
    )


def ingest_pull_requests(
    *, repository: Repository, items: Sequence[PullRequestItem]
) -> TableCounts:
    """Store merge data from `/pulls/{n}` for pull requests whose issue rows exist."""
    with transaction.atomic():
        accounts, account_ids = store_accounts(item.merged_by for item in items)
        numbers = issue_ids(
            repository=repository, numbers=[i.number for i in items], kind="pull request data"
        )
        rows = [
            {
                "issue": numbers[item.number],
                "github_id": int(item.source_id),
                "draft": item.draft,
                "head_ref": item.head_ref,
                "base_ref": item.base_ref,
                "merged": item.merged,
                "merged_at": item.merged_at,
                "merge_commit_sha": item.merge_commit_sha,
                "merged_by": account_id(account_ids, item.merged_by),
            }
            for item in items
        ]
        pulls = upsert(
            model=PullRequest,
            rows=rows,
            unique_fields=["issue"],
            update_fields=_PULL_FIELDS,
        )
    return {"accounts": accounts, "pull_requests": pulls}
