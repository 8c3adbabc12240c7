"""GitHub REST payloads written by hand where no recording exists.

No recorded commit list/detail, pull request detail, review or review comment of a
Boost repository is available, so these follow the response schemas in GitHub's
public REST documentation ("List commits", "Get a commit", "Get a pull request",
"List reviews for a pull request", "List review comments in a repository"), trimmed
to the fields the parsers read plus a few they ignore. The pull request numbers and
people match the recorded boostorg/website-v2 data (#1602 by daveoconnor).
"""

from __future__ import annotations

from typing import Any

# As the recordings show them, so an account read from both is never rewritten.
AVATARS = "https://avatars.githubusercontent.com/u"
DAVE = {
    "login": "daveoconnor",
    "id": 2774608,
    "type": "User",
    "avatar_url": f"{AVATARS}/2774608?v=4",
}
SAM = {"login": "sdarwin", "id": 1257803, "type": "User", "avatar_url": f"{AVATARS}/1257803?v=4"}
REPO_API = "https://api.github.com/repos/boostorg/website-v2"


def commit(
    sha: str,
    *,
    date: str = "2025-01-16T19:39:31Z",
    files: list[dict[str, Any]] | None = None,
    account: dict[str, Any] | None = DAVE,
    name: str = "Dave O'Connor",
    email: str = "dave@example.org",
) -> dict[str, Any]:
    """A commit as "List commits" returns it; with `files`, as "Get a commit" does."""
    payload: dict[str, Any] = {
        "sha": sha,
        "node_id": "C_x",
        "commit": {
            "author": {"name": name, "email": email, "date": date},
            "committer": {"name": "GitHub", "email": "noreply@github.com", "date": date},
            "message": f"Change {sha[:7]}",
            "tree": {"sha": "f" * 40},
            "comment_count": 0,
        },
        "author": account,
        "committer": None,
        "parents": [{"sha": "e" * 40}],
    }
    if files is not None:
        payload["files"] = files
        payload["stats"] = {
            "additions": sum(f["additions"] for f in files),
            "deletions": sum(f["deletions"] for f in files),
            "total": sum(f["changes"] for f in files),
        }
    return payload


def file_change(filename: str, *, status: str = "modified", additions: int = 3) -> dict:
    return {
        "sha": "d" * 40,
        "filename": filename,
        "status": status,
        "additions": additions,
        "deletions": 1,
        "changes": additions + 1,
        "patch": "@@ -1 +1 @@",
    }


def pull_request_issue(number: int = 1602, *, updated_at: str = "2025-12-12T15:27:38Z") -> dict:
    """A pull request as the `/issues` list shows it: the `pull_request` key marks it."""
    return {
        "id": 2793000000 + number,
        "number": number,
        "title": "Added nix for developer setup (#1379)",
        "user": DAVE,
        "labels": [],
        "state": "closed",
        "locked": False,
        "assignees": [],
        "created_at": "2025-01-16T19:39:31Z",
        "updated_at": updated_at,
        "closed_at": "2025-12-12T15:27:38Z",
        "body": "Nix based setup.",
        "state_reason": None,
        "pull_request": {"url": f"{REPO_API}/pulls/{number}", "merged_at": "2025-12-12T15:27:37Z"},
    }


def pull_request(number: int = 1602, *, merged: bool = True) -> dict[str, Any]:
    """`GET /repos/{o}/{r}/pulls/{n}`: only here does GitHub say whether it was merged."""
    return {
        "id": 2270000000 + number,
        "number": number,
        "state": "closed",
        "draft": False,
        "updated_at": "2025-12-12T15:27:38Z",
        "head": {"ref": "nix-setup", "sha": "a" * 40},
        "base": {"ref": "develop", "sha": "b" * 40},
        "merged": merged,
        "merged_at": "2025-12-12T15:27:37Z" if merged else None,
        "merge_commit_sha": "c" * 40 if merged else None,
        "merged_by": SAM if merged else None,
    }


def review(review_id: int, state: str, *, user: dict = SAM, number: int = 1602) -> dict:
    return {
        "id": review_id,
        "node_id": "PRR_x",
        "user": user,
        "body": f"{state.lower()} review",
        "state": state,
        "html_url": f"https://github.com/boostorg/website-v2/pull/{number}",
        "pull_request_url": f"{REPO_API}/pulls/{number}",
        "submitted_at": "2025-02-01T10:00:00Z" if state != "PENDING" else None,
        "commit_id": "a" * 40,
    }


def review_comment(comment_id: int, *, review_id: int, number: int = 1602) -> dict:
    return {
        "id": comment_id,
        "pull_request_review_id": review_id,
        "in_reply_to_id": None,
        "user": SAM,
        "body": "Could this use the existing script?",
        "path": "docs/nix_based_setup.md",
        "commit_id": "a" * 40,
        "created_at": "2025-02-01T10:00:00Z",
        "updated_at": "2025-02-01T10:05:00Z",
        "pull_request_url": f"{REPO_API}/pulls/{number}",
    }
