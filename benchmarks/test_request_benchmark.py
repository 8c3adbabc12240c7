"""Requests a first full run and an unchanged re-run cost, over recorded repositories.

Against the loopback fixture server serving the collectors' test recordings: the
catalogue (boost-1.86.0: tags, .gitmodules, libraries.json batches) and the
activity of boostorg/website-v2 plus a deleted repository. The second and third
activity runs are unchanged ones: every request but the deleted repository's 404 is
answered 304 (the first run's settling pass already asked the windowed list URLs).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from boost_library_tracker.testing import github_routes as catalogue
from core.models import CollectorRun
from github_activity_tracker.testing import github_routes as activity

pytestmark = pytest.mark.django_db


def _run(command: str, *args: str) -> dict[str, int]:
    call_command(command, *args, stdout=StringIO())
    return CollectorRun.objects.order_by("-id")[0].counters


def _line(label: str, counters: dict[str, int]) -> str:
    return (
        f"{label}: {counters.get('api_requests', 0)} requests "
        f"({counters.get('not_modified', 0)} answered 304)"
    )


def test_requests_of_full_and_unchanged_runs(
    settings, fixture_server, tmp_path, request_lines
) -> None:
    settings.GITHUB_API_URL = fixture_server.base_url
    settings.GITHUB_TOKENS = ["ghp_" + "B3nch000" * 5]
    settings.WORKSPACE_DIR = str(tmp_path)
    catalogue.add_gitmodules(fixture_server, "boost-1.86.0")
    catalogue.add_release_list(fixture_server)
    activity.add_repository(fixture_server)
    repos = ["--repo", activity.REPO, "--repo", "boostorg/deleted-example"]

    catalogue.queue_catalogue_run(fixture_server)
    request_lines.append(
        _line(
            "catalogue boost-1.86.0, first run",
            _run("run_boost_library_tracker", "--version", "boost-1.86.0"),
        )
    )
    catalogue.queue_catalogue_run(fixture_server)
    request_lines.append(
        _line(
            "catalogue boost-1.86.0, unchanged re-run",
            _run("run_boost_library_tracker", "--version", "boost-1.86.0"),
        )
    )
    request_lines.append(
        _line("activity, first full run", _run("run_github_activity_tracker", *repos))
    )
    request_lines.append(
        _line("activity, unchanged second run", _run("run_github_activity_tracker", *repos))
    )
    third = _run("run_github_activity_tracker", *repos)
    request_lines.append(_line("activity, unchanged third run", third))
    assert third.get("created", 0) == 0
