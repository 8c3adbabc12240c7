"""A generated repository on the loopback server: N commits, issues and pull requests.

For the request benchmark: every list GitHub pages (commits, issues, comments, review
comments) is served in pages of 100 with `Link: rel="next"` headers and ETags, the
commit details and the pull request details and reviews on their REST routes, and the
same pull requests over GraphQL (`graphql_routes`). Payloads are the hand-written ones
of `payloads.py` (GitHub's REST documentation), numbered; each issue and pull request
has one comment, each pull request two reviews and one review comment.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from core.testing.fixture_server import FixtureServer
from github_activity_tracker.testing import graphql_routes, payloads
from github_activity_tracker.testing.github_routes import ASC, add, repository

START = datetime(2024, 1, 1, tzinfo=UTC)


def _at(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _serve_list(
    server: FixtureServer, path: str, items: list[Any], query: dict[str, str], *, page: int = 100
) -> None:
    """Serve `items` at `path?query` in pages linked by rel="next" (page=2, 3, ...)."""
    chunks = [items[i : i + page] for i in range(0, len(items), page)] or [[]]
    for number, chunk in enumerate(chunks, start=1):
        params = {**query, **({"page": str(number)} if number > 1 else {})}
        target = f"{path}?{urlencode(sorted(params.items()))}"
        headers = {
            "content-type": "application/json; charset=utf-8",
            "etag": f'W/"{abs(hash((target, len(chunk), number)))}"',
        }
        if number < len(chunks):
            following = {**query, "page": str(number + 1)}
            headers["link"] = f'<{server.base_url}{path}?{urlencode(following)}>; rel="next"'
        server.add("GET", target, headers=headers, body=chunk)


def _serve_stream(server: FixtureServer, path: str, items: list[dict], extra: dict) -> None:
    """A time-ordered list, in full and from the next run's resume point."""
    query = {**ASC, **extra}
    _serve_list(server, path, items, query)
    newest = max((i["updated_at"] for i in items), default=None)
    if newest is not None:
        since = (datetime.fromisoformat(newest) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        recent = [i for i in items if i["updated_at"] >= since]
        _serve_list(server, path, recent, {**query, "since": since})


def add_synthetic_repository(
    server: FixtureServer, full_name: str, *, commits: int, issues: int, pulls: int
) -> dict[str, int]:
    """Serve the repository; return how many items of each kind it has."""
    base = f"/repos/{full_name}"
    head = f"{commits:040x}"
    add(server, base, repository(full_name, github_id=4242))
    _serve_list(server, f"{base}/releases", [], {"per_page": "100"})
    add(server, f"{base}/branches/develop", {"commit": {"sha": head}})
    shas = [f"{n:040x}" for n in range(commits, 0, -1)]
    listed = [payloads.commit(sha, date=_at(commits - i)) for i, sha in enumerate(shas)]
    _serve_list(server, f"{base}/commits", listed, {"per_page": "100", "sha": "develop"})
    for i, sha in enumerate(shas):
        detail = payloads.commit(
            sha, date=_at(commits - i), files=[payloads.file_change(f"src/f{i % 50}.cpp")]
        )
        add(server, f"{base}/commits/{sha}", detail)

    items, comments, review_comments, nodes = [], [], [], []
    for number in range(1, issues + pulls + 1):
        is_pull = number > issues
        updated = _at(24 * 60 * number)  # a day apart: the overlap window holds two
        item = payloads.pull_request_issue(number, updated_at=updated)
        item["id"] = 5_000_000 + number
        if not is_pull:
            item.pop("pull_request")
        items.append(item)
        comments.append(
            {
                "id": 7_000_000 + number,
                "user": payloads.DAVE,
                "body": f"Comment on {number}",
                "created_at": updated,
                "updated_at": updated,
                "issue_url": f"https://api.github.com{base}/issues/{number}",
            }
        )
        if not is_pull:
            continue
        detail = {**payloads.pull_request(number), "updated_at": updated}
        reviews = [
            {**payloads.review(8_000_000 + 2 * number, "APPROVED", number=number)},
            {**payloads.review(8_000_001 + 2 * number, "COMMENTED", number=number)},
        ]
        for review in reviews:
            review["pull_request_url"] = f"https://api.github.com{base}/pulls/{number}"
        add(server, f"{base}/pulls/{number}", detail)
        _serve_list(server, f"{base}/pulls/{number}/reviews", reviews, {"per_page": "100"})
        comment = payloads.review_comment(9_000_000 + number, review_id=reviews[0]["id"])
        comment.update(
            updated_at=updated,
            pull_request_url=f"https://api.github.com{base}/pulls/{number}",
        )
        review_comments.append(comment)
        nodes.append(graphql_routes.pull_node(detail, reviews))
    _serve_stream(server, f"{base}/issues", items, {"state": "all"})
    _serve_stream(server, f"{base}/issues/comments", comments, {})
    _serve_stream(server, f"{base}/pulls/comments", review_comments, {})
    graphql_routes.serve(server).add_pulls(full_name, nodes)
    return {
        "commits": commits,
        "issues": issues,
        "pulls": pulls,
        "comments": len(comments),
        "review_comments": len(review_comments),
    }
