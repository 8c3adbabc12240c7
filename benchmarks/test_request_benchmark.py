"""Requests a first full run and an unchanged re-run cost, over recorded repositories.

Against the loopback fixture server serving the collectors' test recordings: the
catalogue (boost-1.86.0: tags, .gitmodules, libraries.json batches) and the
activity of boostorg/website-v2 plus a deleted repository. The second and third
activity runs are unchanged ones: every request but the deleted repository's 404 is
answered 304 (the first run's settling pass already asked the windowed list URLs).
"""

from __future__ import annotations

import shutil
from functools import partial
from io import StringIO

import pytest
from django.core.management import call_command

from boost_library_tracker.testing import github_routes as catalogue
from core.models import CollectorRun
from core.testing.fixture_server import point_github_at
from github_activity_tracker import budget
from github_activity_tracker.models import Commit, FileChange
from github_activity_tracker.testing import github_routes as activity
from github_activity_tracker.testing import synthetic
from github_activity_tracker.testing.git_server import GitHttpServer
from github_activity_tracker.tests.snapshots import KEYS, wipe

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
    # The recordings serve commits through the REST API (no git repository of them).
    point_github_at(settings, fixture_server, token="ghp_" + "B3nch000" * 5, workspace=tmp_path)
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
TODAY_SYNTHETIC_REQUESTS = 1_865  # the issue's measurement before the git and GraphQL paths
TARGET_SYNTHETIC, TARGET_MODEL = 100, 1_500
SYNTHETIC_TOKEN = "ghp_" + "B3nch001" * 5


def stored_rows() -> dict[str, list]:
    """Every row of the activity tables, field by field, parents by their natural keys.

    Each table gives its own columns (but the surrogate id and the times our rows
    were written or a profile read) and, for each foreign key to a table of `KEYS`,
    that table's key; each many-to-many relation (labels, assignees) its pairs of keys.
    """
    rows = {}
    for model, keys in KEYS.items():
        fields = list(keys)
        for field in model._meta.concrete_fields:
            if field.primary_key or getattr(field, "auto_now", False):
                continue
            if field.name == "profile_read_at":
                continue
            if getattr(field, "auto_now_add", False):
                continue
            if not field.is_relation:
                fields.append(field.name)
            elif field.related_model in KEYS:
                fields += [f"{field.name}__{k}" for k in KEYS[field.related_model]]
        unique = list(dict.fromkeys(fields))
        rows[model.__name__] = sorted(model.objects.values_list(*unique), key=repr)
        for relation in model._meta.many_to_many:
            other = [f"{relation.name}__{k}" for k in KEYS[relation.related_model]]
            pairs = model.objects.filter(**{f"{relation.name}__isnull": False})
            rows[f"{model.__name__}.{relation.name}"] = sorted(
                pairs.values_list(*keys, *other), key=repr
            )
    return rows


def _buckets(counters: dict[str, int]) -> str:
    core, points = counters.get("core_requests", 0), counters.get("graphql_points", 0)
    search = counters.get("search_requests", 0)
    return (
        f"{core} core REST + {points} GraphQL points + {search} search = {core + points + search}"
    )


def _spent(counters: dict[str, int]) -> int:
    return sum(counters.get(k, 0) for k in ("core_requests", "graphql_points", "search_requests"))


def _commit_requests(server, since: int) -> int:
    """Requests of the commit stream (list pages and details) after the first `since`."""
    return sum(
        1 for r in server.requests[since:] if r.target.startswith(f"/repos/{SYNTHETIC}/commits")
    )


def _synthetic_run(server, settings, *, commits_from: str, pulls_from: str):
    settings.GITHUB_ACTIVITY_COMMITS_FROM = commits_from
    settings.GITHUB_ACTIVITY_PULLS_FROM = pulls_from
    before = len(server.requests)
    counters = _run("run_github_activity_tracker", "--repo", SYNTHETIC)
    return counters, _commit_requests(server, before)


def test_requests_and_points_of_a_synthetic_repository(
    settings, fixture_server, tmp_path, request_lines
) -> None:
    """First full run of 1,000 commits, 600 issues, 400 pull requests, by bucket.

    The history is a real git repository served by the loopback git server; the API
    answers for its commits are derived from it (`testing/synthetic.py`). The same
    history is collected three ways on fresh databases: all through the REST API
    (today's path), REST commits with GraphQL pull requests, and commits from git
    with GraphQL pull requests; all three store the same rows.
    """
    point_github_at(settings, fixture_server, token=SYNTHETIC_TOKEN, workspace=tmp_path / "ws")
    remotes = tmp_path / "remotes"
    sizes = synthetic.add_synthetic_repository(
        fixture_server, SYNTHETIC, commits=1000, issues=600, pulls=400, remotes=remotes
    )

    with GitHttpServer(remotes, token=SYNTHETIC_TOKEN) as git_server:
        settings.GITHUB_GIT_URL = git_server.base_url
        rest, rest_commits = _synthetic_run(
            fixture_server, settings, commits_from="api", pulls_from="rest"
        )
        stored_by_rest = stored_rows()
        wipe()
        graphql, api_commits = _synthetic_run(
            fixture_server, settings, commits_from="api", pulls_from="graphql"
        )
        assert stored_rows() == stored_by_rest
        wipe()
        shutil.rmtree(tmp_path / "ws", ignore_errors=True)  # no mirror yet: a clone
        git, git_commits = _synthetic_run(
            fixture_server, settings, commits_from="git", pulls_from="graphql"
        )
        assert stored_rows() == stored_by_rest
        second, _ = _synthetic_run(
            fixture_server, settings, commits_from="git", pulls_from="graphql"
        )
        git_http = len(git_server.authorized)

    assert Commit.objects.count() == 1000
    assert FileChange.objects.count() == 1000
    assert Commit.objects.filter(author_account__login="daveoconnor").count() == 1000
    request_lines.append(
        f"synthetic 1,000 commits/600 issues/400 PRs, first run, all REST (today's path): "
        f"{_buckets(rest)} ({rest_commits} of them commits via the API)"
    )
    request_lines.append(
        f"synthetic, first run, REST commits + GraphQL pull requests: {_buckets(graphql)} "
        f"({api_commits} of them commits via the API)"
    )
    request_lines.append(
        f"synthetic, first run, commits from git + GraphQL pull requests: {_buckets(git)} "
        f"({git_commits} of them the commit list linking authors to accounts; "
        f"{git_http} HTTP requests to the loopback git server, clone and fetch) - "
        f"target <= {TARGET_SYNTHETIC}, "
        f"issue's today {TODAY_SYNTHETIC_REQUESTS:,}; same rows as the all-REST run"
    )
    model = budget.estimate(
        commits=1000, issues=600, pulls=400,
        comments=sizes["comments"], review_comments=sizes["review_comments"],
        commits_from="git",
    )  # fmt: skip
    request_lines.append(
        f"synthetic, the model's estimate of the git + GraphQL run: {model.core} core requests "
        f"+ {model.graphql} points"
    )
    request_lines.append(
        f"synthetic, unchanged second run (git + GraphQL): {second['api_requests']} requests "
        f"({second.get('not_modified', 0)} answered 304), "
        f"{second.get('graphql_points', 0)} GraphQL points"
    )
    model = partial(budget.estimate, commits=MODEL_COMMITS, issues=MODEL_ISSUES, pulls=MODEL_PULLS)
    today, api, via_git = model(pulls_from="rest"), model(), model(commits_from="git")
    request_lines.append(
        f"model 50,000 commits/5,000 issues/5,000 PRs, first run: REST path {today.total}, "
        f"GraphQL pull requests {api.total} ({api.commit_requests} commits via the API), "
        f"GraphQL + git commits {via_git.total} requests and points (target <= "
        f"{TARGET_MODEL:,}; reference ~{REFERENCE_MODEL_REQUESTS:,})"
    )
    assert _spent(git) <= TARGET_SYNTHETIC
    assert git_commits == 10  # the commit list, 100 a page; no commit detail
    assert second.get("graphql_points", 0) == 0
    assert second["api_requests"] == second.get("not_modified", 0)
