"""A loopback GitHub GraphQL endpoint answering the pull request stream's two queries.

No recording of these queries exists, so the answers follow GitHub's public GraphQL
schema (`PullRequest`, `PullRequestReview`, `Actor`, `RateLimit`, connections with
`pageInfo`): each pull request node is built from the REST payloads the REST path
is served (`/pulls/{n}`, `/pulls/{n}/reviews`), so both paths describe the same
data and must store the same rows. Pull requests come newest update first; cursors
are offsets; `rateLimit.cost` is GitHub's formula (the connections' requested nodes
/ 100, at least 1) and `remaining` counts down from 5,000, also sent as the
`x-ratelimit-*` headers with `x-ratelimit-resource: graphql`. A pull request can be
made to answer with an error (a null node and an `errors` entry at its path, as
GitHub does for NOT_FOUND or FORBIDDEN).

It also answers the profile step's `AccountProfiles` query (`repositoryOwner(login:)`
per alias `aN` with variable `$lN`): owners added with `add_owner` answer as a `User`
or `Organization` node; any other login answers null, as GitHub does for a bot or an
unknown login; `fail_owner` makes a login's alias answer null with an error at its
path. The query costs 1 point (it asks no connection).
"""

from __future__ import annotations

import json
import threading
from typing import Any

from core.testing.fixture_server import FixtureServer, Reply, SeenRequest

INT_MAX = 2**31 - 1


def account(user: dict | None) -> dict | None:
    """A REST user object as a GraphQL actor with the fragments the query asks."""
    if user is None:
        return None
    return {
        "login": user["login"],
        "avatarUrl": user.get("avatar_url", ""),
        "__typename": user.get("type") or "User",
        "databaseId": user["id"],
    }


def _ids(rest_id: int) -> dict[str, Any]:
    """`databaseId` is a 32-bit Int (null above it); `fullDatabaseId` a BigInt as text."""
    return {"databaseId": rest_id if rest_id <= INT_MAX else None, "fullDatabaseId": str(rest_id)}


def review_node(review: dict, number: int) -> dict:
    return {
        **_ids(review["id"]),
        "state": review["state"],
        "body": review.get("body") or "",
        "submittedAt": review.get("submitted_at"),
        "pullRequest": {"number": number},
        "commit": {"oid": review["commit_id"]} if review.get("commit_id") else None,
        "author": account(review.get("user")),
    }


def pull_node(pull: dict, reviews: list[dict]) -> dict:
    """A `pullRequests` node from the REST `/pulls/{n}` payload and its reviews."""
    sha = pull.get("merge_commit_sha")
    merged = bool(pull.get("merged"))
    return {
        **_ids(pull["id"]),
        "number": pull["number"],
        "updatedAt": pull["updated_at"],
        "isDraft": bool(pull.get("draft")),
        "headRefName": (pull.get("head") or {}).get("ref", ""),
        "baseRefName": (pull.get("base") or {}).get("ref", ""),
        "merged": merged,
        "mergedAt": pull.get("merged_at"),
        "mergeCommit": {"oid": sha} if merged and sha else None,
        "potentialMergeCommit": {"oid": sha} if not merged and sha else None,
        "mergedBy": account(pull.get("merged_by")),
        "_reviews": [review_node(r, pull["number"]) for r in reviews],
    }


class GraphQLFake:
    """Pull requests per repository, served to `POST /graphql`."""

    def __init__(self) -> None:
        self.pulls: dict[str, list[dict]] = {}
        self.errors: dict[tuple[str, int], dict] = {}
        self.owners: dict[str, dict] = {}
        self.owner_errors: dict[str, dict] = {}
        self.remaining = 5000
        self.queries: list[dict] = []
        # Answer 502 to every stream query after this many (a server failing mid-stream).
        self.fail_after: int | None = None
        self._lock = threading.Lock()

    def add_pulls(self, full_name: str, nodes: list[dict]) -> None:
        found = {n["number"]: n for n in self.pulls.get(full_name, [])}
        found.update({n["number"]: n for n in nodes})
        self.pulls[full_name] = sorted(found.values(), key=lambda n: n["updatedAt"], reverse=True)

    def add_owner(self, node: dict) -> None:
        """A `repositoryOwner` answer (`__typename`, `login`, `databaseId`, ...) by its login."""
        self.owners[node["login"].lower()] = node

    def fail_owner(self, login: str, error: dict) -> None:
        self.owner_errors[login.lower()] = error

    def fail_pull(self, full_name: str, number: int, error: dict) -> None:
        """Answer pull request `number` with `error` (its `path` is set where it stands)."""
        self.errors[(full_name, number)] = error

    def __call__(self, request: SeenRequest) -> Reply | None:
        """Answer the stream's queries; any other query is left to the server's routes."""
        body = json.loads(request.body)
        variables = body.get("variables") or {}
        query = body.get("query", "")
        with self._lock:
            full_name = f"{variables.get('owner')}/{variables.get('name')}"
            if "query PullRequestReviews" in query:
                data, errors, cost = self._reviews(full_name, variables)
            elif "query PullRequestPage" in query:
                data, errors, cost = self._page(full_name, variables)
            elif "query AccountProfiles" in query:
                data, errors, cost = self._owners(variables)
            else:
                return None
            self.queries.append(body)
            if self.fail_after is not None and len(self.queries) > self.fail_after:
                return Reply(status=502, body=b'{"message":"Server Error"}')
            self.remaining = max(0, self.remaining - cost)
            data["rateLimit"] = {
                "cost": cost,
                "remaining": self.remaining,
                "resetAt": "2030-01-01T00:00:00Z",
            }
            answer: dict[str, Any] = {"data": data}
            if errors:
                answer["errors"] = errors
            return _reply(answer, self.remaining)

    def _page(self, full_name: str, variables: dict) -> tuple[dict, list, int]:
        if full_name not in self.pulls:
            error = {"type": "NOT_FOUND", "path": ["repository"], "message": "Not found"}
            return {"repository": None}, [error], 1
        first, reviews = int(variables["first"]), int(variables["reviews"])
        start = int(variables.get("after") or 0)
        window = self.pulls[full_name][start : start + first]
        nodes, errors = [], []
        for index, node in enumerate(window):
            error = self.errors.get((full_name, node["number"]))
            if error is not None:
                path = ["repository", "pullRequests", "nodes", index]
                errors.append({**error, "path": path})
                nodes.append(None)
                continue
            shown = {k: v for k, v in node.items() if k != "_reviews"}
            shown["reviews"] = _connection(node["_reviews"], 0, reviews)
            nodes.append(shown)
        end = start + len(window)
        connection = {
            "pageInfo": {"hasNextPage": end < len(self.pulls[full_name]), "endCursor": str(end)},
            "nodes": nodes,
        }
        cost = max(1, round((1 + first) / 100))
        return {"repository": {"pullRequests": connection}}, errors, cost

    def _owners(self, variables: dict) -> tuple[dict, list, int]:
        data: dict[str, Any] = {}
        errors = []
        for name, login in variables.items():
            alias = f"a{name[1:]}"
            error = self.owner_errors.get(login.lower())
            if error is not None:
                errors.append({**error, "path": [alias]})
            data[alias] = None if error else self.owners.get(login.lower())
        return data, errors, 1

    def _reviews(self, full_name: str, variables: dict) -> tuple[dict, list, int]:
        number = int(variables["number"])
        node = next((n for n in self.pulls.get(full_name, []) if n["number"] == number), None)
        if node is None or (full_name, number) in self.errors:
            error = self.errors.get((full_name, number)) or {"type": "NOT_FOUND"}
            path = ["repository", "pullRequest"]
            return {"repository": {"pullRequest": None}}, [{**error, "path": path}], 1
        start = int(variables.get("after") or 0)
        page = _connection(node["_reviews"], start, int(variables["reviews"]))
        return {"repository": {"pullRequest": {"reviews": page}}}, [], 1


def _connection(items: list[dict], start: int, first: int) -> dict:
    window = items[start : start + first]
    end = start + len(window)
    return {"pageInfo": {"hasNextPage": end < len(items), "endCursor": str(end)}, "nodes": window}


def _reply(answer: dict, remaining: int) -> Reply:
    headers = {
        "content-type": "application/json; charset=utf-8",
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-resource": "graphql",
        "x-ratelimit-reset": "1893456000",
    }
    return Reply(status=200, headers=headers, body=json.dumps(answer).encode())


def serve(server: FixtureServer) -> GraphQLFake:
    """The fake on `server` (one per server; later calls return the same one)."""
    fake = getattr(server, "graphql_fake", None)
    if fake is None:
        fake = GraphQLFake()
        server.graphql_fake = fake  # type: ignore[attr-defined]
        server.respond("POST", "/graphql", fake)
    return fake
