"""Pull requests, merge data and reviews through GraphQL, against the loopback server.

The scenario (`testing/pull_scenarios.py`) serves the same pull requests over REST
and GraphQL: merged, closed unmerged, open (a draft), one with seven reviews (more
than a page of three), one whose author, merger and reviewer were deleted (`null`).
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.models import Checkpoint, CollectorRun, QuarantinedItem
from core.testing import fixture_server as faults
from cppa_user_tracker.models import GitHubAccount
from github_activity_tracker.models import PullRequest, Review
from github_activity_tracker.testing import github_routes as routes
from github_activity_tracker.testing import pull_scenarios
from github_activity_tracker.tests.conftest import run

pytestmark = pytest.mark.django_db

KEY = f"{routes.REPO}:pull_requests"


def rows() -> dict[str, list]:
    """The pull request, review and account rows, by GitHub id, every stored field."""
    pulls = PullRequest.objects.values_list(
        "github_id", "issue__number", "draft", "head_ref", "base_ref", "merged", "merged_at",
        "merge_commit_sha", "merged_by__github_id",
    )  # fmt: skip
    reviews = Review.objects.values_list(
        "github_id", "issue__number", "author__github_id", "state", "body", "commit_sha",
        "submitted_at",
    )  # fmt: skip
    accounts = GitHubAccount.objects.values_list(
        "github_id", "login", "name", "account_type", "avatar_url"
    )
    return {"pulls": sorted(pulls), "reviews": sorted(reviews), "accounts": sorted(accounts)}


def page_queries(fake) -> list[dict]:
    return [q["variables"] for q in fake.queries if "query PullRequestPage" in q["query"]]


def review_queries(fake) -> list[dict]:
    return [q["variables"] for q in fake.queries if "query PullRequestReviews" in q["query"]]


@pytest.fixture
def scenario(github, settings):
    settings.GITHUB_ACTIVITY_GRAPHQL_PAGE = 2
    settings.GITHUB_ACTIVITY_GRAPHQL_REVIEWS = 3
    pulls = pull_scenarios.scenario()
    return pull_scenarios.serve(github, pulls)


def test_graphql_stores_the_same_rows_as_the_rest_path(scenario, settings) -> None:
    settings.GITHUB_ACTIVITY_PULLS_FROM = "rest"
    run()
    by_rest = rows()
    assert (len(by_rest["pulls"]), len(by_rest["reviews"])) == (7, 12)
    PullRequest.objects.all().delete()
    Review.objects.all().delete()
    GitHubAccount.objects.all().delete()

    settings.GITHUB_ACTIVITY_PULLS_FROM = "graphql"
    ledger, out = run("--full")

    assert rows() == by_rest
    # 7 pull requests in pages of 2: 4 queries; #5's 7 reviews in pages of 3: 2 more;
    # and the profile step's query for the accounts stored again (1 point).
    assert (len(page_queries(scenario)), ledger.counters["graphql_points"]) == (4, 7)
    assert "graphql points" in out
    # The points left, as the queries' rateLimit reported them, fed to the token pool.
    assert ledger.counters["graphql_remaining"] == scenario.remaining < 5000


def test_states_ids_and_a_deleted_account(scenario) -> None:
    run()

    merged = PullRequest.objects.get(issue__number=3)
    assert (merged.merged, merged.merge_commit_sha) == (
        True,
        "0a223346b4e6dec0127b1e6aa892c4ee0424b66a",
    )
    assert merged.github_id == 2400000003  # fullDatabaseId: above a 32-bit databaseId
    unmerged = PullRequest.objects.get(issue__number=9)
    assert (unmerged.merged, unmerged.merged_at, unmerged.merged_by) == (False, None, None)
    opened = PullRequest.objects.get(issue__number=12)
    assert (opened.draft, opened.head_ref, opened.merge_commit_sha) == (
        True,
        "blueberries",
        "c" * 40,
    )
    ghost = PullRequest.objects.get(issue__number=30)
    assert (ghost.merged, ghost.merged_by) == (True, None)
    assert Review.objects.get(github_id=3000).author is None
    states = set(Review.objects.filter(issue__number=5).values_list("state", flat=True))
    assert states == {"COMMENTED", "CHANGES_REQUESTED", "APPROVED", "DISMISSED", "PENDING"}
    assert Review.objects.get(github_id=514).submitted_at is None  # PENDING


def test_reviews_beyond_the_first_page_are_read_for_that_pull_request_only(scenario) -> None:
    run()

    assert Review.objects.filter(issue__number=5).count() == 7
    follow_ups = review_queries(scenario)
    assert [(q["number"], q["after"]) for q in follow_ups] == [(5, "3"), (5, "6")]


def test_an_error_at_one_pull_request_does_not_cost_the_page(scenario) -> None:
    scenario.fail_pull(routes.REPO, 40, pull_scenarios.forbidden_error())

    ledger, out = run()

    assert ledger.status == "succeeded"
    numbers = sorted(PullRequest.objects.values_list("issue__number", flat=True))
    assert numbers == [3, 5, 9, 12, 30, 1602]
    assert ledger.counters["graphql_skipped"] == 1
    assert (
        "boostorg/website-v2: pull request at position 1 of the page: FORBIDDEN: Resource "
        "protected by organization SAML enforcement." in out
    )


def test_a_not_found_follow_up_leaves_out_that_pull_request_only(scenario) -> None:
    scenario.fail_pull(routes.REPO, 5, {"type": "NOT_FOUND", "message": "Could not resolve"})

    ledger, _ = run()

    assert ledger.status == "succeeded"
    assert not PullRequest.objects.filter(issue__number=5).exists()
    assert PullRequest.objects.filter(issue__number=12).exists()


@pytest.mark.parametrize(
    ("error", "category"),
    [
        ({"type": "RATE_LIMITED", "message": "API rate limit exceeded"}, "rate_limit"),
        ({"type": "FORBIDDEN", "message": "Resource not accessible by integration"}, "permission"),
        ({"type": "NOT_FOUND", "message": "Could not resolve to a Repository"}, "not_found"),
    ],
)
def test_an_error_outside_a_pull_request_ends_the_run_in_its_category(
    github, error, category
) -> None:
    body = {"data": {"repository": None}, "errors": [{**error, "path": ["repository"]}]}
    github.fail("POST", "/graphql", faults.Reply(status=200, body=json.dumps(body).encode()))

    with pytest.raises(Exception, match=error["message"]):
        run()

    ledger = CollectorRun.objects.order_by("-id")[0]
    assert (ledger.status, ledger.failure_category) == ("failed", category)
    assert "\n" not in ledger.error_summary


def test_an_unchanged_run_asks_nothing_and_a_changed_pull_request_little(scenario, github) -> None:
    run()
    asked = len(scenario.queries)
    pages, reviewed = len(page_queries(scenario)), len(review_queries(scenario))

    second, _ = run()
    assert len(scenario.queries) == asked
    assert "graphql_points" not in second.counters
    assert second.counters["api_requests"] == second.counters["not_modified"]

    # Pull request 12 gets a second review: its issue row and its node are newer.
    pulls = pull_scenarios.scenario()
    issue, detail, reviews = pulls[3]
    stamp = "2026-01-10T10:00:00Z"
    issue["updated_at"] = detail["updated_at"] = stamp
    reviews.append({**reviews[0], "id": 1201, "state": "APPROVED", "submitted_at": stamp})
    pull_scenarios.serve(github, pulls)
    # The issue list from the issue stream's checkpoint minus the overlap.
    since = "2025-12-10T15:27:38Z"
    recent = sorted(
        [i for i in [*routes.issues(), *(i for i, _, _ in pulls)] if i["updated_at"] >= since],
        key=lambda i: i["updated_at"],
    )
    routes.add_list(
        github, f"{routes.BASE}/issues", recent, {**routes.ASC, "state": "all", "since": since}
    )

    third, _ = run()
    assert Review.objects.filter(issue__number=12).count() == 2
    # Newest first down to the checkpoint (#1602's 2025-12-12) minus 2 days: [#12,
    # #1602], then [#40, #30], where #40 (2024) ends the stream.
    assert [q["after"] for q in page_queries(scenario)[pages:]] == [None, "2"]
    assert review_queries(scenario)[reviewed:] == []
    assert third.counters["graphql_points"] == 2
    cursor = Checkpoint.objects.get(source_key=KEY).cursor
    assert cursor == {"updated_at": "2026-01-10T10:00:00+00:00"}


def test_a_stream_stopped_mid_way_resumes_after_its_last_stored_page(scenario) -> None:
    scenario.fail_after = 1
    with pytest.raises(Exception, match="502"):
        run()
    cursor = Checkpoint.objects.get(source_key=KEY).cursor
    assert (cursor["after"], cursor["updated_at"]) == ("2", None)
    assert sorted(PullRequest.objects.values_list("issue__number", flat=True)) == [40, 1602]

    scenario.fail_after = None
    ledger, _ = run()

    assert ledger.status == "succeeded"
    assert PullRequest.objects.count() == 7
    resumed = page_queries(scenario)[-3:]
    assert [q["after"] for q in resumed] == ["2", "4", "6"]
    cursor = Checkpoint.objects.get(source_key=KEY).cursor
    assert cursor == {"updated_at": "2025-12-12T15:27:38+00:00"}


def test_plan_prints_the_cost_by_bucket_without_collecting(github) -> None:
    rate = {"resources": {b: {"limit": 5000, "remaining": 4000, "reset": 1893456000}
                          for b in ("core", "graphql", "search")}}  # fmt: skip
    routes.add(github, "/rate_limit", rate)
    totals = {"issues": {"totalCount": 5000}, "pullRequests": {"totalCount": 5000},
              "defaultBranchRef": {"target": {"history": {"totalCount": 50000}}}}  # fmt: skip
    github.add("POST", "/graphql", body={"data": {"r0": totals, "rateLimit": {"cost": 1}}})
    runs = CollectorRun.objects.count()

    out = StringIO()
    call_command("run_github_activity_tracker", "--plan", "--repo", routes.REPO, stdout=out)

    assert CollectorRun.objects.count() == runs  # no run
    text = out.getvalue()
    assert "boostorg/website-v2: first run (50000 commits, 5000 issues, 5000 pull requests)" in text
    assert "plan: 1 repositories" in text
    assert "budget left 4000 core, 4000 GraphQL" in text


def test_a_malformed_node_and_review_are_quarantined_and_the_rest_stored(scenario) -> None:
    nodes = {n["number"]: n for n in scenario.pulls[routes.REPO]}
    nodes[9]["isDraft"] = "yes"
    nodes[5]["_reviews"][1]["state"] = ""

    ledger, out = run()

    assert ledger.status == "succeeded"
    assert not PullRequest.objects.filter(issue__number=9).exists()
    assert Review.objects.filter(issue__number=5).count() == 6
    # GraphQL nodes carry no `id` field here: kept under a digest of the payload.
    kept = QuarantinedItem.objects.order_by("scope").values_list("scope", "payload")
    assert [(scope, payload["fullDatabaseId"]) for scope, payload in kept] == [
        (f"{routes.REPO}:graphql_pull_requests", "2400000009"),
        (f"{routes.REPO}:graphql_reviews", "501"),
    ]
    assert "2 quarantined" in out


def test_an_unknown_pulls_from_is_one_line_naming_it(github, settings) -> None:
    settings.GITHUB_ACTIVITY_PULLS_FROM = "soap"

    with pytest.raises(CommandError) as caught:
        run()

    assert str(caught.value) == (
        "GITHUB_ACTIVITY_PULLS_FROM='soap' is not one of graphql, rest; set it in .env"
    )
    assert github.hits() == 0
