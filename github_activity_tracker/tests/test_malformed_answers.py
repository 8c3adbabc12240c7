"""Wrong-shape and looping answers, through the command over the loopback server.

One object of the wrong shape is quarantined (category `validation`, its reason naming
the URL, the item and the field) and its stream goes on; an answer that is wrong as a
whole (`{}` for a branch, JSON nested 20,000 deep, a `next` link back to a page already
read) ends the run as `validation` with the URL in the ledger row, and what was read
before it stays stored.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest

from core.http import MalformedResponse, PaginationLoopError
from core.models import CollectorRun, QuarantinedItem
from core.testing.fixture_server import FixtureServer
from github_activity_tracker.models import Comment, Commit, Issue, Repository
from github_activity_tracker.testing import github_routes as routes
from github_activity_tracker.tests.conftest import run

pytestmark = pytest.mark.django_db

JSON = {"content-type": "application/json; charset=utf-8"}
COMMENTS = f"{routes.BASE}/issues/comments"
FIRST_COMMENTS = f"{COMMENTS}?{urlencode(sorted(routes.ASC.items()))}"
FIRST_ISSUES = f"{routes.BASE}/issues?{urlencode(sorted({**routes.ASC, 'state': 'all'}.items()))}"
# The order the client sends the query in, as the error shows the URL.
SENT_ISSUES = f"{routes.BASE}/issues?per_page=100&state=all&sort=updated&direction=asc"


def an_issue(**changes: object) -> dict:
    """Issue #1950, updated just before #1602: inside the first run's page."""
    base = routes.recorded("website-v2_issue-1897/issue_rest.json")
    return {**base, "id": 3400001950, "number": 1950, "updated_at": "2025-12-12T10:00:00Z"} | (
        changes
    )


def issues_with(server: FixtureServer, bad: dict) -> str:
    """Serve the first run's issue list with `bad` among the recorded issues."""
    first, second, pull = routes.issues()
    server.clear("GET", FIRST_ISSUES)
    routes.add(server, FIRST_ISSUES, [first, second, bad, pull])
    return f"{server.base_url}{SENT_ISSUES}"


def huge_additions(server: FixtureServer) -> str:
    path = f"{routes.BASE}/commits/{routes.SHA_A}"
    detail = routes.commit_detail(routes.SHA_A, "2025-01-16T19:39:31Z")
    detail["files"][0]["additions"] = 10**20
    server.clear("GET", path)
    routes.add(server, path, detail)
    return f"{server.base_url}{path}"


ItemCase = Callable[[FixtureServer], str]


@pytest.mark.parametrize(
    ("serve", "reason"),
    [
        pytest.param(
            lambda server: issues_with(server, an_issue(user="octocat")),
            "issue 3400001950: field 'user' is the text 'octocat', expected an object or null",
            id="text-for-a-user",
        ),
        pytest.param(
            lambda server: issues_with(server, an_issue(labels=[["bug"]])),
            "issue 3400001950: field 'labels[0]' is a list, expected an object",
            id="list-for-an-object",
        ),
        pytest.param(
            lambda server: issues_with(server, an_issue(id=2**63)),
            f"issue {2**63}: field 'id' is {2**63}, outside 1..{2**63 - 1}",
            id="id-2^63",
        ),
        pytest.param(
            huge_additions,
            f"field 'files[0].additions' is {10**20}, outside 0..{2**31 - 1}",
            id="additions-10^20",
        ),
    ],
)
def test_a_wrong_shape_item_is_quarantined_as_validation_naming_url_and_field(
    github, serve: ItemCase, reason: str
) -> None:
    url = serve(github)

    row, _ = run()

    assert row.status == "succeeded"
    assert row.counters["quarantined"] == 1
    [item] = QuarantinedItem.objects.all()
    assert item.category == "validation"
    assert item.url == url
    assert f"{url}: " in item.reason
    assert reason in item.reason
    assert Issue.objects.filter(number__in=[1188, 1897, 1602]).count() == 3
    assert Commit.objects.filter(sha=routes.SHA_B).exists()


def empty_branch(server: FixtureServer) -> str:
    path = f"{routes.BASE}/branches/develop"
    server.clear("GET", path)
    routes.add(server, path, {})
    return f"{server.base_url}{path}"


def deep_comments(server: FixtureServer) -> str:
    server.clear("GET", FIRST_COMMENTS)
    server.add("GET", FIRST_COMMENTS, headers=JSON, body=b"[" * 20_000 + b"]" * 20_000)
    return f"{server.base_url}{COMMENTS}?per_page=100&sort=updated&direction=asc"


def list_for_a_compare(server: FixtureServer) -> str:
    """A later run's compare answer that is a list, not an object with `commits`."""
    run()
    server.clear("GET", f"{routes.BASE}/branches/develop")
    routes.add(server, f"{routes.BASE}/branches/develop", {"commit": {"sha": routes.SHA_OLD}})
    compare = f"{routes.BASE}/compare/{routes.SHA_B}...{routes.SHA_OLD}"
    merged = [routes.payloads.commit(routes.SHA_OLD, date="2019-05-01T08:00:00Z")]
    routes.add(server, compare, merged, page="1", per_page="100")
    return f"{server.base_url}{compare}?per_page=100&page=1"


@pytest.mark.parametrize(
    ("serve", "problem", "issues"),
    [
        pytest.param(empty_branch, "branch: field 'commit' is missing", 0, id="empty-branch"),
        pytest.param(
            deep_comments,
            "returned GET body nested more than 100 levels deep",
            3,
            id="json-20000-deep",
        ),
        pytest.param(
            list_for_a_compare, "compare is a list, expected an object", 3, id="list-for-a-compare"
        ),
    ],
)
def test_a_wrong_shape_answer_ends_the_run_as_validation_naming_url_and_field(
    github, serve, problem: str, issues: int
) -> None:
    url = serve(github)

    with pytest.raises(MalformedResponse) as caught:
        run()

    assert str(caught.value).startswith(url)
    assert problem in str(caught.value)
    row = CollectorRun.objects.order_by("-id")[0]
    assert (row.status, row.failure_category) == ("failed", "validation")
    assert url in row.error_summary
    assert problem in row.error_summary
    assert Repository.objects.filter(full_name=routes.REPO).exists()
    assert Issue.objects.count() == issues


@pytest.mark.parametrize("pages", [1, 2], ids=["self-link", "two-page-cycle"])
def test_a_looping_next_link_stops_the_stream_as_validation(github, pages) -> None:
    first = f"{github.base_url}{FIRST_COMMENTS}"
    second = f"{github.base_url}{COMMENTS}?page=2"
    after_first = first if pages == 1 else second
    github.clear("GET", FIRST_COMMENTS)
    github.add(
        "GET", FIRST_COMMENTS, headers={**JSON, "link": f'<{after_first}>; rel="next"'}, body=[]
    )
    github.add("GET", second, headers={**JSON, "link": f'<{first}>; rel="next"'}, body=[])

    with pytest.raises(PaginationLoopError, match="already read"):
        run()

    row = CollectorRun.objects.get()
    assert (row.status, row.failure_category) == ("failed", "validation")
    assert f"next link {first} is a page this stream already read" in row.error_summary
    assert github.hits("GET", FIRST_COMMENTS) == 1
    assert github.hits("GET", f"{COMMENTS}?page=2") == pages - 1
    assert Comment.objects.count() == 0
    assert Issue.objects.count() == 3


def test_a_bad_comment_is_kept_with_its_field_and_the_rest_stored(github) -> None:
    [comment, *_] = routes.recorded("website-v2_issue-1897/comments_rest.json")
    bad = {**comment, "id": 2**63}
    github.clear("GET", FIRST_COMMENTS)
    routes.add(github, FIRST_COMMENTS, [*routes.comments(), bad])

    row, _ = run()

    assert row.status == "succeeded"
    assert Comment.objects.count() == 27
    [item] = QuarantinedItem.objects.all()
    assert f"field 'id' is {2**63}, outside 1..{2**63 - 1}" in item.reason
    assert item.payload == bad
