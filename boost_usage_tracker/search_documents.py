"""The Boost usage document source of the search index: one document per repository.

A document says which Boost headers and libraries an external repository uses, with
the files that show it and the Boost version its build files ask for. Its change time
is the newest `updated_at` of the repository row, its usages and its detected
versions (our own rows' times: a usage marked gone today re-indexes the repository).
A repository GitHub deleted is a tombstone: it leaves the index.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from django.db.models import Max, Q
from django.db.models.functions import Greatest

from boost_usage_tracker.models import (
    BoostUsage,
    DetectedBoostVersion,
    ExternalRepository,
    RepositoryState,
)
from cppa_pinecone_sync.documents import Change, Document, DocumentSource, Tombstone

SOURCE = "boost_usage"
_DOC_PREFIX = "boost-usage-repo-"
_BATCH = 500


def doc_id_of(repository: ExternalRepository) -> str:
    """Keyed on GitHub's id, which survives a rename."""
    return f"{_DOC_PREFIX}{repository.github_id}"


def _with_change_time():
    return ExternalRepository.objects.annotate(
        usage_changed=Max("usages__updated_at"),
        version_changed=Max("boost_versions__updated_at"),
    ).annotate(changed=Greatest("updated_at", "usage_changed", "version_changed"))


def _document(repository: ExternalRepository) -> Change:
    changed: datetime = repository.changed  # type: ignore[attr-defined]
    if repository.state == RepositoryState.DELETED:
        return Tombstone(doc_id=doc_id_of(repository), changed_at=changed)
    usages = BoostUsage.objects.filter(repository=repository, gone=False).select_related("library")
    versions = DetectedBoostVersion.objects.filter(repository=repository)
    lines = [
        f"{repository.full_name} ({repository.language or 'language unknown'}, "
        f"{repository.stars or 0} stars) includes Boost headers:"
    ]
    libraries = set()
    for usage in usages:
        library = usage.library.key if usage.library else "library unknown"
        libraries.add(library)
        lines.append(f"- {usage.header} ({library}) in {', '.join(usage.file_paths[:5])}")
    for version in versions:
        wanted = f"Boost {version.constraint}{version.version}"
        lines.append(f"{wanted} in {version.file_path}: {version.evidence}")
    return Document(
        doc_id=doc_id_of(repository),
        url=f"https://github.com/{repository.full_name}",
        title=f"{repository.full_name} uses Boost {', '.join(sorted(libraries))}",
        text="\n".join(lines),
        updated_at=repository.pushed_at,
        changed_at=changed,
        metadata={"libraries": sorted(libraries), "stars": repository.stars or 0},
    )


def changed_since(moment: datetime | None) -> Iterator[Change]:
    """Every repository whose rows changed at or after `moment`, oldest change first."""
    rows = _with_change_time()
    if moment is not None:
        rows = rows.filter(Q(changed__gte=moment))
    for repository in rows.order_by("changed", "id").iterator(chunk_size=_BATCH):
        yield _document(repository)


def load(doc_ids: Sequence[str]) -> Iterable[Change]:
    ids = [int(d.removeprefix(_DOC_PREFIX)) for d in doc_ids if d.startswith(_DOC_PREFIX)]
    rows = _with_change_time().filter(github_id__in=[i for i in ids if i >= 0])
    return [_document(repository) for repository in rows]


def newest_change() -> datetime | None:
    return _with_change_time().aggregate(newest=Max("changed"))["newest"]


USAGE_SOURCE = DocumentSource(
    name=SOURCE,
    namespace="boost-usage",
    changed_since=changed_since,
    load=load,
    newest_change=newest_change,
    description="Public repositories that include Boost headers, with their evidence",
)
