"""Bad items never block a stream: NUL in text, malformed items, items the database refuses."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from core.bad_items import BadItem
from core.http import MalformedResponse
from core.models import Checkpoint, CollectorRun, QuarantinedItem
from core.quarantine import quarantine_items
from core.testing.fixture_server import point_github_at
from github_activity_tracker.models import Commit, Issue, PullRequest, Repository, Review
from github_activity_tracker.testing import github_routes as routes
from github_activity_tracker.tests.conftest import run

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


def issue_1950(**changes: object) -> dict:
    """An issue without comments, updated just before #1602 (inside the overlap window)."""
    base = routes.recorded("website-v2_issue-1897/issue_rest.json")
    return {
        **base,
        "id": 3400001950,
        "number": 1950,
        "updated_at": "2025-12-12T10:00:00Z",
        **changes,
    }


def issues_with(middle: dict) -> list[dict]:
    first, second, pull = routes.issues()
    return [first, second, middle, pull]


def serve_recent_issues(server, items: object) -> None:
    """Replace the answer of the URL an incremental run asks (`since` = checkpoint - 2 days)."""
    query = {**routes.ASC, "state": "all", "since": "2025-12-10T15:27:38Z"}
    target = f"{routes.BASE}/issues?{urlencode(sorted(query.items()))}"
    server.clear("GET", target)
    routes.add(server, target, items)


def kept() -> list[QuarantinedItem]:
    return list(QuarantinedItem.objects.order_by("id"))


def test_a_malformed_issue_mid_page_is_quarantined_and_the_page_and_stream_go_on(
    github, admin_client
) -> None:
    broken = {k: v for k, v in issue_1950().items() if k != "state"}
    routes.add_repository(github, issue_list=issues_with(broken))

    row, out = run()

    assert row.status == "succeeded"
    assert set(Issue.objects.values_list("number", flat=True)) == {1188, 1897, 1602}
    assert Commit.objects.filter(sha=routes.SHA_QUIET).exists()  # the next repository too
    assert row.counters["quarantined"] == 1
    assert "1 quarantined" in out
    [item] = kept()
    assert (item.collector, item.scope, item.item_key) == (
        "github_activity_tracker",
        f"{routes.REPO}:issues",
        "3400001950",
    )
    assert item.payload == broken
    assert item.category == "validation"
    assert "'state'" in item.reason
    assert f"{routes.BASE}/issues" in item.url
    # The checkpoint moved past it: the page's other items define it.
    cursor = Checkpoint.objects.get(source_key=f"{routes.REPO}:issues").cursor
    assert cursor == {"updated_at": "2025-12-12T15:27:38+00:00"}

    page = admin_client.get("/admin/core/quarantineditem/")
    assert page.status_code == 200
    assert "3400001950" in page.content.decode()


def test_the_next_run_against_a_fixed_response_releases_the_item(github) -> None:
    broken = {k: v for k, v in issue_1950().items() if k != "state"}
    routes.add_repository(github, issue_list=issues_with(broken))
    run()
    assert len(kept()) == 1

    fixed = issue_1950(state="open", updated_at="2025-12-12T11:00:00Z")
    serve_recent_issues(github, [fixed, routes.issues()[-1]])
    row, out = run()

    assert kept() == []
    assert Issue.objects.get(number=1950).state == "open"
    assert row.counters["released"] == 1
    assert "quarantined" not in row.counters
    assert "1 released" in out


def test_a_kept_payload_that_parses_today_is_stored_without_a_request(github) -> None:
    """What a parser fix looks like: the next run re-parses the kept payload and stores it."""
    routes.add_repository(github)
    good = issue_1950(state="open")
    quarantine_items(
        collector="github_activity_tracker",
        scope=f"{routes.REPO}:issues",
        items=[BadItem(key="3400001950", url="", payload=good, error=ValueError("old parser"))],
    )
    QuarantinedItem.objects.update(last_seen=timezone.now() - timedelta(hours=1))

    row, _ = run()

    assert kept() == []
    assert Issue.objects.get(number=1950).state == "open"
    assert row.counters["released"] == 1
    assert not any("/issues/1950" in request.target for request in github.requests)


def test_an_item_the_database_refuses_is_quarantined_without_losing_its_page(github) -> None:
    too_long = issue_1950(state="x" * 40)  # Issue.state holds 16 characters
    routes.add_repository(github, issue_list=issues_with(too_long))

    row, out = run()

    assert row.status == "succeeded"
    assert set(Issue.objects.values_list("number", flat=True)) == {1188, 1897, 1602}
    assert PullRequest.objects.count() == 1  # the same transaction went on after the refusal
    assert Commit.objects.filter(sha=routes.SHA_QUIET).exists()
    [item] = kept()
    assert item.category == "database"
    assert "too long" in item.reason
    assert item.payload == too_long
    assert "1 quarantined" in out


def test_a_malformed_review_is_quarantined_and_the_other_review_stored(github, settings) -> None:
    settings.GITHUB_ACTIVITY_PULLS_FROM = "rest"
    routes.add_repository(github)
    reviews = [routes.payloads.review(901, "CHANGES_REQUESTED"), routes.payloads.review(902, "")]
    github.clear("GET", f"{routes.BASE}/pulls/1602/reviews?per_page=100")
    routes.add(github, f"{routes.BASE}/pulls/1602/reviews", reviews, per_page="100")

    run()

    assert list(Review.objects.values_list("github_id", flat=True)) == [901]
    [item] = kept()
    assert (item.scope, item.item_key) == (f"{routes.REPO}:reviews", "902")


def test_a_page_of_the_wrong_shape_still_stops_the_stream_at_its_checkpoint(github) -> None:
    routes.add_repository(github)
    run()
    key = f"{routes.REPO}:issues"
    before = Checkpoint.objects.get(source_key=key).cursor
    serve_recent_issues(github, {"message": "not a list"})

    with pytest.raises(MalformedResponse, match="did not return a list"):
        run()

    assert CollectorRun.objects.order_by("-id")[0].failure_category == "validation"
    assert Checkpoint.objects.get(source_key=key).cursor == before
    assert kept() == []
