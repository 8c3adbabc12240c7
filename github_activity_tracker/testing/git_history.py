"""A real git history made with git commands, and the same history in GitHub's API shapes.

`make_history` builds, in a work tree, the cases the git path must store as the API
path does: a root commit with a binary file, a rename with an edit, a deleted file, a
merge of a side branch (`--no-ff`), a commit adding 400 files, an empty commit, an
author name in ISO-8859-1 (with git's `encoding` header) and one in bytes that are
not UTF-8 at all. It is pushed to a bare repository under `remotes/<owner>/<name>.git`,
which `GITHUB_GIT_URL=<remotes>` serves as a local path.

`api_commits` describes the same history as GitHub's REST API does ("List commits"
and "Get a commit", per GitHub's documentation: files diffed against the first
parent, 300 files an answer with `?page=2` for the rest, a binary file with no line
counts, times in UTC), read commit by commit with git plumbing (`git cat-file`,
`git diff-tree`), not with the parser under test. `add_routes` serves it on the
loopback fixture server.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from core.testing.fixture_server import FixtureServer
from github_activity_tracker.testing import github_routes as routes
from github_activity_tracker.testing import graphql_routes, payloads

REPO = "boostorg/git-history"
BASE = f"/repos/{REPO}"
# Authors with a GitHub account, by email, as the API would link them.
ACCOUNTS = {"dave@example.org": payloads.DAVE, "sam@example.org": payloads.SAM}
DAVE = (b"Dave O'Connor", b"dave@example.org")
SAM = (b"Sam Darwin", b"sam@example.org")
LATIN1 = ("Jos\u00e9 M\u00fcller".encode("iso-8859-1"), b"jose@example.org")
NOT_UTF8 = (b"Bj\xf6rn \xff", b"bjorn@example.org")
FILES_PER_PAGE = 300


def git(cwd: Path, *args: str, env: dict | None = None, input: bytes | None = None) -> bytes:
    """Run git with no user or system configuration; return its output."""
    base = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "Dave O'Connor",
        "GIT_AUTHOR_EMAIL": "dave@example.org",
        "GIT_COMMITTER_NAME": "GitHub",
        "GIT_COMMITTER_EMAIL": "noreply@github.com",
    }
    environment = {k.encode(): v.encode() for k, v in base.items()}
    environment.update(env or {})
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=environment, input=input, capture_output=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace')}")
    return done.stdout


@dataclass
class History:
    work: Path
    remotes: Path

    @property
    def remote(self) -> Path:
        return self.remotes / f"{REPO}.git"

    def head(self) -> str:
        return git(self.work, "rev-parse", "develop").decode().strip()

    def commit(self, message: str, *, who=DAVE, when: int, empty: bool = False, extra=()) -> str:
        """Commit the staged changes as `who` (name and email bytes) at `when`."""
        name, email = who
        env = {
            b"GIT_AUTHOR_NAME": name,
            b"GIT_AUTHOR_EMAIL": email,
            b"GIT_AUTHOR_DATE": f"{when} +0200".encode(),
            b"GIT_COMMITTER_DATE": f"{when + 60} -0500".encode(),
        }
        args = [*extra, "commit", "-q", "-m", message]
        if empty:
            args.append("--allow-empty")
        git(self.work, *args, env=env)
        return self.head()

    def commit_raw(self, message: str, *, who, when: int) -> str:
        """Commit the staged tree as an object written by hand (`git hash-object`).

        `git commit` turns an author name that is not UTF-8 into UTF-8 (as if it were
        Latin-1); a commit object made by another tool keeps the bytes as they are.
        """
        name, email = who
        tree = git(self.work, "write-tree").strip()
        parent = git(self.work, "rev-parse", "HEAD").strip()
        body = b"".join(
            [
                b"tree %s\nparent %s\n" % (tree, parent),
                b"author %s <%s> %d +0000\n" % (name, email, when),
                b"committer %s <%s> %d +0000\n" % (name, email, when + 60),
                b"\n%s\n" % message.encode(),
            ]
        )
        sha = git(self.work, "hash-object", "-t", "commit", "-w", "--stdin", input=body).strip()
        git(self.work, "update-ref", "refs/heads/develop", sha.decode())
        return sha.decode()

    def write(self, relative: str, content: bytes) -> None:
        path = self.work / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        git(self.work, "add", relative)

    def push(self, *, force: bool = False) -> None:
        git(self.work, "push", "-q", *(["--force"] if force else []), "origin", "develop")


def make_history(root: Path) -> History:
    """Build the history described above and push it; return where it lives."""
    history = History(work=root / "work", remotes=root / "remotes")
    history.work.mkdir(parents=True)
    history.remote.parent.mkdir(parents=True)
    git(history.remote.parent, "init", "-q", "--bare", "-b", "develop", history.remote.name)
    git(history.work, "init", "-q", "-b", "develop")
    git(history.work, "remote", "add", "origin", str(history.remote))
    t = 1_700_000_000
    history.write("README.md", b"# History\n\nFirst lines.\n")
    history.write("src/parser.cpp", b"int parse();\nint a;\nint b;\n")
    history.write("logo.png", bytes(range(256)) * 4)
    history.commit("Start\n\nWith a body paragraph.", when=t)
    git(history.work, "mv", "src/parser.cpp", "src/reader.cpp")
    history.write("src/reader.cpp", b"int parse();\nint a;\nint b;\nint c;\n")
    history.commit("Rename the parser", who=SAM, when=t + 100)
    git(history.work, "checkout", "-q", "-b", "side")
    history.write("docs/side.md", b"side\n")
    history.commit("Side work", who=SAM, when=t + 200)
    git(history.work, "checkout", "-q", "develop")
    git(history.work, "rm", "-q", "logo.png")
    history.commit("Drop the logo", when=t + 300)
    (history.work / "many").mkdir()
    for n in range(400):
        (history.work / "many" / f"file{n:03d}.txt").write_text(f"line {n}\n")
    git(history.work, "add", "many")
    history.commit("Add 400 files", when=t + 400)
    git(history.work, "merge", "-q", "--no-ff", "-m", "Merge side", "side")
    history.commit("Nothing changed", who=LATIN1, when=t + 600, empty=True,
                   extra=("-c", "i18n.commitEncoding=ISO-8859-1"))  # fmt: skip
    history.write("README.md", b"# History\n\nFirst lines.\nMore.\n")
    history.commit_raw("Edit by a name that is not UTF-8", who=NOT_UTF8, when=t + 700)
    history.push()
    return history


# --- the same history as the API describes it -------------------------------------


def _person(line: bytes, encoding: str) -> dict[str, str]:
    """`Name <email> 1700000000 +0200` from a commit header, as GitHub's JSON gives it."""
    name, _, rest = line.partition(b" <")
    email, _, stamp = rest.partition(b"> ")
    seconds = int(stamp.split()[0])
    date = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "name": name.decode(encoding, "replace"),
        "email": email.decode(encoding, "replace"),
        "date": date,
    }


def _files(work: Path, sha: str, parents: list[str]) -> list[dict[str, Any]]:
    """The files of a commit against its first parent (all added for a root commit)."""
    against = [parents[0], sha] if parents else ["--root", sha]
    names = git(work, "diff-tree", "-r", "-M", "-z", "--no-commit-id", "--name-status", *against)
    counts = git(work, "diff-tree", "-r", "-M", "-z", "--no-commit-id", "--numstat", *against)
    fields = names.split(b"\0")
    status_of: dict[bytes, tuple[str, bytes]] = {}
    i = 0
    while i < len(fields) - 1:
        letter = fields[i][:1]
        if letter == b"R":
            status_of[fields[i + 2]] = ("renamed", fields[i + 1])
            i += 3
        else:
            word = {b"A": "added", b"D": "removed", b"M": "modified"}[letter]
            status_of[fields[i + 1]] = (word, b"")
            i += 2
    files = []
    parts = counts.split(b"\0")
    i = 0
    while i < len(parts) - 1:
        added, deleted, path = parts[i].split(b"\t", 2)
        i += 1
        if not path:
            path = parts[i + 1]
            i += 2
        lines = [0 if v == b"-" else int(v) for v in (added, deleted)]
        status, previous = status_of[path]
        entry = {
            "sha": "0" * 40,
            "filename": path.decode(),
            "status": status,
            "additions": lines[0],
            "deletions": lines[1],
            "changes": sum(lines),
        }
        if previous:
            entry["previous_filename"] = previous.decode()
        files.append(entry)
    return files


def api_commit(work: Path, sha: str) -> dict[str, Any]:
    """ "Get a commit" for `sha`, with every file (the caller splits them into pages)."""
    raw = git(work, "cat-file", "commit", sha)
    head, _, message = raw.partition(b"\n\n")
    headers = dict(line.split(b" ", 1) for line in head.split(b"\n"))
    encoding = headers.get(b"encoding", b"utf-8").decode()
    parents = [p.split(b" ", 1)[1].decode() for p in head.split(b"\n") if p.startswith(b"parent")]
    author = _person(headers[b"author"], encoding)
    committer = _person(headers[b"committer"], encoding)
    files = _files(work, sha, parents)
    return {
        "sha": sha,
        "commit": {
            "author": author,
            "committer": committer,
            "message": message.decode(encoding, "replace").rstrip("\n"),
        },
        "author": ACCOUNTS.get(author["email"]),
        "committer": ACCOUNTS.get(committer["email"]),
        "parents": [{"sha": p} for p in parents],
        "stats": {
            "additions": sum(f["additions"] for f in files),
            "deletions": sum(f["deletions"] for f in files),
            "total": sum(f["changes"] for f in files),
        },
        "files": files,
    }


def _listed(detail: dict[str, Any]) -> dict[str, Any]:
    """A commit as "List commits" shows it: no stats, no files."""
    return {k: v for k, v in detail.items() if k not in ("stats", "files")}


def _put(server: FixtureServer, path: str, body: Any, **query: str) -> None:
    target = path + (f"?{urlencode(sorted(query.items()))}" if query else "")
    server.clear("GET", target)
    routes.add(server, target, body)


def add_routes(server: FixtureServer, history: History, *, details: bool = True) -> None:
    """Serve the repository, its branch, its commit list and details, and empty streams.

    Called again after the history changed, it replaces the routes it added before.
    Without `details` the commit list is empty (a history too long to describe).
    """
    head = history.head()
    shas = git(history.work, "rev-list", "develop").decode().split() if details else []
    described = {sha: api_commit(history.work, sha) for sha in shas}
    _put(server, BASE, routes.repository(REPO, github_id=4242))
    _put(server, f"{BASE}/releases", [], per_page="100")
    _put(server, f"{BASE}/branches/develop", {"name": "develop", "commit": {"sha": head}})
    listed = [_listed(described[sha]) for sha in shas]
    for branch in ("develop", head):
        _put(server, f"{BASE}/commits", listed, per_page="100", sha=branch)
    for sha, detail in described.items():
        files = detail["files"]
        _put(server, f"{BASE}/commits/{sha}", {**detail, "files": files[:FILES_PER_PAGE]})
        for number in range(2, len(files) // FILES_PER_PAGE + 2):
            rest = files[FILES_PER_PAGE * (number - 1) : FILES_PER_PAGE * number]
            _put(server, f"{BASE}/commits/{sha}", {**detail, "files": rest}, page=str(number))
    for path, extra in (
        ("/issues", {"state": "all"}),
        ("/issues/comments", {}),
        ("/pulls/comments", {}),
    ):
        _put(server, f"{BASE}{path}", [], **routes.ASC, **extra)
    graphql_routes.serve(server)  # the account profile step


def add_compare(server: FixtureServer, history: History, base: str) -> None:
    """Serve `/compare/{base}...{head}` (the commits linked by an incremental run)."""
    head = history.head()
    shas = git(history.work, "rev-list", f"{base}..{head}").decode().split()
    commits = [_listed(api_commit(history.work, sha)) for sha in reversed(shas)]
    body = {"status": "ahead", "commits": commits}
    _put(server, f"{BASE}/compare/{base}...{head}", body, page="1", per_page="100")
