"""Bad items never block a stream: NUL in text, malformed items, items the database refuses."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from core.models import CollectorRun
from core.testing.fixture_server import point_github_at
from github_activity_tracker.models import Commit, Issue, Repository
from github_activity_tracker.tests import github_routes as routes

pytestmark = pytest.mark.django_db

TOKEN = "ghp_" + "Cafe5678" * 5
QUIET = "boostorg/quiet"


@pytest.fixture
def github(settings, fixture_server, tmp_path):
    point_github_at(settings, fixture_server, token=TOKEN, workspace=tmp_path / "workspace")
    settings.GITHUB_ACTIVITY_REPOS = [routes.REPO, QUIET]
    settings.HTTP_MAX_ATTEMPTS = 2
    routes.add_quiet_repository(fixture_server, QUIET, github_id=78)
    return fixture_server


def run(*args: str) -> tuple[CollectorRun, str]:
    out = StringIO()
    call_command("run_github_activity_tracker", *args, stdout=out)
    return CollectorRun.objects.order_by("-id")[0], out.getvalue()


def with_body(issue: dict, body: str) -> dict:
    return {**issue, "body": body}


def test_a_nul_in_an_issue_body_is_stored_without_it_and_later_repositories_are_collected(
    github,
) -> None:
    first, middle, last = routes.issues()
    routes.add_repository(github, issue_list=[first, with_body(middle, "a\u0000b"), last])

    row, _ = run()

    assert row.status == "succeeded"
    assert Issue.objects.get(github_id=middle["id"]).body == "ab"
    assert Issue.objects.count() == 3
    assert Repository.objects.filter(full_name=QUIET).exists()
    assert Commit.objects.filter(sha=routes.SHA_QUIET).exists()
