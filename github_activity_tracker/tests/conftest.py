"""The `github` fixture: the loopback server serving one repository, with the settings
pointed at it; `child_env`, the same settings for a child process; and `run()`.
The recordings are read by `github_activity_tracker.testing`."""

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


@pytest.fixture
def child_env(github, tmp_path) -> dict[str, str]:
    """The `github` fixture's settings as a child process's environment (see
    core.testing.manage), with short timeouts and only warnings logged."""
    return {
        "GITHUB_API_URL": github.base_url,
        "GITHUB_TOKENS": TOKEN,
        "GITHUB_TOKEN": "",
        "GITHUB_ACTIVITY_REPOS": routes.REPO,
        "WORKSPACE_DIR": str(tmp_path / "workspace"),
        "HTTP_BACKOFF_BASE_SECONDS": "0",
        "HTTP_BACKOFF_MAX_SECONDS": "0",
        "HTTP_MAX_ATTEMPTS": "2",
        "HTTP_TIMEOUT_SECONDS": "1",
        "GITHUB_MAX_RATE_LIMIT_WAIT": "5",
        "LOG_LEVEL": "warning",
        "GITHUB_ACTIVITY_COMMITS_FROM": "api",
    }


def run(*args: str) -> tuple[CollectorRun, str]:
    """Run the command as an operator would; return its ledger row and its stdout."""
    out = StringIO()
    call_command("run_github_activity_tracker", *args, stdout=out)
    return CollectorRun.objects.order_by("-id")[0], out.getvalue()
