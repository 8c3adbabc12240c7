"""Every write to the Boost catalogue, in bulk and idempotent.

The catalogue is re-read in full on every release and by hand (`--version all`), so
each function upserts on natural keys (version name, library key, library and version)
and a second call with the same input writes nothing. Links (categories, people) are
synchronised per library version: missing ones added, stale ones removed, with a fixed
number of statements whatever the number of libraries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from boost_library_tracker.items import HeaderItem, LibraryItem, LibraryMetaItem, VersionItem
from boost_library_tracker.models import (
    BoostVersion,
    Category,
    CreditRole,
    Library,
    LibraryHeader,
    LibraryVersion,
    LibraryVersionCategory,
    LibraryVersionPerson,
)
from core.bulk import UpsertCounts, upsert
from core.links import sync_links
from cppa_user_tracker.items import GitIdentityItem
from cppa_user_tracker.selectors import git_identity_ids
from cppa_user_tracker.services import upsert_git_identities

_VERSION_FIELDS = ["major", "minor", "patch"]
_LIBRARY_VERSION_FIELDS = [
    "name",
    "description",
    "documentation",
    "cxxstd",
    "status",
    "first_boost_version",
    "std",
    "modules",
]


@dataclass(frozen=True)
class LibraryVersionCounts:
    """What `upsert_library_versions` wrote, table by table."""

    library_versions: UpsertCounts
    categories: UpsertCounts
    identities: UpsertCounts
    links_added: int
    links_removed: int

    @property
    def rows_written(self) -> int:
        tables = (self.library_versions, self.categories, self.identities)
        return sum(c.created + c.updated for c in tables) + self.links_added + self.links_removed


def upsert_versions(*, items: Sequence[VersionItem]) -> UpsertCounts:
    """Record stable releases; a known date is refreshed, never erased by an undated item.

    A tag whose commit date could not be read comes without `released_at`: it inserts
    the version but leaves an existing row's date alone.
    """
    for item in items:
        if f"boost-{item.major}.{item.minor}.{item.patch}" != item.name:
            raise ValueError(f"version {item.name!r} does not match {item.sort_key}")
    dated = [_version_row(i) for i in items if i.released_at is not None]
    undated = [_version_row(i) for i in items if i.released_at is None]
    with transaction.atomic():
        counts = upsert(
            model=BoostVersion,
            rows=dated,
            unique_fields=["name"],
            update_fields=[*_VERSION_FIELDS, "released_at"],
        )
        # The numbers follow from the name, so "updating" them never writes a row.
        return counts + upsert(
            model=BoostVersion, rows=undated, unique_fields=["name"], update_fields=_VERSION_FIELDS
        )


def refresh_version_dates(*, dates: Mapping[str, datetime]) -> int:
    """Give stored versions the release list's official dates; return how many changed.

    It never adds a version: a stored version means a collected catalogue, which
    `--version new` and the release detector rely on.
    """
    with transaction.atomic():
        stale = [
            version
            for version in BoostVersion.objects.filter(name__any_of=list(dates))
            if version.released_at != dates[version.name]
        ]
        now = timezone.now()
        for version in stale:
            version.released_at, version.updated_at = dates[version.name], now
        BoostVersion.objects.bulk_update(stale, ["released_at", "updated_at"])
    return len(stale)


def _version_row(item: VersionItem) -> dict[str, object]:
    return {
        "name": item.name,
        "major": item.major,
        "minor": item.minor,
        "patch": item.patch,
        "released_at": item.released_at,
    }


def upsert_libraries(*, items: Sequence[LibraryItem]) -> UpsertCounts:
    """Insert new libraries and refresh their name, repository and superproject path."""
    _reject_duplicate_keys(item.key for item in items)
    for item in items:
        if not item.key or not item.name or not item.repo_name:
            raise ValueError(f"library {item.key!r} needs a key, a name and a repository")
    rows = [
        {
            "key": item.key,
            "name": item.name,
            "repo_name": item.repo_name,
            "superproject_path": item.superproject_path,
        }
        for item in items
    ]
    return upsert(
        model=Library,
        rows=rows,
        unique_fields=["key"],
        update_fields=["name", "repo_name", "superproject_path"],
    )


def upsert_library_versions(
    *, version: str, items: Sequence[LibraryMetaItem]
) -> LibraryVersionCounts:
    """Store what each library's `libraries.json` said at `version`, with categories and people.

    Order for failure safety: everything is checked before the first write, then people
    and categories (which library versions point at), then the library versions, then
    their links, all in one transaction, so bad input leaves nothing half-written.
    """
    _reject_duplicate_keys(item.key for item in items)
    with transaction.atomic():
        version_id = _version_id(version)
        library_ids = _library_ids([item.key for item in items])
        categories = upsert(
            model=Category,
            rows=[{"name": n} for item in items for n in item.categories],
            unique_fields=["name"],
            update_fields=[],
        )
        category_ids = dict(
            Category.objects.filter(
                name__in={n for item in items for n in item.categories}
            ).values_list("name", "id")
        )
        people = [
            GitIdentityItem(name=p.name, email=p.email)
            for item in items
            for p in (*item.authors, *item.maintainers)
        ]
        identities = upsert_git_identities(items=people)
        identity_ids = git_identity_ids(items=people)
        library_versions = upsert(
            model=LibraryVersion,
            rows=[_library_version_row(item, library_ids[item.key], version_id) for item in items],
            unique_fields=["library", "version"],
            update_fields=_LIBRARY_VERSION_FIELDS,
        )
        lv_ids = dict(
            LibraryVersion.objects.filter(
                version_id=version_id, library_id__in=library_ids.values()
            ).values_list("library_id", "id")
        )
        by_lv = {lv_ids[library_ids[item.key]]: item for item in items}
        added_c, removed_c = sync_links(
            model=LibraryVersionCategory,
            owner_field="library_version",
            target_field="category",
            owners=list(by_lv),
            pairs={(lv, category_ids[n]) for lv, item in by_lv.items() for n in item.categories},
        )
        added_p, removed_p = _sync_people(by_lv, identity_ids)
    return LibraryVersionCounts(
        library_versions=library_versions,
        categories=categories,
        identities=identities,
        links_added=added_c + added_p,
        links_removed=removed_c + removed_p,
    )


def _reject_duplicate_keys(keys: Iterable[str]) -> None:
    seen: set[str] = set()
    duplicates = sorted({k for k in keys if k in seen or seen.add(k)})
    if duplicates:
        raise ValueError(f"library key(s) given twice: {', '.join(duplicates)}")


def upsert_library_headers(*, version: str, items: Sequence[HeaderItem]) -> UpsertCounts:
    """Record which library owns each header at `version`; drop the libraries' stale headers.

    A release's trees do not change, but a re-read after a fix of the ownership rule
    may move a header: the libraries named in `items` lose headers they no longer
    list, so the map stays exact. Other libraries' headers are left alone.
    """
    paths = [item.path for item in items]
    if len(set(paths)) != len(paths):
        raise ValueError(f"header paths repeat in one call for {version}")
    if any(not path.startswith("boost/") for path in paths):
        raise ValueError(f"header paths must start with boost/ ({version})")
    version_id = _version_id(version)
    library_ids = _library_ids(sorted({item.library_key for item in items}))
    rows = [
        {"version": version_id, "path": item.path, "library": library_ids[item.library_key]}
        for item in items
    ]
    with transaction.atomic():
        LibraryHeader.objects.filter(
            version_id=version_id, library_id__in=list(library_ids.values())
        ).exclude(path__any_of=paths).delete()
        return upsert(
            model=LibraryHeader,
            rows=rows,
            unique_fields=["version", "path"],
            update_fields=["library"],
        )


def _version_id(name: str) -> int:
    found = BoostVersion.objects.filter(name=name).values_list("id", flat=True).first()
    if found is None:
        raise ValueError(f"Boost version {name!r} is not recorded; upsert_versions first")
    return found


def _library_ids(keys: Sequence[str]) -> dict[str, int]:
    found = dict(Library.objects.filter(key__in=keys).values_list("key", "id"))
    missing = sorted(set(keys) - found.keys())
    if missing:
        raise ValueError(f"unknown library key(s) {', '.join(missing)}; upsert_libraries first")
    return found


def _library_version_row(item: LibraryMetaItem, library_id: int, version_id: int) -> dict:
    return {
        "library": library_id,
        "version": version_id,
        "name": item.name,
        "description": item.description,
        "documentation": item.documentation,
        "cxxstd": item.cxxstd,
        "status": item.status,
        "first_boost_version": item.first_boost_version,
        "std": list(item.std),
        "modules": item.modules,
    }


def _sync_people(
    by_lv: dict[int, LibraryMetaItem], identity_ids: dict[tuple[str, str], int]
) -> tuple[int, int]:
    """Make each library version's ordered author/maintainer slots match the file."""
    rows = []
    for lv, item in by_lv.items():
        for role, names in (
            (CreditRole.AUTHOR, item.authors),
            (CreditRole.MAINTAINER, item.maintainers),
        ):
            for position, person in enumerate(names):
                key = GitIdentityItem(name=person.name, email=person.email).key
                rows.append(
                    {
                        "library_version": lv,
                        "role": role.value,
                        "position": position,
                        "identity": identity_ids[key],
                    }
                )
    wanted = {(r["library_version"], r["role"], r["position"]) for r in rows}
    stale = [
        pk
        for lv, role, position, pk in LibraryVersionPerson.objects.filter(
            library_version_id__in=by_lv
        ).values_list("library_version_id", "role", "position", "id")
        if (lv, role, position) not in wanted
    ]
    LibraryVersionPerson.objects.filter(id__in=stale).delete()
    counts = upsert(
        model=LibraryVersionPerson,
        rows=rows,
        unique_fields=["library_version", "role", "position"],
        update_fields=["identity"],
    )
    return counts.created + counts.updated, len(stale)
