"""Recorded GitHub payloads, read from this app's copied fixtures, and the `github`
fixture: the loopback server serving one repository, with the settings pointed at it."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from core.models import CollectorRun
from core.testing.fixture_server import point_github_at

FIXTURES = Path(__file__).parent / "fixtures"
WEBSITE = FIXTURES / "boostorg-website-v2-contributions"
OCTOKIT = FIXTURES / "octokit-fixtures"


def recorded(relative: str) -> Any:
    """A boostorg/website-v2 recording, e.g. `website-v2_issue-1188/issue_rest.json`."""
    return json.loads((WEBSITE / relative).read_text(encoding="utf-8"))


def octokit_responses(scenario: str, method: str, path_start: str) -> list[Any]:
    """The response bodies of one octokit scenario's requests matching method and path."""
    exchanges = json.loads((OCTOKIT / scenario / "raw-fixture.json").read_text(encoding="utf-8"))
    return [
        e["response"]
        for e in exchanges
        if e["method"] == method and e["path"].startswith(path_start)
    ]


TOKEN = "ghp_" + "Beef1234" * 5


@pytest.fixture
def github(settings, fixture_server, tmp_path):
    # Imported here: github_routes reads the recordings through this module.
    from github_activity_tracker.tests import github_routes as routes

    point_github_at(settings, fixture_server, token=TOKEN, workspace=tmp_path / "workspace")
    settings.GITHUB_ACTIVITY_REPOS = [routes.REPO]
    settings.HTTP_MAX_ATTEMPTS = 2
    routes.add_repository(fixture_server)
    return fixture_server


def run(*args: str) -> tuple[CollectorRun, str]:
    """Run the command as an operator would; return its ledger row and its stdout."""
    out = StringIO()
    call_command("run_github_activity_tracker", *args, stdout=out)
    return CollectorRun.objects.order_by("-id")[0], out.getvalue()
