"""The `github` fixture: the loopback server serving one repository, with the settings
pointed at it, and `run()`. The recordings are read by `github_activity_tracker.testing`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from core.models import CollectorRun
from core.testing.fixture_server import point_github_at
from github_activity_tracker.testing import github_routes as routes

TOKEN = "ghp_" + "Beef1234" * 5


@pytest.fixture
def github(settings, fixture_server, tmp_path):
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
