"""A generated repository on the loopback server: N commits, issues and pull requests.

For the request benchmark: every list GitHub pages (commits, issues, comments, review
comments) is served in pages of 100 with `Link: rel="next"` headers and ETags, the
commit details and the pull request details and reviews on their REST routes, and the
same pull requests over GraphQL (`graphql_routes`). Payloads are the hand-written ones
of `payloads.py` (GitHub's REST documentation), numbered; each issue and pull request
has one comment, each pull request two reviews and one review comment.

The commit history is a real git repository first (`make_git_history`: a bare
repository under `remotes/<owner>/<name>.git`, written with `git fast-import`, which
`git_server.GitHttpServer(remotes)` serves to the git path), and the API's commit
list and details are derived from it: its shas, and for each commit the author, the
dates, the message and the one file it adds or edits, with the line counts git's diff
of the two contents gives (`_file_of`). So the git path and the API path read the
same history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from core.testing.fixture_server import FixtureServer
from github_activity_tracker.testing import graphql_routes, payloads
from github_activity_tracker.testing.git_history import git
from github_activity_tracker.testing.github_routes import ASC, add, repository

START = datetime(2024, 1, 1, tzinfo=UTC)
BRANCH = "develop"
FILES = 50  # commit n edits src/f{n % FILES}.cpp (adds it the first time)
AUTHOR = ("Dave O'Connor", "dave@example.org")  # payloads.DAVE's account links it
COMMITTER = ("GitHub", "noreply@github.com")


def _at(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class SyntheticCommit:
    """Commit `number` (1 is the root) of the generated history, and its sha."""

    number: int
    sha: str

    @property
    def date(self) -> str:
        return _at(self.number)

    @property
    def message(self) -> str:
        return f"Change {self.number}"

    @property
    def path(self) -> str:
        return f"src/f{self.number % FILES}.cpp"

    def content(self) -> bytes:
        return f"// {self.path}\nint value = {self.number};\n".encode()


def _file_of(commit: SyntheticCommit) -> dict[str, Any]:
    """The commit's file change, as "Get a commit" lists it.

    The first commit of a path adds its two lines; every later one rewrites the
    second line (`int value = N;`), one line added and one deleted.
    """
    added = commit.number <= FILES
    change = payloads.file_change(
        commit.path, status="added" if added else "modified", additions=2 if added else 1
    )
    change.update(deletions=0 if added else 1, changes=2)
    return change


def _fast_import_stream(count: int) -> bytes:
    """Commits 1..count on BRANCH, each a mark of its number, for `git fast-import`."""
    parts = []
    for number in range(1, count + 1):
        commit = SyntheticCommit(number, "")
        stamp = int((START + timedelta(minutes=number)).timestamp())
        message = commit.message.encode()
        content = commit.content()
        parts += [
            f"commit refs/heads/{BRANCH}\nmark :{number}\n".encode(),
            f"author {AUTHOR[0]} <{AUTHOR[1]}> {stamp} +0000\n".encode(),
            f"committer {COMMITTER[0]} <{COMMITTER[1]}> {stamp} +0000\n".encode(),
            b"data %d\n%s\n" % (len(message), message),
            f"from :{number - 1}\n".encode() if number > 1 else b"",
            f"M 100644 inline {commit.path}\n".encode(),
            b"data %d\n%s\n" % (len(content), content),
        ]
    return b"".join([*parts, b"done\n"])


def make_git_history(remotes: Path, full_name: str, *, commits: int) -> list[SyntheticCommit]:
    """Write the history as a bare repository at `remotes/<full_name>.git`.

    Return its commits, oldest first, with the shas git gave them (`--export-marks`).
    """
    bare = remotes / f"{full_name}.git"
    bare.parent.mkdir(parents=True, exist_ok=True)
    git(bare.parent, "init", "-q", "--bare", "-b", BRANCH, bare.name)
    marks = bare / "synthetic-marks"
    git(bare, "fast-import", "--quiet", "--done", f"--export-marks={marks}",
        input=_fast_import_stream(commits))  # fmt: skip
    shas = dict(line.split() for line in marks.read_text().splitlines())
    marks.unlink()
    return [SyntheticCommit(n, shas[f":{n}"]) for n in range(1, commits + 1)]


def _commit_payload(commit: SyntheticCommit, *, parent: str | None, files: bool) -> dict:
    name, email = AUTHOR
    files_of = [_file_of(commit)] if files else None
    payload = payloads.commit(commit.sha, date=commit.date, files=files_of, name=name, email=email)
    payload["commit"]["message"] = commit.message
    payload["parents"] = [{"sha": parent}] if parent else []
    return payload


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
    server: FixtureServer,
    full_name: str,
    *,
    commits: int,
    issues: int,
    pulls: int,
    remotes: Path,
) -> dict[str, int]:
    """Serve the repository (its git history written under `remotes`); return how
    many items of each kind it has."""
    base = f"/repos/{full_name}"
    history = make_git_history(remotes, full_name, commits=commits)
    head = history[-1].sha
    add(server, base, repository(full_name, github_id=4242))
    _serve_list(server, f"{base}/releases", [], {"per_page": "100"})
    add(server, f"{base}/branches/{BRANCH}", {"name": BRANCH, "commit": {"sha": head}})
    parents = [None, *(c.sha for c in history)]
    newest_first = list(reversed(list(zip(history, parents, strict=False))))
    listed = [_commit_payload(c, parent=p, files=False) for c, p in newest_first]
    # The API path lists the branch by name; the git path links accounts from its head.
    for branch in (BRANCH, head):
        _serve_list(server, f"{base}/commits", listed, {"per_page": "100", "sha": branch})
    for commit, parent in newest_first:
        add(
            server,
            f"{base}/commits/{commit.sha}",
            _commit_payload(commit, parent=parent, files=True),
        )

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
