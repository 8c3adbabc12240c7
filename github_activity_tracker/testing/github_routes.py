"""Serve one repository's activity on the loopback fixture server.

Issues and comments are the recorded boostorg/website-v2 ones; commits, the pull
request detail, reviews and review comments are the hand-written payloads of
`payloads.py` (written from GitHub's REST documentation, no recording exists); the
repository object is the octokit recording renamed. The same pull request and
reviews are served over GraphQL by `graphql_routes`. Every route has an ETag, as
GitHub's list and detail answers do, so a repeated request is answered 304.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from core.testing.fixture_server import FixtureServer
from github_activity_tracker.testing import graphql_routes, payloads
from github_activity_tracker.testing.recordings import octokit_responses, recorded

REPO = "boostorg/website-v2"
BASE = f"/repos/{REPO}"
SHA_A, SHA_B, SHA_OLD, SHA_QUIET = "a1" * 20, "b2" * 20, "0d" * 20, "c3" * 20
ASC = {"direction": "asc", "per_page": "100", "sort": "updated"}


def _stamp(text: str, days: int) -> str:
    moment = datetime.fromisoformat(text) - timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def add(server: FixtureServer, path: str, body: Any, *, status: int = 200, **query: str) -> None:
    target = path + (f"?{urlencode(sorted(query.items()))}" if query else "")
    etag = f'W/"{abs(hash((target, repr(body))))}"'
    headers = {"content-type": "application/json; charset=utf-8", "etag": etag}
    server.add("GET", target, status=status, headers=headers, body=body)


def repository(full_name: str = REPO, *, github_id: int = 77) -> dict:
    (obj,) = octokit_responses("get-repository", "get", "/repos/octokit-fixture-org/hello-world")
    return {**obj, "id": github_id, "name": full_name.split("/")[1], "full_name": full_name,
            "default_branch": "develop"}  # fmt: skip


def issues() -> list[dict]:
    found = [
        recorded("website-v2_issue-1188/issue_rest.json"),
        recorded("website-v2_issue-1897/issue_rest.json"),
        payloads.pull_request_issue(1602),
    ]
    return sorted(found, key=lambda i: i["updated_at"])


def comments() -> list[dict]:
    found = [
        c
        for name in ("website-v2_issue-1188", "website-v2_issue-1897", "website-v2_pr-1602")
        for c in recorded(f"{name}/comments_rest.json")
    ]
    return sorted(found, key=lambda c: c["updated_at"])


def review_comments() -> list[dict]:
    return [payloads.review_comment(5001, review_id=901)]


def commit_detail(sha: str, date: str) -> dict:
    return payloads.commit(sha, date=date, files=[payloads.file_change(f"src/{sha[:4]}.py")])


def add_list(server: FixtureServer, path: str, items: Any, query: dict[str, str]) -> None:
    """A list route answering `query` (a dict, unlike `add`'s keywords, so it can be built)."""
    add(server, path + f"?{urlencode(sorted(query.items()))}", items)


def add_repository(
    server: FixtureServer,
    *,
    head: str = SHA_B,
    overlap_days: int = 2,
    issue_list: list[dict] | None = None,
) -> None:
    """Every route of a first run and of the incremental runs after it."""
    add(server, BASE, repository())
    add(server, f"{BASE}/releases", [], per_page="100")
    add(server, f"{BASE}/branches/develop", {"name": "develop", "commit": {"sha": head}})
    listed = [payloads.commit(SHA_B, date="2025-01-17T10:00:00Z"), payloads.commit(SHA_A)]
    add(server, f"{BASE}/commits", listed, per_page="100", sha="develop")
    add(server, f"{BASE}/commits/{SHA_A}", commit_detail(SHA_A, "2025-01-16T19:39:31Z"))
    add(server, f"{BASE}/commits/{SHA_B}", commit_detail(SHA_B, "2025-01-17T10:00:00Z"))
    add(server, f"{BASE}/commits/{SHA_OLD}", commit_detail(SHA_OLD, "2019-05-01T08:00:00Z"))
    add(server, f"{BASE}/pulls/1602", payloads.pull_request(1602))
    reviews = [payloads.review(901, "CHANGES_REQUESTED"), payloads.review(902, "APPROVED")]
    add(server, f"{BASE}/pulls/1602/reviews", reviews, per_page="100")
    graphql_routes.serve(server).add_pulls(
        REPO, [graphql_routes.pull_node(payloads.pull_request(1602), reviews)]
    )
    streams = {
        "/issues": (issues() if issue_list is None else issue_list, {"state": "all"}),
        "/issues/comments": (comments(), {}),
        "/pulls/comments": (review_comments(), {}),
    }
    for path, (items, extra) in streams.items():
        add(server, f"{BASE}{path}", items, **ASC, **extra)
        since = _stamp(max(i["updated_at"] for i in items), overlap_days)
        recent = [i for i in items if i["updated_at"] >= since]
        add(server, f"{BASE}{path}", recent, **ASC, **extra, since=since)


def add_quiet_repository(server: FixtureServer, full_name: str, *, github_id: int) -> None:
    """A repository with one commit and no other activity, to follow another in a run."""
    base = f"/repos/{full_name}"
    add(server, base, repository(full_name, github_id=github_id))
    add(server, f"{base}/releases", [], per_page="100")
    add(server, f"{base}/branches/develop", {"name": "develop", "commit": {"sha": SHA_QUIET}})
    add(server, f"{base}/commits", [payloads.commit(SHA_QUIET)], per_page="100", sha="develop")
    add(server, f"{base}/commits/{SHA_QUIET}", commit_detail(SHA_QUIET, "2025-01-10T08:00:00Z"))
    for path, extra in (
        ("/issues", {"state": "all"}),
        ("/issues/comments", {}),
        ("/pulls/comments", {}),
    ):
        add_list(server, f"{base}{path}", [], {**ASC, **extra})
    graphql_routes.serve(server).add_pulls(full_name, [])
