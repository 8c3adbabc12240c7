"""Requests a first full run and an unchanged re-run cost, over recorded repositories.

Against the loopback fixture server serving the collectors' test recordings: the
catalogue (boost-1.86.0: tags, .gitmodules, libraries.json batches) and the
activity of boostorg/website-v2 plus a deleted repository. The second and third
activity runs are unchanged ones: every request but the deleted repository's 404 is
answered 304 (the first run's settling pass already asked the windowed list URLs).
"""

from __future__ import annotations

from functools import partial
from io import StringIO

import pytest
from django.core.management import call_command

from boost_library_tracker.testing import github_routes as catalogue
from core.models import CollectorRun
from github_activity_tracker import budget
from github_activity_tracker.testing import github_routes as activity
from github_activity_tracker.testing import synthetic
from github_activity_tracker.tests.snapshots import natural_keys, wipe

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


SYNTHETIC = "boostorg/synthetic"
MODEL_COMMITS, MODEL_ISSUES, MODEL_PULLS = 50_000, 5_000, 5_000
# The issue's measurements of the REST path and the reference, for the same model.
REFERENCE_MODEL_REQUESTS = 75_600


def _commit_requests(server, since: int) -> int:
    """Requests of the commit stream (list pages and details) after the first `since`."""
    return sum(
        1 for r in server.requests[since:] if r.target.startswith(f"/repos/{SYNTHETIC}/commits")
    )


def _synthetic_run(server, pulls_from: str, settings) -> tuple[dict[str, int], int]:
    settings.GITHUB_ACTIVITY_PULLS_FROM = pulls_from
    before = len(server.requests)
    counters = _run("run_github_activity_tracker", "--repo", SYNTHETIC)
    return counters, _commit_requests(server, before)


def test_requests_and_points_of_a_synthetic_repository(
    settings, fixture_server, tmp_path, request_lines
) -> None:
    """First full run of 1,000 commits, 600 issues, 400 pull requests, by bucket.

    Commits are read through the API here (the loopback server has no git mirror):
    their requests are reported apart, since the git path costs none of them.
    """
    settings.GITHUB_API_URL = fixture_server.base_url
    settings.GITHUB_TOKENS = ["ghp_" + "B3nch001" * 5]
    settings.WORKSPACE_DIR = str(tmp_path)
    if hasattr(settings, "GITHUB_ACTIVITY_COMMITS_FROM"):
        settings.GITHUB_ACTIVITY_COMMITS_FROM = "api"
    sizes = synthetic.add_synthetic_repository(
        fixture_server, SYNTHETIC, commits=1000, issues=600, pulls=400
    )

    rest, rest_commits = _synthetic_run(fixture_server, "rest", settings)
    stored_by_rest = natural_keys()
    wipe()
    graphql, commits = _synthetic_run(fixture_server, "graphql", settings)
    assert natural_keys() == stored_by_rest
    second, _ = _synthetic_run(fixture_server, "graphql", settings)

    points = graphql.get("graphql_points", 0)
    without_commits = graphql["core_requests"] - commits + points
    request_lines.append(
        f"synthetic 1,000 commits/600 issues/400 PRs, first run, REST pull requests: "
        f"{rest['api_requests']} requests ({rest_commits} of them commits via the API)"
    )
    request_lines.append(
        f"synthetic, first run, GraphQL pull requests: {graphql['core_requests']} core requests "
        f"({commits} commits via the API) + {points} GraphQL points; without the commit "
        f"requests (the git path): {without_commits} requests and points (target <= 100)"
    )
    model = budget.estimate(
        commits=1000, issues=600, pulls=400,
        comments=sizes["comments"], review_comments=sizes["review_comments"],
    )  # fmt: skip
    request_lines.append(
        f"synthetic, the model's estimate: {model.core} core requests + {model.graphql} points"
    )
    request_lines.append(
        f"synthetic, unchanged second run: {second['api_requests']} requests "
        f"({second.get('not_modified', 0)} answered 304), "
        f"{second.get('graphql_points', 0)} GraphQL points"
    )
    model = partial(budget.estimate, commits=MODEL_COMMITS, issues=MODEL_ISSUES, pulls=MODEL_PULLS)
    today, api, git = model(pulls_from="rest"), model(), model(commits_from="git")
    request_lines.append(
        f"model 50,000 commits/5,000 issues/5,000 PRs, first run: REST path {today.total}, "
        f"GraphQL pull requests {api.total} ({api.commit_requests} commits via the API), "
        f"GraphQL + git commits {git.total} requests and points (target <= 1,500; "
        f"reference ~{REFERENCE_MODEL_REQUESTS:,})"
    )
    assert second.get("graphql_points", 0) == 0
    assert second["api_requests"] == second.get("not_modified", 0)
