"""Every write of the usage tracker, in bulk and idempotent.

A search page is stored with its checkpoint in the caller's transaction; re-storing
the same page (a resumed run, a retried batch) updates the same rows. Nothing here
deletes a usage or a repository: gone usages and deleted repositories are marked.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from boost_library_tracker.selectors import library_ids_by_key
from boost_usage_tracker.items import CodeHitItem, RepositoryDetailsItem, VersionEvidenceItem
from boost_usage_tracker.models import (
    BoostUsage,
    DetectedBoostVersion,
    ExternalRepository,
    RepositoryState,
)
from core.bulk import UpsertCounts, upsert

# File paths kept per usage as evidence: enough to check by hand, bounded per row.
MAX_FILE_PATHS = 20


@dataclass(frozen=True)
class HitCounts:
    repositories: UpsertCounts
    usages: UpsertCounts
    versions: UpsertCounts


def _repository_ids(github_ids: Collection[int]) -> dict[int, int]:
    return dict(
        ExternalRepository.objects.filter(github_id__any_of=list(github_ids)).values_list(
            "github_id", "id"
        )
    )


def upsert_search_hits(
    *,
    hits: Sequence[CodeHitItem],
    owners: Mapping[str, str | None],
    header_version: str,
    seen_at: datetime,
) -> HitCounts:
    """Record the repositories of a search page and the Boost headers their files include.

    `owners` maps each header to its library key (None: the header map does not place
    it). A usage seen again gets the new file paths added to its evidence, its
    `last_seen_at` moved, and loses any gone mark. `BOOST_VERSION` checks in the matched
    lines are stored as version evidence.
    """
    if timezone.is_naive(seen_at):
        raise ValueError("seen_at must be timezone-aware")
    repo_rows = {
        hit.repo_id: {
            "github_id": hit.repo_id,
            "full_name": hit.full_name,
            "node_id": hit.node_id,
            "is_fork": hit.is_fork,
        }
        for hit in hits
    }
    with transaction.atomic():
        # node_id is left alone when a search answer lacks it (older answers do).
        with_node = [row for row in repo_rows.values() if row["node_id"]]
        without = [row for row in repo_rows.values() if not row["node_id"]]
        repositories = upsert(
            model=ExternalRepository,
            rows=with_node,
            unique_fields=["github_id"],
            update_fields=["full_name", "node_id", "is_fork"],
        ) + upsert(
            model=ExternalRepository,
            rows=[{**row, "node_id": ""} for row in without],
            unique_fields=["github_id"],
            update_fields=["full_name", "is_fork"],
        )
        ids = _repository_ids(repo_rows)
        libraries = library_ids_by_key({key for key in owners.values() if key})
        seen: dict[tuple[int, str], dict] = {}
        for hit in hits:
            for header in hit.headers:
                key = (ids[hit.repo_id], header)
                row = seen.setdefault(
                    key,
                    {"paths": [], "fragment": hit.fragment, "library": owners.get(header)},
                )
                if hit.path not in row["paths"]:
                    row["paths"].append(hit.path)
        stored = {
            (u.repository_id, u.header): u
            for u in BoostUsage.objects.filter(
                repository_id__in=list({k[0] for k in seen}),
                header__any_of=list({k[1] for k in seen}),
            )
        }
        rows = []
        for (repository_id, header), found in seen.items():
            before = stored.get((repository_id, header))
            paths = list(dict.fromkeys([*(before.file_paths if before else []), *found["paths"]]))
            key = found["library"]
            rows.append(
                {
                    "repository": repository_id,
                    "header": header,
                    "library": libraries.get(key) if key else None,
                    "header_version": header_version if key else "",
                    "file_paths": paths[:MAX_FILE_PATHS],
                    "fragment": found["fragment"],
                    "first_seen_at": before.first_seen_at if before else seen_at,
                    "last_seen_at": seen_at,
                    "missed_searches": 0,
                    "gone": False,
                }
            )
        usages = upsert(
            model=BoostUsage,
            rows=rows,
            unique_fields=["repository", "header"],
            update_fields=[
                "library",
                "header_version",
                "file_paths",
                "fragment",
                "first_seen_at",
                "last_seen_at",
                "missed_searches",
                "gone",
            ],
        )
        versions = _upsert_versions(
            [(ids[h.repo_id], h.version_check) for h in hits if h.version_check is not None],
            found_at=seen_at,
        )
    return HitCounts(repositories=repositories, usages=usages, versions=versions)


def _upsert_versions(
    found: Sequence[tuple[int, VersionEvidenceItem]], *, found_at: datetime
) -> UpsertCounts:
    rows = [
        {
            "repository": repository_id,
            "source": item.source,
            "file_path": item.file_path,
            "version": item.version,
            "constraint": item.constraint,
            "evidence": item.evidence,
            "found_at": found_at,
        }
        for repository_id, item in found
    ]
    return upsert(
        model=DetectedBoostVersion,
        rows=rows,
        unique_fields=["repository", "source", "file_path"],
        update_fields=["version", "constraint", "evidence", "found_at"],
    )


_DETAIL_FIELDS = [
    "node_id",
    "full_name",
    "stars",
    "forks",
    "language",
    "license",
    "created_on_github",
    "pushed_at",
    "archived",
    "is_fork",
]


def record_repository_details(
    *, items: Sequence[RepositoryDetailsItem], read_at: datetime, with_files: bool
) -> UpsertCounts:
    """Store what GraphQL says of known repositories; a new name is recorded as a rename.

    `with_files`: the items carry the build files' versions (a details read), so each
    repository's build-file evidence is replaced by what was found now.
    """
    if not items:
        return UpsertCounts(0, 0, 0)
    with transaction.atomic():
        known = {
            r.github_id: r
            for r in ExternalRepository.objects.filter(
                github_id__any_of=[i.github_id for i in items]
            )
        }
        rows = []
        for item in items:
            before = known.get(item.github_id)
            if before is None:
                raise ValueError(f"repository {item.full_name} ({item.github_id}) is not stored")
            renamed = before.full_name != item.full_name
            rows.append(
                {
                    "github_id": item.github_id,
                    **{name: getattr(item, name) for name in _DETAIL_FIELDS},
                    "previous_full_name": before.full_name
                    if renamed
                    else before.previous_full_name,
                    "state": RepositoryState.ACTIVE,
                    "details_read_at": read_at,
                }
            )
        counts = upsert(
            model=ExternalRepository,
            rows=rows,
            unique_fields=["github_id"],
            update_fields=[*_DETAIL_FIELDS, "previous_full_name", "state", "details_read_at"],
        )
        if with_files:
            ids = {i.github_id: known[i.github_id].pk for i in items}
            build_sources = ["cmake", "vcpkg", "conan"]
            DetectedBoostVersion.objects.filter(
                repository_id__in=list(ids.values()), source__in=build_sources
            ).delete()
            counts = counts + _upsert_versions(
                [(ids[i.github_id], v) for i in items for v in i.versions], found_at=read_at
            )
    return counts


def mark_repositories_deleted(*, github_ids: Collection[int], read_at: datetime) -> int:
    """Mark as deleted the repositories GitHub no longer has (NOT_FOUND); rows are kept."""
    if not github_ids:
        return 0
    return (
        ExternalRepository.objects.filter(github_id__any_of=list(github_ids))
        .exclude(state=RepositoryState.DELETED)
        .update(state=RepositoryState.DELETED, details_read_at=read_at, updated_at=timezone.now())
    )


def mark_missed_usages(
    *, searched_since: datetime, gone_after: int, library_keys: Collection[str] | None = None
) -> tuple[int, int]:
    """After a complete search: usages not seen since it started missed one more search.

    `library_keys` limits it to the usages of those libraries (a `--library` search
    only looked for them). Returns (missed, newly gone); a usage is gone once it has
    missed `gone_after` searches in a row.
    """
    if gone_after < 1:
        raise ValueError("gone_after must be at least 1")
    scope = Q(last_seen_at__lt=searched_since, gone=False)
    if library_keys is not None:
        scope &= Q(library__key__in=list(library_keys))
    with transaction.atomic():
        ids = list(BoostUsage.objects.filter(scope).values_list("id", flat=True))
        now = timezone.now()
        missed = BoostUsage.objects.filter(id__any_of=ids).update(
            missed_searches=F("missed_searches") + 1, updated_at=now
        )
        gone = BoostUsage.objects.filter(id__any_of=ids, missed_searches__gte=gone_after).update(
            gone=True, updated_at=now
        )
    return missed, gone
