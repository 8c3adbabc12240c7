"""`BoostLibraryCollector`: the Boost catalogue for one, all or the new releases.

Each run reads the stable tags and boost.org's release list: a version's date is the
list's official date when it has one, else its tag commit's, and stored versions get
the list's date when it appears later. Per release, in this order: read the
superproject's `.gitmodules` at the release tag,
then the `libraries.json` of every library submodule (GraphQL, many per request), then
store the version, the libraries and the library versions with their categories and
people in ONE transaction. The version row is written last in spirit: it exists only
when its catalogue does, so "stored versions" is exactly "releases already collected",
which is what `--version new` and the release detector rely on. A `libraries.json`
that cannot be parsed or stored does not hold its release back: it is quarantined, and
every later run parses the kept file again (the release is not collected twice).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from boost_library_tracker import selectors, services
from boost_library_tracker.fetchers import (
    BoostCatalogueFetcher,
    LibrariesOfRepo,
    parse_libraries_payload,
)
from boost_library_tracker.headers import map_release_headers
from boost_library_tracker.items import VersionItem
from boost_library_tracker.parsers import library_items, parse_version_tag
from core.bad_items import ParsedPage, parse_each
from core.collectors import AbstractCollector
from core.http import HttpOptions
from core.quarantine import QUARANTINED, RELEASED, StoredPage, retry_quarantined, store_page
from core.runs import CREATED, FETCHED, UPDATED
from core.selectors import count_quarantined

logger = logging.getLogger(__name__)

ALL = "all"
NEW = "new"
LIBRARIES = "libraries.json"  # the quarantine scope of files that could not be read


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


def _first_of_each_key(pairs: Sequence[LibrariesOfRepo], *, ref: str) -> None:
    """Drop, in place, a library whose key an earlier repository of the release already has."""
    seen: set[str] = set()
    for submodule, metas in pairs:
        for meta in list(metas):
            if meta.key in seen:
                logger.warning(
                    "library key %s appears again in %s at %s; the first one is kept",
                    meta.key,
                    submodule.repo_name,
                    ref,
                )
                metas.remove(meta)
            seen.add(meta.key)


def _store_libraries(version: str, pairs: Sequence[LibrariesOfRepo]) -> tuple[Any, Any]:
    """Store repositories' libraries at `version`: the libraries, then their version rows."""
    libraries = [lib for submodule, metas in pairs for lib in library_items(submodule, metas)]
    metas = [meta for _, found in pairs for meta in found]
    written = services.upsert_libraries(items=libraries)
    return written, services.upsert_library_versions(version=version, items=metas)


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
        started = timezone.now()
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
        # A release is collected once, so a kept file is tried again here, on any run.
        retry_quarantined(
            collector=self.name,
            scope=LIBRARIES,
            before=started,
            attempt=lambda payload, url: self._store_kept(payload, url),
        )
        kept = count_quarantined(collector=self.name, since=started)
        if kept:
            self.count(QUARANTINED, kept)

    def _store_kept(self, payload: Any, url: str) -> None:
        """Parse and store a kept `libraries.json` with today's parser (its release is stored)."""
        page = parse_each([payload], parse_libraries_payload, url=url)
        with transaction.atomic():
            stored = self._store_page(payload.get("ref", ""), page)
        self._count_written(stored.results)

    def _store_page(self, version: str, page: ParsedPage[LibrariesOfRepo]) -> StoredPage:
        stored = store_page(
            collector=self.name,
            scope=LIBRARIES,
            page=page,
            store=partial(_store_libraries, version),
            key=lambda pair: f"{pair[0].repo_name}@{version}",
        )
        if stored.released:
            self.count(RELEASED, stored.released)
        return stored

    def _count_written(self, results: Sequence[tuple[Any, Any]]) -> int:
        """Count what `_store_libraries` calls wrote; return the rows written."""
        rows = 0
        for written, detail in results:
            self.count(CREATED, written.created + detail.library_versions.created)
            self.count(UPDATED, written.updated + detail.library_versions.updated)
            rows += written.created + written.updated + detail.rows_written
        return rows

    def _collect_version(self, fetcher: BoostCatalogueFetcher, version: VersionItem) -> None:
        submodules = [s for s in fetcher.submodules(ref=version.name) if s.is_library]
        page = ParsedPage.join(fetcher.library_metas(ref=version.name, submodules=submodules))
        _first_of_each_key(page.items, ref=version.name)
        metas = [meta for _, found in page.items for meta in found]
        self.count(FETCHED, len(metas))
        with transaction.atomic():
            written = services.upsert_versions(items=[version])
            stored = self._store_page(version.name, page)
        self.count(CREATED, written.created)
        self.count(UPDATED, written.updated)
        rows = self._count_written(stored.results) + written.created + written.updated
        pairs = page.items
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
            f"repositories ({rows} rows written)"
        )
        # After the catalogue's transaction: a failure here keeps the release, and
        # `backfill_boost_library_headers` (default --version missing) maps it later.
        headers = map_release_headers(
            fetcher,
            version=version.name,
            libraries_by_repo=selectors.library_keys_by_repo(version=version.name),
            collector=self.name,
        )
        self.count(CREATED, headers.written.created)
        self.count(UPDATED, headers.written.updated)
        self.write(
            f"{version.name}: {headers.headers} headers mapped from "
            f"{headers.repositories} repositories"
        )
