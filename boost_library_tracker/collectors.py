"""`BoostLibraryCollector`: the Boost catalogue for one, all or the new releases.

Each run reads the stable tags and boost.org's release list: a version's date is the
list's official date when it has one, else its tag commit's, and stored versions get
the list's date when it appears later. Per release, in this order: read the
superproject's `.gitmodules` at the release tag,
then the `libraries.json` of every library submodule (GraphQL, many per request), then
store the version, the libraries and the library versions with their categories and
people in ONE transaction. The version row is written last in spirit: it exists only
when its catalogue does, so "stored versions" is exactly "releases already collected",
which is what `--version new` and the release detector rely on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from boost_library_tracker import selectors, services
from boost_library_tracker.fetchers import BoostCatalogueFetcher
from boost_library_tracker.items import LibraryItem, LibraryMetaItem, VersionItem
from boost_library_tracker.parsers import library_items, parse_version_tag
from core.collectors import AbstractCollector
from core.http import HttpOptions
from core.runs import CREATED, FETCHED, UPDATED

logger = logging.getLogger(__name__)

ALL = "all"
NEW = "new"


def check_version_choice(value: str) -> str:
    """Return `all`, `new` or a stable tag name; anything else is a one-line CommandError."""
    if value in (ALL, NEW) or parse_version_tag(value) is not None:
        return value
    raise CommandError(
        f"--version {value!r} is not valid; use all, new or a stable tag such as boost-1.86.0"
    )


def select_versions(
    tags: Sequence[VersionItem], *, wanted: str, stored: set[str]
) -> list[VersionItem]:
    """Pick the releases to collect, oldest first.

    `new` means the stable tags newer than the newest stored release; on an empty
    catalogue it is only the newest tag (`--version all` collects the history).
    """
    ordered = sorted(tags, key=lambda v: v.sort_key)
    if wanted == ALL:
        return ordered
    if wanted == NEW:
        known = [v for v in ordered if v.name in stored]
        if not known:
            return ordered[-1:]
        return [v for v in ordered if v.sort_key > known[-1].sort_key]
    chosen = [v for v in ordered if v.name == wanted]
    if not chosen:
        raise CommandError(f"--version {wanted}: boostorg/boost has no such stable tag")
    return chosen


def _unique_by_key(
    pairs: Sequence[tuple[Any, list[LibraryMetaItem]]], *, ref: str
) -> tuple[list[LibraryItem], list[LibraryMetaItem]]:
    """Libraries and metadata of one release, the first repository winning a repeated key."""
    libraries: dict[str, LibraryItem] = {}
    metas: dict[str, LibraryMetaItem] = {}
    for submodule, items in pairs:
        for library, meta in zip(library_items(submodule, items), items, strict=True):
            if library.key in libraries:
                logger.warning(
                    "library key %s appears again in %s at %s; the first one is kept",
                    library.key,
                    submodule.repo_name,
                    ref,
                )
                continue
            libraries[library.key] = library
            metas[library.key] = meta
    return list(libraries.values()), list(metas.values())


class BoostLibraryCollector(AbstractCollector):
    """Collect the Boost catalogue of the releases `version` selects."""

    def __init__(self, *, version: str, http: HttpOptions, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.version = version
        self.http = http

    @property
    def name(self) -> str:
        return "boost_library_tracker"

    def validate_config(self) -> None:
        check_version_choice(self.version)

    def collect(self) -> None:
        with self.http.github_client(counters=self.counters) as client:
            fetcher = BoostCatalogueFetcher(client)
            tags = list(fetcher.versions())
            official = fetcher.release_dates()
            # A release collected on its tag day gets its announcement date later.
            self.count(UPDATED, services.refresh_version_dates(dates=official))
            chosen = select_versions(
                tags, wanted=self.version, stored=selectors.stored_version_names()
            )
            if not chosen:
                self.write(f"{self.name}: no new Boost release to collect")
            for version in chosen:
                dated = replace(
                    version, released_at=official.get(version.name, version.released_at)
                )
                self._collect_version(fetcher, dated)

    def _collect_version(self, fetcher: BoostCatalogueFetcher, version: VersionItem) -> None:
        submodules = [s for s in fetcher.submodules(ref=version.name) if s.is_library]
        pairs = list(fetcher.library_metas(ref=version.name, submodules=submodules))
        libraries, metas = _unique_by_key(pairs, ref=version.name)
        self.count(FETCHED, len(metas))
        with transaction.atomic():
            written = services.upsert_versions(items=[version])
            written += services.upsert_libraries(items=libraries)
            detail = services.upsert_library_versions(version=version.name, items=metas)
        created = written.created + detail.library_versions.created
        updated = written.updated + detail.library_versions.updated
        self.count(CREATED, created)
        self.count(UPDATED, updated)
        logger.info(
            "%s: %s libraries from %s of %s repositories",
            version.name,
            len(metas),
            len(pairs),
            len(submodules),
            extra={"collector": self.name, "collector_phase": "run"},
        )
        self.write(
            f"{version.name}: {len(metas)} libraries from {len(pairs)} of {len(submodules)} "
            f"repositories ({detail.rows_written + written.created + written.updated} rows written)"
        )
