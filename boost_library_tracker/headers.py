"""The header map: which library owns each `boost/...` header at a release.

Each library repository's `include/` tree at the release tag is read (one trees
request per repository) and every header is given to one of the libraries that
repository holds at that release. A repository with one library gives it all its
headers. A repository with several (`algorithm` and `algorithm/minmax`, `functional`
and `functional/factory`) gives a header to the library with the longest key that the
path names: `boost/<key>.hpp` (the library's umbrella header), `boost/<key>/...`, or
for a nested key its last part at the top (`boost/call_traits.hpp` for
`utility/call_traits`);
a header no key names goes to the library keyed like the repository. Nested libraries
in repositories of their own (`numeric_conversion` holds `numeric/conversion`) need no
rule: the tree says where each file lives. A header no rule places is logged and left
out, never guessed.

The catalogue collector maps the headers of every release it stores;
`BoostHeaderCollector` (the `backfill_boost_library_headers` command) maps stored
releases that have no map yet, or again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.management.base import CommandError

from boost_library_tracker import selectors, services
from boost_library_tracker.fetchers import BoostCatalogueFetcher
from boost_library_tracker.items import HeaderItem
from boost_library_tracker.parsers import parse_version_tag
from core.bulk import UpsertCounts
from core.collectors import AbstractCollector
from core.http import HttpOptions
from core.runs import CREATED, FETCHED, UPDATED

logger = logging.getLogger(__name__)

MISSING = "missing"
ALL = "all"


def owner_of(path: str, *, repo_name: str, keys: Sequence[str]) -> str | None:
    """The key of the library that owns header `path` among a repository's `keys`."""
    relative = path.removeprefix("boost/")
    stem = relative.rsplit(".", 1)[0]
    named = [
        k
        for k in keys
        if stem == k
        or relative.startswith(f"{k}/")
        # A nested library's top-level header: `boost/call_traits.hpp` for utility/call_traits.
        or ("/" in k and stem == k.rpartition("/")[2])
    ]
    if named:
        return max(named, key=len)
    if len(keys) == 1:
        return keys[0]
    return repo_name if repo_name in keys else None


@dataclass(frozen=True)
class HeaderCounts:
    """What mapping one release's headers read and wrote."""

    repositories: int
    headers: int
    written: UpsertCounts


def map_release_headers(
    fetcher: BoostCatalogueFetcher,
    *,
    version: str,
    libraries_by_repo: Mapping[str, Sequence[str]],
    collector: str,
) -> HeaderCounts:
    """Read the header trees of a release's repositories and store the map in one write.

    A header found in two repositories stays with the first (sorted by name), with a
    WARNING: one header, one owner per release.
    """
    items: dict[str, HeaderItem] = {}
    read = 0
    for repo_name in sorted(libraries_by_repo):
        keys = sorted(libraries_by_repo[repo_name])
        paths = fetcher.header_paths(ref=version, repo_name=repo_name)
        if paths is None:
            continue
        read += 1
        for path in paths:
            key = owner_of(path, repo_name=repo_name, keys=keys)
            if key is None:
                logger.warning(
                    "%s at %s: no library of %s (%s) owns it; left out",
                    path,
                    version,
                    repo_name,
                    ", ".join(keys),
                    extra={"collector": collector, "repo": repo_name},
                )
                continue
            if path in items:
                logger.warning(
                    "%s at %s is in %s too; it stays with %s",
                    path,
                    version,
                    repo_name,
                    items[path].library_key,
                    extra={"collector": collector, "repo": repo_name},
                )
                continue
            items[path] = HeaderItem(path=path, library_key=key)
    written = services.upsert_library_headers(version=version, items=list(items.values()))
    return HeaderCounts(repositories=read, headers=len(items), written=written)


def check_header_version_choice(value: str) -> str:
    """Return `missing`, `all` or a stable tag; anything else is a one-line CommandError."""
    if value in (MISSING, ALL) or parse_version_tag(value) is not None:
        return value
    raise CommandError(
        f"--version {value!r} is not valid; use missing, all or a stable tag such as boost-1.86.0"
    )


class BoostHeaderCollector(AbstractCollector):
    """Map the headers of stored releases: those without a map, all, or one."""

    def __init__(self, *, version: str, http: HttpOptions, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.version = version
        self.http = http

    @property
    def name(self) -> str:
        return "boost_library_headers"

    def validate_config(self) -> None:
        check_header_version_choice(self.version)

    def _chosen(self) -> list[str]:
        stored = selectors.stored_version_names_in_order()
        if self.version == ALL:
            return stored
        if self.version == MISSING:
            mapped = selectors.header_mapped_version_names()
            return [name for name in stored if name not in mapped]
        if self.version not in stored:
            raise CommandError(
                f"--version {self.version}: that release's catalogue is not stored; "
                f"run run_boost_library_tracker --version {self.version} first"
            )
        return [self.version]

    def collect(self) -> None:
        chosen = self._chosen()
        if not chosen:
            self.write(f"{self.name}: every stored release has its header map")
            return
        with self.http.github_client(counters=self.counters) as client:
            fetcher = BoostCatalogueFetcher(client)
            for version in self.progress.scopes(chosen, total=len(chosen), noun="release"):
                counts = map_release_headers(
                    fetcher,
                    version=version,
                    libraries_by_repo=selectors.library_keys_by_repo(version=version),
                    collector=self.name,
                )
                self.count(FETCHED, counts.headers)
                self.count(CREATED, counts.written.created)
                self.count(UPDATED, counts.written.updated)
                self.write(
                    f"{version}: {counts.headers} headers from {counts.repositories} repositories"
                )
