"""The recorded responses the daily schedule asks for, on a loopback server.

The same routes the end-to-end test of the github group serves: the Boost 1.86.0
catalogue (tags, boost.org's release list, `.gitmodules`, every recorded
`libraries.json`) and boostorg/website-v2's activity. See each app's
`tests/fixtures/PROVENANCE.md` for what was recorded and what was written by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from boost_library_tracker.testing import github_routes as catalogue_routes
from core.testing.fixture_server import FixtureServer, point_github_at
from github_activity_tracker.testing import github_routes as activity_routes

# Sent to the replay only: the user's own tokens never are (config.demo_settings).
DEMO_TOKEN = "demo-token-for-recorded-responses"
RELEASE = "boost-1.86.0"
REPOSITORIES = [activity_routes.REPO]


@contextmanager
def recorded_github() -> Iterator[FixtureServer]:
    """Serve the recordings on 127.0.0.1 and point the GitHub settings at them."""
    server = FixtureServer()
    catalogue_routes.add_gitmodules(server, RELEASE)
    catalogue_routes.add_release_list(server)
    catalogue_routes.queue_new_release_batch(server)
    # The reporting group's run_on_release_sync collects the new release again.
    tags = json.loads(catalogue_routes.TAGS.read_text(encoding="utf-8"))
    for answer in [tags, *catalogue_routes.libraries_answers()]:
        server.add("POST", "/graphql", headers=catalogue_routes.JSON_HEADERS, body=answer)
    activity_routes.add_repository(server, overlap_days=settings.GITHUB_ACTIVITY_OVERLAP_DAYS)
    server.start()
    try:
        point_github_at(settings, server, token=DEMO_TOKEN, workspace=Path(settings.WORKSPACE_DIR))
        settings.GITHUB_ACTIVITY_REPOS = REPOSITORIES
        yield server
    finally:
        server.stop()
