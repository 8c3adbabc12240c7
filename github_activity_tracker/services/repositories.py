"""Write repository metadata, rename/deletion marks and releases."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from core.bulk import UpsertCounts, upsert
from core.text import strip_nul
from github_activity_tracker.items import ReleaseItem, RepositoryItem
from github_activity_tracker.models import Release, Repository, RepositoryStatus
from github_activity_tracker.services._shared import TableCounts, account_id, store_accounts

_REPOSITORY_FIELDS = [
    "owner",
    "name",
    "full_name",
    "description",
    "stars",
    "forks",
    "topics",
    "language",
    "license",
    "default_branch",
    "archived",
    "created_at",
    "updated_at",
    "pushed_at",
    "status",
    "renamed_to",
]


def upsert_repositories(*, items: Sequence[RepositoryItem]) -> UpsertCounts:
    """Insert or refresh repositories from `GET /repos/{o}/{r}`, keyed on GitHub's id.

    Keyed on the id, not the name, so a rename updates `full_name` in place; a
    repository answering again is active again.
    """
    rows = [
        {
            "github_id": item.github_id,
            "owner": item.owner,
            "name": item.name,
            "full_name": item.full_name,
            "description": item.description,
            "stars": item.stars,
            "forks": item.forks,
            "topics": list(item.topics),
            "language": item.language,
            "license": item.license,
            "default_branch": item.default_branch,
            "archived": item.archived,
            "created_at": item.created_at,
            "updated_at": item.updated_at,
            "pushed_at": item.pushed_at,
            "status": RepositoryStatus.ACTIVE.value,
            "renamed_to": "",
        }
        for item in items
    ]
    return upsert(
        model=Repository,
        rows=rows,
        unique_fields=["github_id"],
        update_fields=_REPOSITORY_FIELDS,
    )


def mark_repository_missing(*, full_name: str, status: str, renamed_to: str = "") -> bool:
    """Record that `owner/name` answered 301 (renamed) or 404 (deleted); True if it changed.

    Not fatal to a run: the collector records it and goes on with the other
    repositories. A repository never seen before gets a row without a GitHub id.
    """
    if status not in (RepositoryStatus.RENAMED, RepositoryStatus.DELETED):
        raise ValueError(f"status must be renamed or deleted, got {status!r}")
    if (status == RepositoryStatus.RENAMED) != bool(renamed_to):
        raise ValueError("renamed_to is required for a rename and only for a rename")
    # Outside core.bulk, so NUL (which PostgreSQL refuses) is dropped here.
    full_name, renamed_to = strip_nul(full_name), strip_nul(renamed_to)
    owner, slash, name = full_name.partition("/")
    if not slash or not owner or not name:
        raise ValueError(f"repository {full_name!r} is not owner/name")
    with transaction.atomic():
        repository, created = Repository.objects.select_for_update().get_or_create(
            full_name=full_name,
            defaults={"owner": owner, "name": name, "status": status, "renamed_to": renamed_to},
        )
        if created:
            return True
        if (repository.status, repository.renamed_to) == (status, renamed_to):
            return False
        repository.status = status
        repository.renamed_to = renamed_to
        repository.save(update_fields=["status", "renamed_to"])
    return True


def ingest_releases(*, repository: Repository, items: Sequence[ReleaseItem]) -> TableCounts:
    """Store one page of releases with their authors, keyed on GitHub's release id."""
    with transaction.atomic():
        accounts, account_ids = store_accounts(item.author for item in items)
        releases = upsert(
            model=Release,
            rows=[
                {
                    "repository": repository.pk,
                    "github_id": int(item.source_id),
                    "tag_name": item.tag_name,
                    "name": item.name,
                    "body": item.body,
                    "draft": item.draft,
                    "prerelease": item.prerelease,
                    "author": account_id(account_ids, item.author),
                    "created_at": item.created_at,
                    "published_at": item.published_at,
                }
                for item in items
            ],
            unique_fields=["github_id"],
            update_fields=[
                "repository",
                "tag_name",
                "name",
                "body",
                "draft",
                "prerelease",
                "author",
                "created_at",
                "published_at",
            ],
        )
    return {"accounts": accounts, "releases": releases}
