"""Read commits and their file changes from a local git repository with `git log`.

One `git log` process streams the whole range; its output is parsed as it arrives,
so memory stays flat however long the history is. The output is machine-readable:
`-z` (every field and path ends in NUL, so no quoting, newlines or tabs in file
names break it) and a `--format` of NUL-separated fields. For each commit git then
writes its `--raw` entries (status letter, paths) and its `--numstat` entries (lines
added and deleted; `-` for a binary file), both in the same order over the same
file pairs. `-M` detects renames, `--root` lists a root commit's files as added, and
`--diff-merges=first-parent` diffs a merge against its first parent: what GitHub's
"Get a commit" reports, without its 300-file limit.

The items are those the REST parsers make from a commit detail (`parsers.parse_commit`)
for the same history: the message without its trailing newline, UTC times, files
with GitHub's status words, a binary file as 0 additions and 0 deletions. Author
and committer accounts are not in git; they stay None here and are linked from the
commit list (`GitHubActivityFetcher.commits`). Names and messages in another
encoding are re-encoded by git (`--encoding=UTF-8`, from the commit's `encoding`
header); bytes that are still not UTF-8 become U+FFFD.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from cppa_user_tracker.items import GitIdentityItem
from github_activity_tracker.items import CommitItem, FileChangeItem

# The fields, in order: SHA, parents, author name/email/time, committer name/email/time,
# raw message. %x01 marks a commit's start; the final %x00 ends the message.
LOG_FORMAT = "%x01%H%x00%P%x00%an%x00%ae%x00%at%x00%cn%x00%ce%x00%ct%x00%B%x00"
LOG_OPTIONS = (
    "-z",
    "--raw",
    "--numstat",
    "-M",
    "--root",
    "--diff-merges=first-parent",
    "--no-abbrev",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--encoding=UTF-8",
    f"--format={LOG_FORMAT}",
)
# GitHub's words for git's raw status letters (renames carry their similarity: R093).
STATUSES = {
    b"A": "added",
    b"D": "removed",
    b"M": "modified",
    b"R": "renamed",
    b"C": "copied",
    b"T": "changed",
}
_HEADER_FIELDS = 9  # parents .. message, then the empty field our final %x00 makes
_CHUNK = 1 << 20


class GitLogError(ValueError):
    """`git log` wrote something this parser does not understand; names the commit."""


def _tokens(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Split a stream of bytes at NUL, across chunk boundaries."""
    tail = b""
    for chunk in chunks:
        parts = (tail + chunk).split(b"\0")
        tail = parts.pop()
        yield from parts
    if tail:
        yield tail


def read_chunks(stream, size: int = _CHUNK) -> Iterator[bytes]:
    """Read a binary stream (a pipe) in blocks until its end."""
    while block := stream.read(size):
        yield block


def _text(value: bytes) -> str:
    return value.decode("utf-8", "replace")


def _moment(value: bytes, sha: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (ValueError, OverflowError, OSError):
        raise GitLogError(f"commit {sha}: time {value!r} is not a Unix timestamp") from None


def _identity(name: bytes, email: bytes) -> GitIdentityItem | None:
    if not name and not email:
        return None
    return GitIdentityItem(name=_text(name), email=_text(email))


def _count(value: bytes, sha: str) -> int:
    if value == b"-":  # a binary file: GitHub reports no lines for it
        return 0
    try:
        return int(value)
    except ValueError:
        raise GitLogError(f"commit {sha}: numstat count {value!r} is not a number") from None


def parse_log(chunks: Iterable[bytes]) -> Iterator[CommitItem]:
    """Yield the commits of `git log LOG_OPTIONS` output, in the order git wrote them."""
    tokens = _tokens(chunks)
    token = next(tokens, None)
    while token is not None:
        if len(token) != 41 or token[:1] != b"\x01":
            raise GitLogError(f"git log output: expected a commit, got {token[:60]!r}")
        sha = token[1:].decode("ascii", "replace")
        header = [next(tokens, b"\x01") for _ in range(_HEADER_FIELDS)]
        if header[-1] != b"" or b"\x01" in header:
            raise GitLogError(f"commit {sha}: its header fields end early or run on")
        _parents, an, ae, at, cn, ce, ct, message, _ = header
        token = next(tokens, None)
        changes: list[tuple[bytes, bytes, bytes]] = []
        if token is not None and token[:2] == b"\n:":
            token = token[1:]
            while token is not None and token[:1] == b":":
                letter = token[token.rfind(b" ") + 1 :][:1]
                path = next(tokens, b"")
                if letter in b"RC":
                    changes.append((letter, next(tokens, b""), path))
                else:
                    changes.append((letter, path, b""))
                token = next(tokens, None)
            counts: list[tuple[int, int]] = []
            for _letter, path, _previous in changes:
                if token is None or token.count(b"\t") < 2:
                    raise GitLogError(f"commit {sha}: numstat of {_text(path)!r} is missing")
                added, deleted, listed = token.split(b"\t", 2)
                if not listed:  # a rename: the old and the new path follow
                    next(tokens, b"")
                    listed = next(tokens, b"")
                if listed != path:
                    raise GitLogError(
                        f"commit {sha}: numstat lists {_text(listed)!r}, raw {path!r}"
                    )
                counts.append((_count(added, sha), _count(deleted, sha)))
                token = next(tokens, None)
        else:
            counts = []
        files = tuple(
            FileChangeItem(
                filename=_text(path),
                status=STATUSES.get(letter, "changed"),
                additions=added,
                deletions=deleted,
                changes=added + deleted,
                previous_filename=_text(previous),
            )
            for (letter, path, previous), (added, deleted) in zip(changes, counts, strict=True)
        )
        committed_at = _moment(ct, sha)
        yield CommitItem(
            source_id=sha,
            updated_at=committed_at,
            sha=sha,
            message=_text(message).rstrip("\n"),
            author=_identity(an, ae),
            committer=_identity(cn, ce),
            author_account=None,
            committer_account=None,
            authored_at=_moment(at, sha),
            committed_at=committed_at,
            additions=sum(a for a, _ in counts),
            deletions=sum(d for _, d in counts),
            files=files,
        )
