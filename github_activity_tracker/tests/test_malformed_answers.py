"""Wrong-shape and looping answers end the run as `validation`, naming the URL and field.

Each case serves the recorded repository with one answer broken the way a proxy, a
GitHub incident or a hostile server could break it, runs the real command over the
loopback server, and checks the ledger row and that what was read before stays stored.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.http import MalformedResponse, PaginationLoopError
from core.models import CollectorRun
from core.testing.fixture_server import FixtureServer
from github_activity_tracker.models import Comment, Issue, Repository, ReviewComment
from github_activity_tracker.tests import github_routes as routes
from github_activity_tracker.tests import payloads
from github_activity_tracker.tests.conftest import run

pytestmark = pytest.mark.django_db

COMMENTS = f"{routes.BASE}/issues/comments"
FIRST_COMMENTS = f"{COMMENTS}?direction=asc&per_page=100&sort=updated"
JSON = {"content-type": "application/json; charset=utf-8"}


def comments_in_two_pages(server: FixtureServer, second_body: object) -> str:
    """Serve the first run's comments as issue 1188's page, then `second_body`."""
    second = f"{server.base_url}{COMMENTS}?page=2"
    server.clear("GET", FIRST_COMMENTS)
    first_page = routes.recorded("website-v2_issue-1188/comments_rest.json")
    link = {**JSON, "link": f'<{second}>; rel="next"'}
    server.add("GET", FIRST_COMMENTS, headers=link, body=first_page)
    server.add("GET", f"{COMMENTS}?page=2", headers=JSON, body=second_body)
    return second


def a_comment(**changes: object) -> dict:
    [comment, *_] = routes.recorded("website-v2_issue-1897/comments_rest.json")
    return {**comment, **changes}


def bad_comment_page(**changes: object) -> Callable[[FixtureServer], str]:
    return lambda server: comments_in_two_pages(server, [a_comment(**changes)])


def deep_comment_page(server: FixtureServer) -> str:
    return comments_in_two_pages(server, b"[" * 20_000 + b"]" * 20_000)


def empty_branch(server: FixtureServer) -> str:
    path = f"{routes.BASE}/branches/develop"
    server.clear("GET", path)
    routes.add(server, path, {})
    return f"{server.base_url}{path}"


def huge_additions(server: FixtureServer) -> str:
    path = f"{routes.BASE}/commits/{routes.SHA_A}"
    detail = routes.commit_detail(routes.SHA_A, "2025-01-16T19:39:31Z")
    detail["files"][0]["additions"] = 10**20
    server.clear("GET", path)
    routes.add(server, path, detail)
    return f"{server.base_url}{path}"


def text_for_a_user(server: FixtureServer) -> str:
    path = f"{routes.BASE}/pulls/comments"
    target = f"{path}?direction=asc&per_page=100&sort=updated"
    server.clear("GET", target)
    broken = {**payloads.review_comment(5001, review_id=901), "user": "sdarwin"}
    server.add("GET", target, headers=JSON, body=[broken])
    return f"{server.base_url}{path}?per_page=100&sort=updated&direction=asc"  # as sent


STORED_BEFORE_COMMENTS = {"Issue": 3, "Comment": 16, "ReviewComment": 0}


@pytest.mark.parametrize(
    ("break_answer", "field", "stored"),
    [
        pytest.param(
            bad_comment_page(user=[payloads.DAVE]),
            "field 'user' is a list, expected an object or null",
            STORED_BEFORE_COMMENTS,
            id="list-for-an-object",
        ),
        pytest.param(
            text_for_a_user,
            "field 'user' is the text 'sdarwin', expected an object or null",
            {"Issue": 3, "Comment": 27, "ReviewComment": 0},
            id="text-for-a-user",
        ),
        pytest.param(
            empty_branch,
            "branch: field 'commit' is missing",
            {"Issue": 0, "Comment": 0, "ReviewComment": 0},
            id="empty-branch",
        ),
        pytest.param(
            bad_comment_page(id=2**63),
            f"field 'id' is {2**63}, outside 1..{2**63 - 1}",
            STORED_BEFORE_COMMENTS,
            id="id-2^63",
        ),
        pytest.param(
            huge_additions,
            f"field 'files[0].additions' is {10**20}, outside 0..{2**31 - 1}",
            {"Issue": 0, "Comment": 0, "ReviewComment": 0},
            id="additions-10^20",
        ),
        pytest.param(
            deep_comment_page,
            "nested more than 100 levels deep",
            STORED_BEFORE_COMMENTS,
            id="json-20000-deep",
        ),
    ],
)
def test_a_wrong_shape_is_a_validation_failure_naming_url_and_field(
    github, break_answer, field, stored
) -> None:
    url = break_answer(github)

    with pytest.raises(MalformedResponse) as caught:
        run()

    assert url in str(caught.value)
    assert field in str(caught.value)
    row = CollectorRun.objects.get()
    assert (row.status, row.failure_category) == ("failed", "validation")
    assert url in row.error_summary
    assert field in row.error_summary
    assert Repository.objects.filter(full_name=routes.REPO).exists()
    counts = {m.__name__: m.objects.count() for m in (Issue, Comment, ReviewComment)}
    assert counts == stored


@pytest.mark.parametrize("pages", [1, 2], ids=["self-link", "two-page-cycle"])
def test_a_looping_next_link_stops_the_stream_as_validation(github, pages) -> None:
    first = f"{github.base_url}{FIRST_COMMENTS}"
    second = f"{github.base_url}{COMMENTS}?page=2"
    github.clear("GET", FIRST_COMMENTS)
    after_first = first if pages == 1 else second
    github.add(
        "GET", FIRST_COMMENTS, headers={**JSON, "link": f'<{after_first}>; rel="next"'}, body=[]
    )
    github.add("GET", second, headers={**JSON, "link": f'<{first}>; rel="next"'}, body=[])

    with pytest.raises(PaginationLoopError, match="already read"):
        run()

    row = CollectorRun.objects.get()
    assert (row.status, row.failure_category) == ("failed", "validation")
    assert f"next link {after_first if pages == 1 else first} is a page" in row.error_summary
    assert github.hits("GET", FIRST_COMMENTS) == 1
    assert github.hits("GET", f"{COMMENTS}?page=2") == pages - 1
    assert Comment.objects.count() == 0
    assert Issue.objects.count() == 3
