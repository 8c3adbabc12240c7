"""Keep a bare mirror of each tracked repository under the workspace, and read it.

`WORKSPACE_DIR/git/<owner>/<name>.git` holds every branch (`refs/heads/*`, no tags,
no pull request refs) of `GITHUB_GIT_URL/<owner>/<name>.git`. The first run clones
into a temporary directory beside it and renames it into place, so a clone killed
half-way never looks like a mirror; later runs `git fetch --prune`. A fetch killed
half-way (kill -9) leaves lock files and temporary packs: they are removed before
the next fetch, and a mirror git can no longer read is moved aside and cloned again.

A token (GITHUB_TOKEN, else the first of GITHUB_TOKENS) reaches git only through the
environment of its process: a credential helper given as configuration in
environment variables (`GIT_CONFIG_COUNT`/`KEY`/`VALUE`) that prints it from another
environment variable. It is never in argv, in the mirror's config, on disk or in a
log line; git's own messages are redacted before they are shown anyway.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from core.http.redaction import redact
from github_activity_tracker.git_log import LOG_OPTIONS, parse_log, read_chunks
from github_activity_tracker.items import CommitItem

logger = logging.getLogger(__name__)

_TOKEN_VARIABLE = "BOOST_COLLECTOR_GIT_TOKEN"
# Commits parsed ahead of the reader: _QUEUED batches of _BATCH (10,000 commits, about
# 10 MB for commits of a few files).
_BATCH, _QUEUED = 500, 20
_HELPER = (
    '!f() { test "$1" = get || exit 0; echo username=x-access-token; '
    f'echo "password=${_TOKEN_VARIABLE}"; }}; f'
)
# Messages of git that mean the far side is unreachable, not the mirror broken.
_REMOTE_PROBLEMS = (
    "could not resolve host",
    "unable to access",
    "connection refused",
    "failed to connect",
    "could not read from remote repository",
    "repository not found",
    "does not appear to be a git repository",
    "authentication failed",
    "could not read username",
    "terminal prompts disabled",
    "timed out",
    "early eof",
    "the remote end hung up",
    "remote error",
)


class GitError(Exception):
    """A git command failed; `remote` is True when the far side (network, auth, a
    deleted repository) is why, False when the local mirror is."""

    def __init__(self, message: str, *, remote: bool) -> None:
        super().__init__(message)
        self.remote = remote


class GitUnreachable(GitError, ConnectionError):
    """The repository could not be fetched (network, authentication, not found)."""


def git_binary() -> str | None:
    """The `git` on PATH, or None."""
    return shutil.which("git")


def _token() -> str:
    return settings.GITHUB_TOKEN or (settings.GITHUB_TOKENS[0] if settings.GITHUB_TOKENS else "")


def git_environment(*, token: str = "") -> dict[str, str]:
    """The environment of every git process: no user or system config, no prompts,
    and, with a token, the credential helper that reads it from the environment."""
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "",
        "SSH_ASKPASS": "",
        "LC_ALL": "C",
    }
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        env.pop(name, None)
    if token:
        env.update(
            {
                "GIT_CONFIG_COUNT": "2",
                "GIT_CONFIG_KEY_0": "credential.helper",
                "GIT_CONFIG_VALUE_0": "",
                "GIT_CONFIG_KEY_1": "credential.helper",
                "GIT_CONFIG_VALUE_1": _HELPER,
                _TOKEN_VARIABLE: token,
            }
        )
    return env


def _problem(output: bytes, token: str) -> str:
    text = " ".join(output.decode("utf-8", "replace").split())
    if token:
        text = text.replace(token, "[REDACTED]")
    return redact(text)[:500]


class GitMirror:
    """The bare mirror of one repository (`owner/name`, already checked)."""

    def __init__(self, full_name: str, *, workspace: str | Path | None = None) -> None:
        owner, name = full_name.split("/")
        self.full_name = full_name
        root = Path(workspace or settings.WORKSPACE_DIR) / "git" / owner
        self.path = root / f"{name}.git"
        self.url = f"{settings.GITHUB_GIT_URL.rstrip('/')}/{owner}/{name}.git"
        self.token = _token()

    # --- running git ------------------------------------------------------------

    def _git(self, *args: str, cwd: Path | None = None, check_remote: bool = False) -> bytes:
        where = cwd or self.path
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=where,
                env=git_environment(token=self.token),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=settings.GITHUB_GIT_TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired:
            raise GitUnreachable(
                f"{self.full_name}: git {args[0]} timed out after "
                f"{settings.GITHUB_GIT_TIMEOUT_SECONDS}s",
                remote=True,
            ) from None
        if done.returncode != 0:
            problem = _problem(done.stderr or done.stdout, self.token)
            remote = check_remote and any(p in problem.lower() for p in _REMOTE_PROBLEMS)
            kind = GitUnreachable if remote else GitError
            raise kind(f"{self.full_name}: git {args[0]} failed: {problem}", remote=remote)
        return done.stdout

    # --- keeping the mirror -------------------------------------------------------

    def update(self) -> None:
        """Clone the mirror, or fetch into it; repair or re-clone a damaged one.

        Raises GitUnreachable when the far side cannot be read (the mirror, if any,
        is left as it was), GitError when even a fresh clone cannot be made.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._remove_leftovers()
        if not self._readable():
            self._clone()
            return
        self._remove_stale_locks()
        self._git("config", "remote.origin.url", self.url)
        try:
            self._fetch()
        except GitUnreachable:
            raise
        except GitError as exc:
            logger.warning(
                "%s: the mirror could not be fetched into (%s); cloning it again",
                self.full_name,
                exc,
                extra={"repo": self.full_name},
            )
            self._set_aside()
            self._clone()

    def reclone(self) -> None:
        """Move the mirror aside and clone it again (git could not read it)."""
        if self.path.exists():
            self._set_aside()
        self._clone()

    def _fetch(self, cwd: Path | None = None) -> None:
        self._git("fetch", "--prune", "--no-tags", "--quiet", "origin", cwd=cwd, check_remote=True)

    def _clone(self) -> None:
        """Clone into a temporary sibling, then rename it into place (atomic)."""
        partial = self.path.with_name(f"{self.path.name}.partial-{uuid.uuid4().hex[:8]}")
        try:
            self._git("init", "--quiet", "--bare", str(partial), cwd=self.path.parent)
            self._git("config", "remote.origin.url", self.url, cwd=partial)
            self._git("config", "remote.origin.fetch", "+refs/heads/*:refs/heads/*", cwd=partial)
            self._git("config", "gc.auto", "0", cwd=partial)
            self._fetch(cwd=partial)
            partial.rename(self.path)
        finally:
            if partial.exists():
                shutil.rmtree(partial, ignore_errors=True)

    def _readable(self) -> bool:
        if not (self.path / "HEAD").is_file():
            if self.path.exists():
                self._set_aside()
            return False
        try:
            self._git("rev-parse", "--is-bare-repository")
        except GitError:
            self._set_aside()
            return False
        return True

    def _set_aside(self) -> None:
        """Move a damaged mirror out of the way (removed at the next start)."""
        broken = self.path.with_name(f"{self.path.name}.broken-{uuid.uuid4().hex[:8]}")
        self.path.rename(broken)
        shutil.rmtree(broken, ignore_errors=True)

    def _remove_leftovers(self) -> None:
        """Temporary clones and set-aside mirrors a killed run left behind."""
        for stem in (".partial-", ".broken-"):
            for leftover in self.path.parent.glob(f"{self.path.name}{stem}*"):
                shutil.rmtree(leftover, ignore_errors=True)

    def _remove_stale_locks(self) -> None:
        """Lock files and temporary packs of a git killed mid-fetch.

        Safe: the collector's advisory lock means no other run of ours uses the mirror.
        """
        for lock in self.path.rglob("*.lock"):
            lock.unlink(missing_ok=True)
        for temporary in (self.path / "objects").rglob("tmp_*"):
            temporary.unlink(missing_ok=True)

    # --- reading it ---------------------------------------------------------------

    def head(self, branch: str) -> str | None:
        """The SHA at the tip of `branch` in the mirror, or None when it has none."""
        try:
            out = self._git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}")
        except GitError:
            return None
        return out.decode("ascii").strip() or None

    def has_commit(self, sha: str) -> bool:
        try:
            self._git("cat-file", "-e", f"{sha}^{{commit}}")
        except GitError:
            return False
        return True

    def is_ancestor(self, older: str, newer: str) -> bool:
        try:
            self._git("merge-base", "--is-ancestor", older, newer)
        except GitError:
            return False
        return True

    @contextmanager
    def log(self, revisions: Sequence[str]) -> Iterator[Iterator[CommitItem]]:
        """Stream `git log` of `revisions` (e.g. `[new]` or `[old..new]`) as items.

        A thread reads and parses git's output into a bounded queue, so git and the
        parser go on while the caller waits for PostgreSQL to store a page. The
        process is stopped if the reader leaves early; a git failure raises GitError
        naming the repository, a malformed output the parser's GitLogError.
        """
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(
                ["git", "log", *LOG_OPTIONS, *revisions, "--"],
                cwd=self.path,
                env=git_environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
            parsed = _ParseAhead(process)
            try:
                yield iter(parsed)
            finally:
                if not parsed.done:
                    process.kill()
                parsed.stop()
                code = process.wait()
            if parsed.done and code != 0:
                errors.seek(0)
                problem = _problem(errors.read(), "")
                raise GitError(f"{self.full_name}: git log failed: {problem}", remote=False)


class _ParseAhead:
    """Parse a `git log` process's output in a thread, into a queue of item batches."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.queue: queue.Queue[list[CommitItem] | BaseException | None] = queue.Queue(
            maxsize=_QUEUED
        )
        self.stream = process.stdout
        self.stopped = threading.Event()
        self.done = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _put(self, value: list[CommitItem] | BaseException | None) -> bool:
        while not self.stopped.is_set():
            try:
                self.queue.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:
        assert self.stream is not None
        batch: list[CommitItem] = []
        try:
            for item in parse_log(read_chunks(self.stream)):
                batch.append(item)
                if len(batch) == _BATCH:
                    if not self._put(batch):
                        return
                    batch = []
            self._put(batch)
            self._put(None)
        except BaseException as exc:  # handed to the reader, which raises it
            self._put(exc)
        finally:
            self.stream.close()

    def __iter__(self) -> Iterator[CommitItem]:
        while True:
            got = self.queue.get()
            if got is None:
                self.done = True
                return
            if isinstance(got, BaseException):
                raise got
            yield from got

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()
