"""Reads of the Boost catalogue that the collector and other apps use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from boost_library_tracker.models import BoostVersion, Library, LibraryHeader, LibraryVersion


def stored_version_names() -> set[str]:
    """The names of the Boost versions whose catalogue is stored (`boost-1.86.0`, ...)."""
    return set(BoostVersion.objects.values_list("name", flat=True))


def library_repo_names() -> list[str]:
    """The boostorg repositories that hold at least one catalogued library, sorted."""
    return sorted(set(Library.objects.values_list("repo_name", flat=True)))


def stored_version_names_in_order() -> list[str]:
    """The stored Boost versions, oldest first."""
    return list(
        BoostVersion.objects.order_by("major", "minor", "patch").values_list("name", flat=True)
    )


def header_mapped_version_names() -> set[str]:
    """The stored versions that have a header map."""
    return set(
        BoostVersion.objects.filter(headers__isnull=False).distinct().values_list("name", flat=True)
    )


def library_keys_by_repo(*, version: str) -> dict[str, list[str]]:
    """The library keys each boostorg repository holds at `version` (from its catalogue)."""
    found: dict[str, list[str]] = {}
    rows = LibraryVersion.objects.filter(version__name=version).values_list(
        "library__repo_name", "library__key"
    )
    for repo_name, key in rows:
        found.setdefault(repo_name, []).append(key)
    return found


def latest_header_version() -> str | None:
    """The newest stored version with a header map, or None when no release has one."""
    mapped = header_mapped_version_names()
    ordered = [name for name in stored_version_names_in_order() if name in mapped]
    return ordered[-1] if ordered else None


@dataclass(frozen=True)
class HeaderMap:
    """Answer which library owns a header at one release, from the stored map.

    `library_of` gives the owner of a header the release ships. A header the release
    does not ship (newer, older, or misspelt) gets the owner of its nearest folder when
    every header of that folder belongs to one library (`boost/asio/new.hpp` → asio);
    a folder shared by several libraries (`boost/` itself, `boost/detail/`) answers
    None: no guess.
    """

    version: str
    owners: Mapping[str, str]
    folders: Mapping[str, str]

    def library_of(self, header: str) -> str | None:
        path = header.strip().lstrip("/")
        if path in self.owners:
            return self.owners[path]
        folder = path.rpartition("/")[0]
        while folder and folder != "boost":
            if folder in self.folders:
                return self.folders[folder] or None
            folder = folder.rpartition("/")[0]
        return None


def header_map(*, version: str | None = None) -> HeaderMap | None:
    """The header map of `version` (default: the newest mapped release); None if none."""
    chosen = version or latest_header_version()
    if chosen is None:
        return None
    owners = dict(
        LibraryHeader.objects.filter(version__name=chosen).values_list("path", "library__key")
    )
    folders: dict[str, str] = {}
    for path, key in owners.items():
        folder = path.rpartition("/")[0]
        while folder and folder != "boost":
            # An empty string marks a folder shared by two libraries.
            folders[folder] = key if folders.get(folder, key) == key else ""
            folder = folder.rpartition("/")[0]
    return HeaderMap(version=chosen, owners=owners, folders=folders)


def library_for_header(header: str, *, version: str | None = None) -> Library | None:
    """The library that owns `header` (`boost/asio/ip/tcp.hpp`) at `version` (default newest)."""
    found = header_map(version=version)
    key = found.library_of(header) if found is not None else None
    return Library.objects.filter(key=key).first() if key else None


def library_ids_by_key(keys: Iterable[str]) -> dict[str, int]:
    """The ids of the catalogued libraries among `keys` (unknown keys are left out)."""
    return dict(Library.objects.filter(key__in=list(keys)).values_list("key", "id"))
