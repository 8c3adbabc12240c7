"""The release detector the runner asks before on_release tasks: a new stable Boost tag.

A stable `boost-X.Y.Z` tag of boostorg/boost newer than every release already in the
catalogue is a new release. Reading the tags is one or two GraphQL requests; the
catalogue collector (`--version new`) then stores that release, so the next check
finds nothing new until the next tag.
"""

from __future__ import annotations

from boost_library_tracker import selectors
from boost_library_tracker.collectors import NEW, select_versions
from boost_library_tracker.fetchers import BoostCatalogueFetcher
from core.http import HttpOptions


def detect_new_boost_release() -> str | None:
    """Return the newest stable tag not yet in the catalogue (e.g. `boost-1.90.0`), or None."""
    with HttpOptions().github_client() as client:
        tags = list(BoostCatalogueFetcher(client).versions())
    new = select_versions(tags, wanted=NEW, stored=selectors.stored_version_names())
    return new[-1].name if new else None
