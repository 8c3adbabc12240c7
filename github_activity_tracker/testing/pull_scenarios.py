"""Pull requests served both ways, REST and GraphQL, from one description.

Each pull request is written once as the REST payloads (`/issues` entry, `/pulls/{n}`,
`/pulls/{n}/reviews`, following GitHub's REST documentation) and turned into a
GraphQL node by `graphql_routes.pull_node`, so the two paths describe the same data.
Values come from recordings where they exist: #3 (merged) and #9 (closed, not merged)
and two reviews of #5 from sourcecred's example-github GraphQL mirror; the other five
reviews of #5 (COMMENTED, CHANGES_REQUESTED, APPROVED, DISMISSED, PENDING) and the
refs of #12 (open) from the gh CLI's fixtures. #30 was opened, merged and reviewed by
accounts since deleted (`null`, GitHub's "ghost").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.testing.fixture_server import FixtureServer
from github_activity_tracker.testing import github_routes as routes
from github_activity_tracker.testing import graphql_routes
from github_activity_tracker.testing.payloads import DAVE, SAM
from github_activity_tracker.testing.recordings import FIXTURES

SOURCECRED = FIXTURES / "sourcecred-example" / "example-github.json"
CLI = FIXTURES / "cli-cli-graphql"
API = "https://api.github.com/repos"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _user(login: str, github_id: int) -> dict:
    avatar = f"https://avatars.githubusercontent.com/u/{github_id}?v=4"
    return {"login": login, "id": github_id, "type": "User", "avatar_url": avatar}


def _people() -> dict[str, dict]:
    logins = ["decentralion", "wchargin", "sam", "matt", "leah", "louise", "david", "nobody"]
    return {login: _user(login, 9100 + i) for i, login in enumerate(logins)}


def issue(full_name: str, number: int, *, state: str, user: dict | None, updated: str) -> dict:
    """A pull request as `/issues` lists it."""
    return {
        "id": 3100000000 + number,
        "number": number,
        "title": f"Pull request {number}",
        "user": user,
        "labels": [],
        "state": state,
        "locked": False,
        "assignees": [],
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": updated,
        "closed_at": None if state == "open" else updated,
        "body": "",
        "state_reason": None,
        "pull_request": {"url": f"{API}/{full_name}/pulls/{number}"},
    }


def pull(
    number: int,
    *,
    updated: str,
    merged_by: dict | None = None,
    merged_at: str | None = None,
    sha: str | None = None,
    head: str = "feature",
    base: str = "master",
    draft: bool = False,
    state: str = "closed",
) -> dict:
    """`GET /pulls/{n}`; ids above 2^31, as GitHub's are now (GraphQL: fullDatabaseId)."""
    return {
        "id": 2400000000 + number,
        "number": number,
        "state": state,
        "draft": draft,
        "updated_at": updated,
        "head": {"ref": head, "sha": "a" * 40},
        "base": {"ref": base, "sha": "b" * 40},
        "merged": merged_at is not None,
        "merged_at": merged_at,
        "merge_commit_sha": sha,
        "merged_by": merged_by,
    }


def review(
    full_name: str, review_id: int, number: int, *, state: str, body: str, user: dict | None,
    submitted: str | None,
) -> dict:  # fmt: skip
    return {
        "id": review_id,
        "user": user,
        "body": body,
        "state": state,
        "pull_request_url": f"{API}/{full_name}/pulls/{number}",
        "submitted_at": submitted,
        "commit_id": "a" * 40,
    }


def scenario(full_name: str = routes.REPO) -> list[tuple[dict, dict, list[dict]]]:
    """(issue, pull, reviews) of the scenario's pull requests, oldest update first."""
    people = _people()
    recorded = {p["number"]: p for p in _load(SOURCECRED)["pullRequests"]}
    cli = _load(CLI / "prViewPreviewReviews.json")["data"]["repository"]["pullRequest"]
    refs = _load(CLI / "prViewPreviewMergedState.json")["data"]["repository"]["pullRequest"]
    found = []

    merged = recorded[3]
    stamp = "2024-03-01T10:00:00Z"
    found.append(
        (
            issue(full_name, 3, state="closed", user=people["decentralion"], updated=stamp),
            pull(3, updated=stamp, merged_by=people["decentralion"], merged_at=stamp,
                 sha=merged["mergeCommit"]["oid"], head="add-readme",
                 base=merged["baseRefName"]),
            [],
        )
    )  # fmt: skip
    stamp = "2024-03-02T10:00:00Z"
    found.append(
        (
            issue(full_name, 9, state="closed", user=people["decentralion"], updated=stamp),
            pull(9, updated=stamp, base=recorded[9]["baseRefName"], sha="9" * 40),
            [],
        )
    )
    stamp = "2024-03-03T10:00:00Z"
    reviews = [
        review(full_name, 500 + i, 5, state=r["state"], body=r["body"],
               user=people[r["author"]["login"]], submitted=stamp)
        for i, r in enumerate(recorded[5]["reviews"])
    ] + [
        review(full_name, 510 + i, 5, state=r["state"], body=r["body"],
               user=people[r["author"]["login"]],
               submitted=None if r["state"] == "PENDING" else r["submittedAt"])
        for i, r in enumerate(cli["reviews"]["nodes"])
    ]  # fmt: skip
    found.append(
        (
            issue(full_name, 5, state="closed", user=people["decentralion"], updated=stamp),
            pull(5, updated=stamp, merged_by=people["wchargin"], merged_at=stamp,
                 sha=recorded[5]["mergeCommit"]["oid"], base=recorded[5]["baseRefName"]),
            reviews,
        )
    )  # fmt: skip
    stamp = "2024-03-04T10:00:00Z"
    found.append(
        (
            issue(full_name, 12, state="open", user=people["nobody"], updated=stamp),
            pull(12, updated=stamp, head=refs["headRefName"], base=refs["baseRefName"],
                 sha="c" * 40, state="open", draft=True),
            [review(full_name, 1200, 12, state="COMMENTED", body="Looks good so far",
                    user=SAM, submitted=stamp)],
        )
    )  # fmt: skip
    stamp = "2024-03-05T10:00:00Z"
    found.append(
        (
            issue(full_name, 30, state="closed", user=None, updated=stamp),
            pull(30, updated=stamp, merged_by=None, merged_at=stamp, sha="d" * 40),
            [review(full_name, 3000, 30, state="APPROVED", body="", user=None, submitted=stamp)],
        )
    )
    stamp = "2024-03-06T10:00:00Z"
    found.append(
        (
            issue(full_name, 40, state="closed", user=DAVE, updated=stamp),
            pull(40, updated=stamp, merged_by=SAM, merged_at=stamp, sha="e" * 40),
            [review(full_name, 4000, 40, state="APPROVED", body="ok", user=SAM, submitted=stamp)],
        )
    )
    return found


def forbidden_error() -> dict:
    """The recorded FORBIDDEN (SAML) error object of the gh CLI's fixture."""
    return _load(CLI / "search_forbidden.json")["errors"][0]


def serve(
    server: FixtureServer, pulls: list[tuple[dict, dict, list[dict]]], full_name: str = routes.REPO
) -> graphql_routes.GraphQLFake:
    """Serve `pulls` on the REST routes of `routes.add_repository` and over GraphQL.

    The issue list becomes `routes.issues()` (pull request 1602 among them) plus these
    pull requests. Every
    REST route served before is forgotten first (a route answers its replies in turn).
    """
    for target in server.targets("GET"):
        server.clear("GET", target)
    base = f"/repos/{full_name}"
    listed = sorted([*routes.issues(), *(i for i, _, _ in pulls)], key=lambda i: i["updated_at"])
    routes.add_repository(server, issue_list=listed)
    for _issue, detail, reviews in pulls:
        number = detail["number"]
        routes.add(server, f"{base}/pulls/{number}", detail)
        routes.add(server, f"{base}/pulls/{number}/reviews", reviews, per_page="100")
    fake = graphql_routes.serve(server)
    fake.add_pulls(full_name, [graphql_routes.pull_node(p, r) for _, p, r in pulls])
    return fake
