"""The live progress display: drawn for a person at a terminal, never into pipes.

The collector runs in a child process whose stdout is a pseudo-terminal (what a
person's shell gives it) or a pipe (cron, Celery, CI); the source is the loopback
fixture server.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.testing.manage import CHILD_TIMEOUT, ROOT, manage_env, run_on_terminal
from github_activity_tracker.testing import github_routes as routes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def budget_reported(github) -> None:
    """GitHub reports the budget on every answer; one route is enough to show it."""
    github.clear("GET", routes.BASE)
    github.add(
        "GET",
        routes.BASE,
        headers={"content-type": "application/json", "x-ratelimit-remaining": "4321"},
        body=routes.repository(),
    )


def run_on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """Run the collector with a pseudo-terminal as stdout; return what it drew."""
    return run_on_terminal("run_github_activity_tracker", *args, env=env)


def test_a_terminal_sees_the_repository_stream_and_requests_left(
    child_env, budget_reported
) -> None:
    drawn = run_on_a_terminal(env=child_env)
    assert f"repository {routes.REPO}" in drawn
    assert "4321 requests left" in drawn
    assert "github_activity_tracker: succeeded in" in drawn


def test_no_progress_and_pipes_keep_the_plain_summary_line(child_env) -> None:
    drawn = run_on_a_terminal("--no-progress", env=child_env)
    assert "repository" not in drawn
    piped = subprocess.run(
        [sys.executable, "manage.py", "run_github_activity_tracker"],
        cwd=ROOT,
        env=manage_env(**child_env),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    [line] = piped.stdout.splitlines()
    assert line.startswith("github_activity_tracker: succeeded in")
    assert "\x1b" not in piped.stdout
